"""a live session's archive and follow-up worded for each reader (issue #15)

thread.title_kind ("live_archive" / "live_follow_up") and thread.title_subject (the session's
title): pages word these titles in the reader's language (community/titles.py); the stored
title stays what search, the API and emails read. Existing archives and follow-ups get both
from their session, and their opening posts lose the language they were labelled with (the
pages word them for each reader).

Revision ID: i15_archive_words
Revises: i18_file_flags
Create Date: 2026-12-05 09:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'i15_archive_words'
down_revision = 'i18_file_flags'
branch_labels = None
depends_on = None

_FILL = (
    ('live_archive', 'archive_thread_id'),
    ('live_follow_up', 'follow_up_thread_id'),
)


def upgrade():
    op.add_column('thread', sa.Column('title_kind', sa.String(length=20), nullable=True))
    op.add_column('thread', sa.Column('title_subject', sa.String(length=200), nullable=True))
    opening = "is_opening IS true" if op.get_bind().dialect.name == "postgresql" else "is_opening IS 1"
    for kind, column in _FILL:
        op.execute(f"UPDATE thread SET title_kind = '{kind}', "
                   f"title_subject = (SELECT s.title FROM live_session s WHERE s.{column} = thread.id) "
                   f"WHERE id IN (SELECT {column} FROM live_session WHERE {column} IS NOT NULL)")
        op.execute(f"UPDATE post SET language = NULL WHERE {opening} AND thread_id IN "
                   f"(SELECT {column} FROM live_session WHERE {column} IS NOT NULL)")


def downgrade():
    op.drop_column('thread', 'title_subject')
    op.drop_column('thread', 'title_kind')
