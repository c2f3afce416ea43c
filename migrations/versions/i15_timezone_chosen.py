"""whether a person's time zone was given (issue #15: dates right in every time zone)

user.timezone_chosen: False until the person chose a zone in the settings (or the API), or
their browser reported one at registration or sign-in. Only an unchosen zone is filled in from
a browser; nobody could set a zone before, so every existing account starts unchosen.

Revision ID: i15_timezone_chosen
Revises: i15_archive_words
Create Date: 2026-12-05 10:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'i15_timezone_chosen'
down_revision = 'i15_archive_words'
branch_labels = None
depends_on = None


# Plain ALTER TABLE on both databases (SQLite has dropped columns since 3.35): a batch operation
# would copy and drop the user table, which every other table refers to.
def upgrade():
    op.add_column('user', sa.Column('timezone_chosen', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    op.drop_column('user', 'timezone_chosen')
