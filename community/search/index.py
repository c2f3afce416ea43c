"""The search index: its table, and keeping it in step with the posts.

- SQLite: an FTS5 virtual table `post_fts(post_id UNINDEXED, thread_id UNINDEXED, title, body)`
  whose rowid is the post id.
- PostgreSQL: a table `post_fts(post_id, thread_id, title, body, config, unspaced, document)`
  where `document` is a generated, weighted tsvector (title A, body B) in the post's language's
  text-search configuration `config`, with a GIN index; posts written without spaces between
  words (`unspaced`) also have a pg_trgm index on their text (scripts.py).
- SQLite: beside it, an FTS5 trigram table `post_fts_tri(title, body)` and a bigram table
  `post_fts_bi(grams)` holding those posts only (scripts.py); PostgreSQL keeps their bigrams
  in `grams`, with a GIN index on its 'simple' tsvector.

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
from . import scripts

INDEX_TABLE = "post_fts"
# PostgreSQL's text search configuration for a post of unknown language (scripts.PG_CONFIGS
# has the others) and SQLite's tokenizer: both stem English ("fees" finds "fee"), and fold case
# and accents.
PG_CONFIG = scripts.DEFAULT_PG_CONFIG
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
    *scripts.SQLITE_TRIGRAM_DDL,
]
# The post in its language's configuration (stems), and for other languages than English also
# its words as written (weight D): a query read in English and as written finds a Spanish post
# by its exact words, one read in Spanish (a Spanish reader, or lang=es) by its stems too.
PG_DOCUMENT = ("setweight(to_tsvector(config, title), 'A') || setweight(to_tsvector(config, body), 'B') || "
               "CASE WHEN config = 'english'::regconfig THEN ''::tsvector "
               "ELSE setweight(to_tsvector('simple'::regconfig, title || ' ' || body), 'D') END")
POSTGRESQL_DDL = [
    f"CREATE TABLE IF NOT EXISTS {INDEX_TABLE} ("
    " post_id INTEGER PRIMARY KEY REFERENCES post (id) ON DELETE CASCADE,"
    " thread_id INTEGER NOT NULL,"
    " title TEXT NOT NULL DEFAULT '',"
    " body TEXT NOT NULL DEFAULT '',"
    f" config regconfig NOT NULL DEFAULT '{PG_CONFIG}',"
    " unspaced BOOLEAN NOT NULL DEFAULT false,"
    " grams TEXT NOT NULL DEFAULT '',"
    f" document tsvector GENERATED ALWAYS AS ({PG_DOCUMENT}) STORED)",
    f"CREATE INDEX IF NOT EXISTS ix_{INDEX_TABLE}_document ON {INDEX_TABLE} USING GIN (document)",
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    f"CREATE INDEX IF NOT EXISTS ix_{INDEX_TABLE}_unspaced ON {INDEX_TABLE} "
    "USING GIN ((title || ' ' || body) gin_trgm_ops) WHERE unspaced",
    f"CREATE INDEX IF NOT EXISTS ix_{INDEX_TABLE}_grams ON {INDEX_TABLE} "
    "USING GIN (to_tsvector('simple'::regconfig, grams)) WHERE unspaced",
    # The newest unspaced posts first, for a common word's candidates (scripts.conditions, dense)
    f"CREATE INDEX IF NOT EXISTS ix_{INDEX_TABLE}_unspaced_id ON {INDEX_TABLE} (post_id) WHERE unspaced",
]

fts = table(INDEX_TABLE, column("rowid", Integer), column("post_id", Integer), column("thread_id", Integer),
            column("title"), column("body"), column("config"), column("unspaced"), column("grams"), column("document"))


def is_index_table(name: str) -> bool:
    """Tables of the search index (and FTS5's shadow tables), which the models do not describe.

    migrations/env.py leaves them out of autogenerate, so `flask db migrate` never drops them.
    """
    return name == INDEX_TABLE or name.startswith(INDEX_TABLE + "_")  # post_fts_tri and _bi too


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
            select(Post.id, Post.thread_id, Post.is_opening, Post.html, Post.language, Thread.title, Thread.tags)
            .join(Thread, Thread.id == Post.thread_id)
            .where(Post.id.in_(chunk), Post.state == "visible")
        ).all()
        _delete_rows(connection, chunk)
        if rows:
            values = [{"post_id": r.id, "thread_id": r.thread_id,
                       "title": title_text(r.title, r.tags) if r.is_opening else "",
                       "body": to_text(r.html), "language": r.language} for r in rows]
            sqlite = dialect(connection) == "sqlite"
            unspaced, grams = [], []
            for v in values:
                language = v.pop("language")
                both = v["title"] + " " + v["body"]
                is_unspaced = scripts.unspaced(language, both)
                if sqlite:
                    v["rowid"] = v["post_id"]  # the rowid is the post id: deletes and joins by rowid are fast
                    if is_unspaced:
                        unspaced.append({"rowid": v["post_id"], "title": v["title"], "body": v["body"]})
                        grams.append({"rowid": v["post_id"], "grams": scripts.bigrams(both)})
                else:
                    v["config"], v["unspaced"] = scripts.pg_config(language), is_unspaced
                    v["grams"] = scripts.bigrams(both) if is_unspaced else ""
            connection.execute(insert(fts), values)
            if unspaced:
                connection.execute(insert(scripts.tri), unspaced)
                connection.execute(insert(scripts.bi), grams)


def _delete_rows(connection: Connection, post_ids: list[int]) -> None:
    sqlite = dialect(connection) == "sqlite"
    key = fts.c.rowid if sqlite else fts.c.post_id
    connection.execute(delete(fts).where(key.in_(post_ids)))
    if sqlite:
        connection.execute(delete(scripts.tri).where(scripts.tri.c.rowid.in_(post_ids)))
        connection.execute(delete(scripts.bi).where(scripts.bi.c.rowid.in_(post_ids)))


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
    if dialect(connection) == "sqlite":
        connection.execute(delete(scripts.tri))
        connection.execute(delete(scripts.bi))
    ids = list(connection.execute(select(Post.id).where(Post.state == "visible")).scalars())
    _sync(connection, ids)
    return len(ids)


def clear_index() -> None:
    """Empty the index (tests empty the models' tables between tests; this is the index's part)."""
    db.session.execute(delete(fts))
    if dialect(db.session.connection()) == "sqlite":
        db.session.execute(delete(scripts.tri))
        db.session.execute(delete(scripts.bi))


def indexed(post_id: int) -> dict | None:
    """The index row of a post ({"thread_id", "title", "body"}), or None: for tests and checks."""
    key = fts.c.rowid if dialect(db.session.connection()) == "sqlite" else fts.c.post_id
    row = db.session.connection().execute(
        select(fts.c.thread_id, fts.c.title, fts.c.body).where(key == post_id)).first()
    return dict(row._mapping) if row else None


_POST_FIELDS = ("body", "html", "state", "thread_id", "thread", "is_opening", "language")
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
    if dialect(connection) == "sqlite":
        connection.execute(text(f"DROP TABLE IF EXISTS {scripts.TRIGRAM_TABLE}"))
        connection.execute(text(f"DROP TABLE IF EXISTS {scripts.BIGRAM_TABLE}"))


