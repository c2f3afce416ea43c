"""topic pages at a million posts (issue #17): the language filter reads an index of the
opening posts' languages (ix_post_opening_language, partial: opening posts only)

Revision ID: i17_opening_language
Revises: i16_data_generation
Create Date: 2026-12-05 05:35:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'i17_opening_language'
down_revision = 'i16_data_generation'
branch_labels = None
depends_on = None


def upgrade():
    # The predicate as the queries write it (SQLAlchemy's is_(True)), so that each planner
    # sees the index applies: "IS true" on PostgreSQL, "IS 1" on SQLite.
    where = "is_opening IS true" if op.get_bind().dialect.name == "postgresql" else "is_opening IS 1"
    op.create_index("ix_post_opening_language", "post", ["thread_id", "language"], unique=False,
                    postgresql_where=sa.text(where), sqlite_where=sa.text(where))


def downgrade():
    op.drop_index("ix_post_opening_language", table_name="post")
