"""The search index: its table, and keeping it in step with the posts.

- SQLite: an FTS5 virtual table `post_fts(post_id UNINDEXED, thread_id UNINDEXED, title, body)`
  whose rowid is the post id.
- PostgreSQL: a table `post_fts(post_id, thread_id, title, body, document)` where `document`
  is a generated, weighted tsvector (title A, body B) with a GIN index.

What is indexed: one row per *visible* post, holding the post's plain text (from its
sanitised HTML, markup.to_text) and, for a thread's opening post only, the thread's title
and tags. Never an author's name: an anonymous post cannot be found through its author.

The index follows the same actions that write posts through one hook: a session event
notes every Post created, edited, moved, hidden, deleted or restored, and every Thread
whose title or tags changed, and rewrites those posts' rows in the same transaction,
after the flush (so a rollback undoes both).
"""
from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import Integer, column, delete, event, insert, select, table, text
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from ..extensions import db
from ..markup import to_text
from ..models import Post, Thread

INDEX_TABLE = "post_fts"
# PostgreSQL's text search configuration and SQLite's tokenizer: both stem English
# ("fees" finds "fee"), and fold case and accents.
PG_CONFIG = "english"
SQLITE_TOKENIZE = "porter unicode61 remove_diacritics 2"
TITLE_WEIGHT = 4.0  # SQLite bm25 weight of the title column against the body's 1.0

# Control characters: removed from everything indexed and searched, so a post cannot forge
# the engines' match markers (engines.py).
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACE_RE = re.compile(r"\s+")

# --- the index's DDL (also created for tests' db.create_all(); the migration has its own copy)
SQLITE_DDL = [
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {INDEX_TABLE} USING fts5("
    f"post_id UNINDEXED, thread_id UNINDEXED, title, body, tokenize = '{SQLITE_TOKENIZE}')",
]
POSTGRESQL_DDL = [
    f"CREATE TABLE IF NOT EXISTS {INDEX_TABLE} ("
    " post_id INTEGER PRIMARY KEY REFERENCES post (id) ON DELETE CASCADE,"
    " thread_id INTEGER NOT NULL,"
    " title TEXT NOT NULL DEFAULT '',"
    " body TEXT NOT NULL DEFAULT '',"
    f" document tsvector GENERATED ALWAYS AS ("
    f"setweight(to_tsvector('{PG_CONFIG}', title), 'A') || "
    f"setweight(to_tsvector('{PG_CONFIG}', body), 'B')) STORED)",
    f"CREATE INDEX IF NOT EXISTS ix_{INDEX_TABLE}_document ON {INDEX_TABLE} USING GIN (document)",
]

fts = table(INDEX_TABLE, column("rowid", Integer), column("post_id", Integer), column("thread_id", Integer),
            column("title"), column("body"), column("document"))


def is_index_table(name: str) -> bool:
    """Tables of the search index (and FTS5's shadow tables), which the models do not describe.

    migrations/env.py leaves them out of autogenerate, so `flask db migrate` never drops them.
    """
    return name == INDEX_TABLE or name.startswith(INDEX_TABLE + "_")


def dialect(bind) -> str:
    return bind.dialect.name


# --- keeping the index up to date ---------------------------------------------------------
def title_text(title: str, tags: str) -> str:
    extra = " ".join(tag.replace("-", " ") for tag in (tags or "").split(",") if tag)
    return _SPACE_RE.sub(" ", CONTROL_RE.sub(" ", f"{title or ''} {extra}")).strip()


def _sync(connection: Connection, post_ids: Iterable[int]) -> None:
    """Rewrite the index rows of these posts from the database: visible ones in, others out."""
    ids = sorted({i for i in post_ids if i is not None})
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        rows = connection.execute(
            select(Post.id, Post.thread_id, Post.is_opening, Post.html, Thread.title, Thread.tags)
            .join(Thread, Thread.id == Post.thread_id)
            .where(Post.id.in_(chunk), Post.state == "visible")
        ).all()
        _delete_rows(connection, chunk)
        if rows:
            values = [{"post_id": r.id, "thread_id": r.thread_id,
                       "title": title_text(r.title, r.tags) if r.is_opening else "",
                       "body": to_text(r.html)} for r in rows]
            if dialect(connection) == "sqlite":
                for v in values:
                    v["rowid"] = v["post_id"]  # the rowid is the post id: deletes and joins by rowid are fast
            connection.execute(insert(fts), values)


def _delete_rows(connection: Connection, post_ids: list[int]) -> None:
    key = fts.c.rowid if dialect(connection) == "sqlite" else fts.c.post_id
    connection.execute(delete(fts).where(key.in_(post_ids)))


def index_post(post: Post) -> None:
    """Bring `post`'s index row up to date (a visible post is indexed, any other removed).

    The session hook calls this for you on every flush; it is public for scripts and tests.
    """
    db.session.flush()
    _sync(db.session.connection(), [post.id])


def remove_post(post: Post) -> None:
    """Take `post` out of the index (it stays out until it is written again)."""
    _delete_rows(db.session.connection(), [post.id])


def rebuild_index() -> int:
    """Re-index every post from scratch; returns how many posts are indexed."""
    connection = db.session.connection()
    connection.execute(delete(fts))
    ids = list(connection.execute(select(Post.id).where(Post.state == "visible")).scalars())
    _sync(connection, ids)
    return len(ids)


def clear_index() -> None:
    """Empty the index (tests empty the models' tables between tests; this is the index's part)."""
    db.session.execute(delete(fts))


def indexed(post_id: int) -> dict | None:
    """The index row of a post ({"thread_id", "title", "body"}), or None: for tests and checks."""
    key = fts.c.rowid if dialect(db.session.connection()) == "sqlite" else fts.c.post_id
    row = db.session.connection().execute(
        select(fts.c.thread_id, fts.c.title, fts.c.body).where(key == post_id)).first()
    return dict(row._mapping) if row else None


_POST_FIELDS = ("body", "html", "state", "thread_id", "thread", "is_opening")
_THREAD_FIELDS = ("title", "tags")
_PENDING = "search_pending"


def _changed(obj, fields: tuple[str, ...]) -> bool:
    attrs = sa_inspect(obj).attrs
    return any(attrs[name].history.has_changes() for name in fields)


@event.listens_for(Session, "after_flush")
def _note_changes(session: Session, _flush_context) -> None:
    # Attribute histories still hold this flush's changes here; ids are assigned.
    posts: set[int] = set()
    threads: set[int] = set()
    for obj in session.new:
        if isinstance(obj, Post):
            posts.add(obj.id)
    for obj in session.dirty:
        if isinstance(obj, Post) and _changed(obj, _POST_FIELDS):
            posts.add(obj.id)
        elif isinstance(obj, Thread) and _changed(obj, _THREAD_FIELDS):
            threads.add(obj.id)
    for obj in session.deleted:
        if isinstance(obj, Post):
            posts.add(obj.id)  # gone from the post table: _sync finds no row and removes it
    if posts or threads:
        pending = session.info.setdefault(_PENDING, (set(), set()))
        pending[0].update(posts)
        pending[1].update(threads)


@event.listens_for(Session, "after_flush_postexec")
def _apply_changes(session: Session, _flush_context) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    posts, threads = pending
    # session.connection(): the flush's own transaction, and no autoflush from inside a flush.
    connection = session.connection()
    if threads:
        posts |= set(connection.execute(
            select(Post.id).where(Post.thread_id.in_(threads), Post.is_opening.is_(True))).scalars())
    _sync(connection, posts)


@event.listens_for(Session, "after_rollback")
def _forget_changes(session: Session) -> None:
    session.info.pop(_PENDING, None)


# Tests build the schema with db.create_all(): the index comes with it (migrations create it
# themselves), and goes before the post table it refers to on PostgreSQL.
@event.listens_for(db.metadata, "after_create")
def _create_index_tables(_target, connection: Connection, **_kw) -> None:
    ddl = SQLITE_DDL if dialect(connection) == "sqlite" else POSTGRESQL_DDL
    for statement in ddl:
        connection.execute(text(statement))


@event.listens_for(db.metadata, "before_drop")
def _drop_index_tables(_target, connection: Connection, **_kw) -> None:
    connection.execute(text(f"DROP TABLE IF EXISTS {INDEX_TABLE}"))


