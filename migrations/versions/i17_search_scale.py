"""search at a million posts (issue #17): PostgreSQL's index rows of unspaced posts (Chinese,
Thai, ...) by post id, newest first, so a common unspaced word's newest matches are read in
order and the reading stops at the ranking's candidates (community/search/scripts.py,
`conditions(dense=True)`), instead of fetching every match through the GIN indexes and
sorting them. SQLite reads its bigram and trigram tables (FTS5) newest first already.

Revision ID: i17_search_scale
Revises: i18_files
Create Date: 2026-12-05 04:50:00

"""
from alembic import op

revision = 'i17_search_scale'
down_revision = 'i18_files'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE INDEX IF NOT EXISTS ix_post_fts_unspaced_id ON post_fts (post_id) WHERE unspaced")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_post_fts_unspaced_id")
