"""Full-text search over threads and posts, with the database's own engine.

The only module that knows the two engines:

- SQLite: an FTS5 virtual table `post_fts(post_id UNINDEXED, thread_id UNINDEXED, title, body)`
  whose rowid is the post id, ranked with bm25(), snippets from snippet()/highlight().
- PostgreSQL: a table `post_fts(post_id, thread_id, title, body, document)` where `document`
  is a generated, weighted tsvector (title A, body B) with a GIN index; queries use
  websearch_to_tsquery(), ts_rank_cd() and ts_headline().

What is indexed: one row per *visible* post, holding the post's plain text (from its
sanitised HTML) and, for a thread's opening post only, the thread's title and tags.
Never an author's name: an anonymous post cannot be found through its author.

Who finds what is decided at query time, by joining the posts, threads and topics
(the index is only text): visible posts of visible threads in topics the searcher's
Guardian may read. Filters on the author (name, organisation kind) skip anonymous
posts, for moderators too: knowing who wrote one takes a logged reveal.

The index follows the same actions that write posts through one hook: a session
event notes every Post created, edited, moved, hidden, deleted or restored, and
every Thread whose title or tags changed, and rewrites those posts' rows in the same
transaction, after the flush (so a rollback undoes both).
"""
from __future__ import annotations

import html as html_lib
import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Iterable, Mapping

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import Integer, bindparam, column, delete, event, func, literal_column, or_, select, table
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import insert, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from .i18n import format_number
from .errors import Invalid
from .extensions import db
from .language import POST_LANGUAGES
from .models import Organisation, Post, Thread, Topic, User
from .models.organisation import ORG_KINDS
from .models.thread import THREAD_KINDS
from .permissions import Guardian

INDEX_TABLE = "post_fts"
# PostgreSQL's text search configuration and SQLite's tokenizer: both stem English
# ("fees" finds "fee"), and fold case and accents.
PG_CONFIG = "english"
SQLITE_TOKENIZE = "porter unicode61 remove_diacritics 2"
TITLE_WEIGHT = 4.0  # SQLite bm25 weight of the title column against the body's 1.0

MAX_QUERY_CHARS = 200
MAX_TERMS = 16
DEFAULT_LIMIT = 20
# A query that matches more posts than this is ranked over the latest CANDIDATES matches the
# searcher may read (newest first, as the index stores them), not over all of them: ranking
# every match of a common word costs seconds at a million posts. Fewer matches: all ranked.
CANDIDATES = 2_000
SNIPPET_WORDS = 30
# Markers put around matches by the engine, replaced by <mark> after escaping the text.
# Control characters: removed from everything indexed, so a post cannot forge them.
_OPEN, _CLOSE = "\x02", "\x03"
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Inline elements join the words around them ("<strong>fees</strong>." is "fees."); any other
# tag separates words.
_INLINE_TAG_RE = re.compile(r"</?(?:a|abbr|b|code|del|em|i|s|span|strong|sub|sup)\b[^>]*>", re.IGNORECASE)
_TAG_RE = re.compile(r"<[^>]*>")
_SPACE_RE = re.compile(r"\s+")
_WORD_RE = re.compile(r"[^\W_]+")  # letters and digits of any script

# Words too common to say what a question is about (both engines ignore them in similar_questions,
# and in search when the query has other words).
STOP_WORDS = frozenset("""
a about after again against all am an and any anyone are as at be been before being below between
both but by can could did do does doing done down during each else ever few for from further get
had has have having he her here hers him his how i if in into is it its itself just let me more
most my no nor not now of off on once one only or other our ours out over own please same she
should so some such than that the their theirs them then there these they this those through to
too under until up us very was we were what when where which while who whom why will with would
you your yours yourself yourselves
""".split())

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

_fts = table(INDEX_TABLE, column("rowid", Integer), column("post_id", Integer), column("thread_id", Integer),
             column("title"), column("body"), column("document"))


def is_index_table(name: str) -> bool:
    """Tables of the search index (and FTS5's shadow tables), which the models do not describe.

    migrations/env.py leaves them out of autogenerate, so `flask db migrate` never drops them.
    """
    return name == INDEX_TABLE or name.startswith(INDEX_TABLE + "_")


def _dialect(bind) -> str:
    return bind.dialect.name


# --- keeping the index up to date ---------------------------------------------------------
def plain_text(html: str) -> str:
    """The words of a post's sanitised HTML: block tags become spaces (inline ones join the words
    around them), entities characters, control characters spaces."""
    words = html_lib.unescape(_TAG_RE.sub(" ", _INLINE_TAG_RE.sub("", html or "")))
    return _SPACE_RE.sub(" ", _CONTROL_RE.sub(" ", words)).strip()


def _title_text(title: str, tags: str) -> str:
    extra = " ".join(tag.replace("-", " ") for tag in (tags or "").split(",") if tag)
    return _SPACE_RE.sub(" ", _CONTROL_RE.sub(" ", f"{title or ''} {extra}")).strip()


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
                       "title": _title_text(r.title, r.tags) if r.is_opening else "",
                       "body": plain_text(r.html)} for r in rows]
            if _dialect(connection) == "sqlite":
                for v in values:
                    v["rowid"] = v["post_id"]  # the rowid is the post id: deletes and joins by rowid are fast
            connection.execute(insert(_fts), values)


def _delete_rows(connection: Connection, post_ids: list[int]) -> None:
    key = _fts.c.rowid if _dialect(connection) == "sqlite" else _fts.c.post_id
    connection.execute(delete(_fts).where(key.in_(post_ids)))


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
    connection.execute(delete(_fts))
    ids = list(connection.execute(select(Post.id).where(Post.state == "visible")).scalars())
    _sync(connection, ids)
    return len(ids)


def clear_index() -> None:
    """Empty the index (tests empty the models' tables between tests; this is the index's part)."""
    db.session.execute(delete(_fts))


def indexed(post_id: int) -> dict | None:
    """The index row of a post ({"thread_id", "title", "body"}), or None: for tests and checks."""
    key = _fts.c.rowid if _dialect(db.session.connection()) == "sqlite" else _fts.c.post_id
    row = db.session.connection().execute(
        select(_fts.c.thread_id, _fts.c.title, _fts.c.body).where(key == post_id)).first()
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
    ddl = SQLITE_DDL if _dialect(connection) == "sqlite" else POSTGRESQL_DDL
    for statement in ddl:
        connection.execute(text(statement))


@event.listens_for(db.metadata, "before_drop")
def _drop_index_tables(_target, connection: Connection, **_kw) -> None:
    connection.execute(text(f"DROP TABLE IF EXISTS {INDEX_TABLE}"))


# --- reading the query and the filters ------------------------------------------------------
@dataclass(frozen=True)
class Filters:
    """What a search is narrowed to; every field optional."""

    topic: str | None = None          # a topic slug
    kind: str | None = None           # discussion / question / announcement / archive
    answered: bool | None = None      # questions with (True) or without (False) an accepted answer
    org_kind: str | None = None       # the author's organisation: member / supplier
    author: str | None = None         # the author's @handle or full name
    since: date | None = None         # written on or after this day (UTC)
    until: date | None = None         # written on or before this day (UTC)
    type: str | None = None           # thread (opening posts) / post (replies)
    lang: str | None = None           # the language the post is written in (a POST_LANGUAGES code)

    def as_args(self) -> dict[str, str]:
        """The filters as query-string arguments (for links to other pages of results)."""
        args = {"topic": self.topic, "kind": self.kind, "org_kind": self.org_kind,
                "author": self.author, "type": self.type, "lang": self.lang,
                "answered": None if self.answered is None else ("yes" if self.answered else "no"),
                "since": self.since.isoformat() if self.since else None,
                "until": self.until.isoformat() if self.until else None}
        return {k: v for k, v in args.items() if v}


RESULT_TYPES = ("thread", "post")


def parse_filters(args: Mapping[str, str]) -> Filters:
    """Filters from query-string arguments; an unusable value raises Invalid naming its field."""

    def value(name: str) -> str | None:
        raw = args.get(name)
        if raw is None:
            return None
        if not isinstance(raw, str) or len(raw) > 100:
            raise Invalid(_("The %(name)s filter is too long.", name=name), field=name)
        return raw.strip() or None

    def one_of(name: str, choices, label: str) -> str | None:
        raw = value(name)
        if raw is not None and raw not in choices:
            raise Invalid(_("%(label)s must be one of: %(choices)s.", label=label, choices=", ".join(choices)),
                          field=name)
        return raw

    def day(name: str) -> date | None:
        raw = value(name)
        if raw is None:
            return None
        try:
            return date.fromisoformat(raw)
        except ValueError:
            raise Invalid(_("“%(value)s” is not a date like 2025-03-31.", value=raw), field=name) from None

    answered_raw = value("answered")
    answered = None
    if answered_raw is not None:
        lowered = answered_raw.lower()
        if lowered in ("yes", "true", "1", "answered"):
            answered = True
        elif lowered in ("no", "false", "0", "unanswered"):
            answered = False
        else:
            raise Invalid(_("answered must be yes or no."), field="answered")
    author = value("author")
    filters = Filters(
        topic=value("topic"),
        kind=one_of("kind", THREAD_KINDS, _l("The kind")),
        answered=answered,
        org_kind=one_of("org_kind", ORG_KINDS, _l("The organisation kind")),
        author=author.lstrip("@") if author else None,
        since=day("since"),
        until=day("until"),
        type=one_of("type", RESULT_TYPES, _l("The type")),
        lang=one_of("lang", tuple(POST_LANGUAGES), _l("The language")),
    )
    if filters.since and filters.until and filters.since > filters.until:
        raise Invalid(_("The start date is after the end date."), field="since")
    return filters


def clean_query(q) -> str:
    """The search text, stripped; empty or oversized raises Invalid (field "q")."""
    if q is None or (isinstance(q, str) and not q.strip()):
        raise Invalid(_("Type something to search for."), field="q")
    if not isinstance(q, str):
        raise Invalid(_("The search must be text."), field="q")
    q = q.strip()
    if len(q) > MAX_QUERY_CHARS:
        raise Invalid(_("The search is too long: %(count)s characters, the limit is %(limit)s.",
                        count=format_number(len(q)), limit=format_number(MAX_QUERY_CHARS)), field="q")
    if not _WORD_RE.search(q):
        raise Invalid(_("Search for at least one word or number."), field="q")
    return _CONTROL_RE.sub(" ", q)


def _words(value: str) -> list[str]:
    return [w.lower() for w in _WORD_RE.findall(value)]


def _fts5_query(q: str) -> str | None:
    """websearch-like syntax ("a phrase", OR, -word) as an FTS5 expression built only from
    quoted words, so no user text is ever read as FTS5 syntax; None if nothing is left."""
    groups: list[list[str]] = [[]]  # OR-groups of positive terms, ANDed together
    negatives: list[str] = []
    join_next = False
    for match in re.finditer(r'(-?)"([^"]*)"?|(\S+)', q):
        negate, phrase, bare = match.group(1), match.group(2), match.group(3)
        if bare is not None:
            if bare == "OR" and groups[-1]:
                join_next = True
                continue
            negate = "-" if bare.startswith("-") and len(bare) > 1 else ""
            words = _words(bare)
        else:
            words = _words(phrase)
        if not words:
            continue
        term = '"' + " ".join(words) + '"'  # several words: an FTS5 phrase
        if negate:
            negatives.append(term)
        elif join_next and groups[-1]:
            groups[-1].append(term)
        else:
            if groups[-1]:
                groups.append([])
            groups[-1].append(term)
        join_next = False
    groups = [g for g in groups if g]
    # Lone stop words are dropped like PostgreSQL's websearch_to_tsquery does,
    # unless nothing else is left ("the who").
    significant = [g for g in groups if not (len(g) == 1 and g[0].strip('"') in STOP_WORDS)]
    groups = (significant or groups)[:MAX_TERMS]
    if not groups:
        return None
    expression = " AND ".join("(" + " OR ".join(g) + ")" for g in groups)
    if negatives:
        expression = f"({expression}) NOT ({' OR '.join(negatives[:MAX_TERMS])})"
    return expression


def significant_words(title: str) -> list[str]:
    """The words of a title that say what it is about: stop words out, each once, in order."""
    seen: list[str] = []
    for word in _words(title):
        if word not in STOP_WORDS and (len(word) > 1 or word.isdigit()) and word not in seen:
            seen.append(word)
    return seen[:MAX_TERMS]


# --- who may find what ------------------------------------------------------------------------
@dataclass
class _Scope:
    readable: list[int]


def _scope(guardian: Guardian) -> _Scope:
    """The topics the searcher may read: the Guardian decides, per topic."""
    guardian.ensure_use_site()
    topics = db.session.scalars(select(Topic)).all()
    return _Scope(readable=[t.id for t in topics if guardian.can_read_topic(t)])


def _identity_known(scope: _Scope):
    """Posts whose author anyone may filter by: those signed with a name. An anonymous post is
    never found through its author, by moderators neither (that takes a logged reveal)."""
    return Post.anonymous.is_(False)


def _conditions(scope: _Scope, filters: Filters) -> list:
    conditions = [
        Post.state == "visible",
        Thread.state == "visible",
        Thread.topic_id.in_(scope.readable),
    ]
    if filters.topic is not None:
        topic_id = db.session.scalar(select(Topic.id).where(Topic.slug == filters.topic))
        if topic_id is None or topic_id not in scope.readable:
            # The same answer for a missing topic and one the searcher may not read.
            raise Invalid(_("There is no topic “%(topic)s” open to you.", topic=filters.topic), field="topic")
        conditions.append(Thread.topic_id == topic_id)
    if filters.kind is not None:
        conditions.append(Thread.kind == filters.kind)
    if filters.answered is not None:
        conditions.append(Thread.kind == "question")
        conditions.append(Thread.accepted_post_id.is_not(None) if filters.answered
                          else Thread.accepted_post_id.is_(None))
    if filters.type == "thread":
        conditions.append(Post.is_opening.is_(True))
    elif filters.type == "post":
        conditions.append(Post.is_opening.is_(False))
    if filters.lang is not None:
        conditions.append(Post.language == filters.lang)
    if filters.since is not None:
        conditions.append(Post.created_at >= datetime.combine(filters.since, time.min, timezone.utc))
    if filters.until is not None:
        conditions.append(Post.created_at < datetime.combine(filters.until + timedelta(days=1), time.min,
                                                             timezone.utc))
    if filters.org_kind is not None or filters.author is not None:
        conditions.append(_identity_known(scope))
        author_ids = select(User.id)
        if filters.org_kind is not None:
            author_ids = author_ids.join(Organisation, Organisation.id == User.organisation_id).where(
                Organisation.kind == filters.org_kind)
        if filters.author is not None:
            wanted = filters.author.strip().lstrip("@").lower()
            author_ids = author_ids.where(or_(func.lower(User.handle) == wanted, func.lower(User.name) == wanted))
        conditions.append(Post.author_id.in_(author_ids))
    return conditions


# --- the engines ------------------------------------------------------------------------------
class _Engine:
    """What differs between SQLite FTS5 and PostgreSQL full-text search."""

    def __init__(self, dialect: str):
        self.sqlite = dialect == "sqlite"
        self.key = _fts.c.rowid if self.sqlite else _fts.c.post_id

    def match(self, expression):
        """(WHERE clause, score column) for a prepared query `expression`."""
        if self.sqlite:
            name = literal_column(INDEX_TABLE)
            return name.op("MATCH")(expression), -func.bm25(name, 0.0, 0.0, TITLE_WEIGHT, 1.0)
        return _fts.c.document.op("@@")(expression), func.ts_rank_cd(_fts.c.document, expression, 1)

    def search_query(self, q: str):
        if self.sqlite:
            expression = _fts5_query(q)
            return None if expression is None else bindparam("fts_query", expression)
        return func.websearch_to_tsquery(literal_column(f"'{PG_CONFIG}'"), bindparam("fts_query", q))

    def any_words(self, words: list[str], prefix_last: bool):
        """(query, WHERE clause, score) for documents with any of `words` (runs of letters/digits)."""
        terms = [f'"{w}"' for w in words] if self.sqlite else list(words)
        if prefix_last:
            terms[-1] += "*" if self.sqlite else ":*"
        if self.sqlite:
            expression = bindparam("fts_query", " OR ".join(terms))
            return (expression, *self.match(expression))  # bm25 already weighs rare words up
        # Words are only letters and digits, so they cannot carry tsquery syntax.
        config = literal_column(f"'{PG_CONFIG}'")
        expression = func.to_tsquery(config, bindparam("fts_query", " | ".join(terms)))
        where = _fts.c.document.op("@@")(expression)
        # ts_rank knows no word rarity: with OR-matching, a common word ("workers") would
        # outweigh the rare one that says what the question is about. Weigh each word by its
        # inverse document frequency, as bm25 does on SQLite.
        singles = [func.to_tsquery(config, bindparam(f"fts_word_{i}", t)) for i, t in enumerate(terms)]
        total = db.session.scalar(select(func.count()).select_from(_fts)) or 0
        counts = db.session.execute(
            select(*[func.count().filter(_fts.c.document.op("@@")(q)) for q in singles])
            .select_from(_fts).where(where)).one()
        score = None
        for query, found in zip(singles, counts):
            idf = math.log(1 + (total - found + 0.5) / (found + 0.5))
            part = func.ts_rank(_fts.c.document, query, 1) * idf
            score = part if score is None else score + part
        return expression, where, score

    def snippets(self, expression, post_ids: list[int]) -> dict[int, tuple[str, str]]:
        """{post_id: (body snippet, highlighted title)} with the engine's markers around matches."""
        if not post_ids:
            return {}
        if self.sqlite:
            name = literal_column(INDEX_TABLE)
            where, _score = self.match(expression)
            rows = db.session.execute(
                select(self.key, func.snippet(name, 3, _OPEN, _CLOSE, "…", SNIPPET_WORDS),
                       func.highlight(name, 2, _OPEN, _CLOSE))
                .select_from(_fts).where(where, self.key.in_(post_ids)))
        else:
            options = (f"StartSel={_OPEN}, StopSel={_CLOSE}, MaxWords={SNIPPET_WORDS}, MinWords=12, "
                       'MaxFragments=2, FragmentDelimiter=" … "')
            config = literal_column(f"'{PG_CONFIG}'")
            rows = db.session.execute(
                select(self.key, func.ts_headline(config, _fts.c.body, expression, options),
                       func.ts_headline(config, _fts.c.title, expression,
                                        f"StartSel={_OPEN}, StopSel={_CLOSE}, HighlightAll=true"))
                .select_from(_fts).where(self.key.in_(post_ids)))
        return {row[0]: (row[1] or "", row[2] or "") for row in rows}


def _engine() -> _Engine:
    return _Engine(_dialect(db.session.get_bind()))


def marked(value: str) -> Markup:
    """Escape text from the index and turn the engine's match markers into <mark> elements."""
    escaped = str(escape(value or "")).replace(_OPEN + _CLOSE, "")
    if escaped.count(_OPEN) != escaped.count(_CLOSE):  # never leave an element open
        escaped = escaped.replace(_OPEN, "").replace(_CLOSE, "")
    return Markup(escaped.replace(_OPEN, "<mark>").replace(_CLOSE, "</mark>"))


# --- searching --------------------------------------------------------------------------------
@dataclass
class Hit:
    """One search result: a thread (its opening post matched) or a reply."""

    type: str
    post: Post
    thread: Thread
    snippet: Markup
    title: Markup
    rank: float


@dataclass
class SearchPage:
    hits: list[Hit]
    next_offset: int | None
    total: int | None = None
    capped: bool = False  # more posts match than were ranked (total is then CANDIDATES)


def search(guardian: Guardian, q: str, filters: Filters | None = None, *, offset: int = 0,
           limit: int = DEFAULT_LIMIT, count: bool = False) -> SearchPage:
    """The threads and posts matching `q` that `guardian`'s user may read, most relevant first.

    `offset`/`limit` page through the results (next_offset is None on the last page);
    `count` also counts them all. Raises Invalid for an empty or oversized query or a bad filter.
    """
    q = clean_query(q)
    filters = filters or Filters()
    scope = _scope(guardian)
    engine = _engine()
    expression = engine.search_query(q)
    if expression is None or not scope.readable:
        return SearchPage([], None, 0 if count else None)
    where, score = engine.match(expression)
    matches = (select(Post.id.label("id"), score.label("score"))
               .select_from(_fts)
               .join(Post, Post.id == engine.key)
               .join(Thread, Thread.id == Post.thread_id)
               .where(where, *_conditions(scope, filters)))
    many = db.session.scalar(select(func.count()).select_from(
        select(engine.key).select_from(_fts).where(where).limit(CANDIDATES + 1).subquery())) > CANDIDATES
    if many:
        matches = matches.order_by(engine.key.desc()).limit(CANDIDATES)
    # At most CANDIDATES rows either way: ranked here, counted and paged in one query.
    found = sorted(db.session.execute(matches).all(), key=lambda r: (-float(r.score or 0.0), -r.id))
    start = max(offset, 0)
    rows = found[start:start + limit]
    more = len(found) > start + limit
    total = len(found) if count else None
    # Ranked among the latest CANDIDATES only: more posts may match than were ranked.
    capped = many and len(found) >= CANDIDATES
    ids = [r.id for r in rows]
    posts = {p.id: p for p in db.session.scalars(select(Post).where(Post.id.in_(ids)))} if ids else {}
    snippets = engine.snippets(expression, ids)
    hits = []
    for row in rows:
        post = posts[row.id]
        body, title = snippets.get(row.id, ("", ""))
        hits.append(Hit(
            type="thread" if post.is_opening else "post",
            post=post, thread=post.thread,
            snippet=marked(body),
            title=_title_marked(title, post.thread.title) if post.is_opening else escape(post.thread.title),
            rank=float(row.score or 0.0),
        ))
    return SearchPage(hits, offset + limit if more else None, total, capped=bool(count and capped))


def _title_marked(highlighted: str, title: str) -> Markup:
    """The thread title with its matches marked, from the highlighted title column (which also
    holds the tags after the title: they are cut off); the plain title if anything differs."""
    want = _title_text(title, "")
    out: list[str] = []
    seen, inside = 0, False
    for ch in highlighted:
        if ch in (_OPEN, _CLOSE):
            inside = ch == _OPEN
        elif seen >= len(want):
            break
        else:
            seen += 1
        out.append(ch)
    if inside:
        out.append(_CLOSE)
    cut = "".join(out)
    if cut.replace(_OPEN, "").replace(_CLOSE, "") != want:
        return escape(title)
    return marked(cut)


@dataclass
class SimilarQuestion:
    thread: Thread
    answered: bool
    rank: float


# A candidate counts as similar if it scores at least this share of the best match;
# among those, answered questions come first.
SIMILAR_RELATIVE_SCORE = 0.35


def similar_questions(guardian: Guardian, title: str, limit: int = 5) -> list[SimilarQuestion]:
    """Questions the searcher may read that look like `title`, answered ones first.

    Any significant word of the title may match (OR), so a differently worded question is
    still found; the most relevant are kept, then answered questions go before open ones.
    """
    words = significant_words(title or "")
    if not words:
        return []
    scope = _scope(guardian)
    if not scope.readable:
        return []
    engine = _engine()
    # The last word may still be being typed ("recruitment fe"): match it as a prefix.
    typing = bool(title) and not title[-1].isspace() and len(words[-1]) >= 3
    _expression, where, score = engine.any_words(words, prefix_last=typing)
    rows = db.session.execute(
        select(Thread.id, Thread.accepted_post_id, score.label("score"))
        .select_from(_fts)
        .join(Post, Post.id == engine.key)
        .join(Thread, Thread.id == Post.thread_id)
        .where(where, Post.is_opening.is_(True), Thread.kind == "question", *_conditions(scope, Filters()))
        .order_by(literal_column("score").desc(), Thread.id.desc())
        .limit(max(limit * 4, 20))
    ).all()
    if not rows:
        return []
    best = max(float(r.score or 0.0) for r in rows)
    close = [r for r in rows if best <= 0 or float(r.score or 0.0) >= best * SIMILAR_RELATIVE_SCORE]
    close.sort(key=lambda r: (r.accepted_post_id is None, -float(r.score or 0.0), -r.id))
    close = close[:limit]
    threads = {t.id: t for t in db.session.scalars(select(Thread).where(Thread.id.in_([r.id for r in close])))}
    return [SimilarQuestion(thread=threads[r.id], answered=r.accepted_post_id is not None,
                            rank=float(r.score or 0.0)) for r in close]


__all__ = [
    "Filters", "Hit", "SearchPage", "SimilarQuestion", "clean_query", "index_post", "is_index_table",
    "marked", "parse_filters", "rebuild_index", "remove_post", "search", "similar_questions",
]
