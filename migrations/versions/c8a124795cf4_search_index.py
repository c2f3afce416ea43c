"""search index

The full-text index of community/search.py, in the database's own engine:
SQLite: an FTS5 virtual table post_fts (rowid = post id);
PostgreSQL: a table post_fts with a generated, weighted tsvector and a GIN index.
Existing visible posts are indexed (their plain text, and the thread's title and
tags on opening posts). The DDL is a copy of community/search.py's, as it was here.

Revision ID: c8a124795cf4
Revises: 96e997c92ff3
Create Date: 2026-11-27 02:28:53.646466

"""
import html
import re

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c8a124795cf4'
down_revision = '96e997c92ff3'
branch_labels = None
depends_on = None

SQLITE = [
    "CREATE VIRTUAL TABLE post_fts USING fts5("
    "post_id UNINDEXED, thread_id UNINDEXED, title, body, tokenize = 'porter unicode61 remove_diacritics 2')",
]
POSTGRESQL = [
    "CREATE TABLE post_fts ("
    " post_id INTEGER PRIMARY KEY REFERENCES post (id) ON DELETE CASCADE,"
    " thread_id INTEGER NOT NULL,"
    " title TEXT NOT NULL DEFAULT '',"
    " body TEXT NOT NULL DEFAULT '',"
    " document tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('english', title), 'A') || "
    "setweight(to_tsvector('english', body), 'B')) STORED)",
    "CREATE INDEX ix_post_fts_document ON post_fts USING GIN (document)",
]

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _clean(value):
    return re.sub(r"\s+", " ", _CONTROL.sub(" ", value)).strip()


def _plain(post_html):
    inline = re.sub(r"</?(?:a|abbr|b|code|del|em|i|s|span|strong|sub|sup)\b[^>]*>", "", post_html or "", flags=re.I)
    return _clean(html.unescape(re.sub(r"<[^>]*>", " ", inline)))


def _backfill(bind, sqlite):
    rows = bind.execute(sa.text(
        "SELECT post.id, post.thread_id, post.is_opening, post.html, thread.title, thread.tags "
        "FROM post JOIN thread ON thread.id = post.thread_id WHERE post.state = 'visible'")).all()
    insert = sa.text(
        "INSERT INTO post_fts (rowid, post_id, thread_id, title, body) VALUES (:post_id, :post_id, :thread_id, :title, :body)"
        if sqlite else
        "INSERT INTO post_fts (post_id, thread_id, title, body) VALUES (:post_id, :thread_id, :title, :body)")
    values = []
    for post_id, thread_id, is_opening, post_html, title, tags in rows:
        tag_words = " ".join(t.replace("-", " ") for t in (tags or "").split(",") if t)
        values.append({"post_id": post_id, "thread_id": thread_id,
                       "title": _clean(f"{title or ''} {tag_words}") if is_opening else "",
                       "body": _plain(post_html)})
    if values:
        bind.execute(insert, values)


def upgrade():
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    for statement in (SQLITE if sqlite else POSTGRESQL):
        op.execute(statement)
    _backfill(bind, sqlite)


def downgrade():
    op.execute("DROP TABLE IF EXISTS post_fts")
