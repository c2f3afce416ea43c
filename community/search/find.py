"""Finding: the threads and posts a searcher may read that match, ranked, with snippets; and
questions like a title being typed.

Who finds what is decided at query time by the Guardian's scope (visible_posts, joined to
the threads), over what search covers: published posts (visible, in visible threads) only,
for moderators too. Filters on the author (name, organisation kind) skip anonymous posts,
for moderators too: knowing who wrote one takes a logged reveal.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from flask_babel import gettext as _
from markupsafe import Markup, escape
from sqlalchemy import and_, func, literal_column, or_, select
from sqlalchemy.orm import selectinload

from ..errors import Invalid
from ..extensions import db
from ..models import Organisation, Post, Thread, Topic, User
from ..permissions import Guardian
from . import scripts
from .engines import engine, marked, title_marked
from .index import fts
from .query import Filters, clean_query, significant_words

DEFAULT_LIMIT = 20
# A query that matches more posts than this is ranked over the latest CANDIDATES matches the
# searcher may read (newest first, as the index stores them), not over all of them: ranking
# every match of a common word costs seconds at a million posts. Fewer matches: all ranked.
CANDIDATES = 2_000


# --- who may find what ------------------------------------------------------------------------
def _identity_known():
    """Posts whose author anyone may filter by: those signed with a name. An anonymous post is
    never found through its author, by moderators neither (that takes a logged reveal)."""
    return Post.anonymous.is_(False)


def _findable(guardian: Guardian, query, filters: Filters):
    """`query` (joining the index, Post and Thread) narrowed to what `guardian`'s user may find
    with `filters`."""
    conditions = [Post.state == "visible", Thread.state == "visible"]  # what search covers
    if filters.topic is not None:
        topic = db.session.scalar(select(Topic).where(Topic.slug == filters.topic))
        if topic is None or not guardian.can_read_topic(topic):
            # The same answer for a missing topic and one the searcher may not read.
            raise Invalid(_("There is no topic “%(topic)s” open to you.", topic=filters.topic), field="topic")
        conditions.append(Thread.topic_id == topic.id)
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
        conditions.append(Post.created_at >= datetime.combine(filters.since, time.min, UTC))
    if filters.until is not None:
        conditions.append(Post.created_at < datetime.combine(filters.until + timedelta(days=1), time.min,
                                                             UTC))
    if filters.org_kind is not None or filters.author is not None:
        conditions.append(_identity_known())
        author_ids = select(User.id)
        if filters.org_kind is not None:
            author_ids = author_ids.join(Organisation, Organisation.id == User.organisation_id).where(
                Organisation.kind == filters.org_kind)
        if filters.author is not None:
            wanted = filters.author.strip().lstrip("@").lower()
            author_ids = author_ids.where(or_(func.lower(User.handle) == wanted, func.lower(User.name) == wanted))
        conditions.append(Post.author_id.in_(author_ids))
    return guardian.visible_posts(query.where(*conditions), thread_joined=True)


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
    guardian.ensure_use_site()
    found_by = engine()
    # Runs of writing without spaces are matched as substrings; the rest as words.
    words, terms = scripts.split_query(q)
    expression = found_by.search_query(words, filters.lang)
    if expression is None and not terms:
        return SearchPage([], None, 0 if count else None)
    source, key, where, score = _matching(found_by, expression, terms)

    def findable(where, score):
        """The newest CANDIDATES + 1 matches `guardian` may find (one more says there are more)."""
        return (_findable(guardian, select(Post.id.label("id"), score.label("score"))
                          .select_from(source)
                          .join(Post, Post.id == key)
                          .join(Thread, Thread.id == Post.thread_id)
                          .where(where), filters)
                .order_by(key.desc()).limit(CANDIDATES + 1))

    rows = None
    if expression is None and not found_by.sqlite and db.session.scalar(select(func.count()).select_from(
            select(key).select_from(source).where(where).limit(CANDIDATES + 1).subquery())) > CANDIDATES:
        rows = _newest_unspaced(findable, terms)  # a common unspaced word: read newest first
    if rows is None:
        rows = db.session.execute(findable(where, score)).all()
    # Ranked among the newest CANDIDATES only: more posts may match than were ranked.
    capped = len(rows) > CANDIDATES
    # At most CANDIDATES rows: ranked here, counted and paged in one query.
    found = sorted(rows[:CANDIDATES], key=lambda r: (-float(r.score or 0.0), -r.id))
    start = max(offset, 0)
    rows = found[start:start + limit]
    more = len(found) > start + limit
    total = len(found) if count else None
    ids = [r.id for r in rows]
    # Their files too, in one query (the API lists them with each post; one query a post else)
    posts = {p.id: p for p in db.session.scalars(select(Post).where(Post.id.in_(ids))
                                                 .options(selectinload(Post.attachments)))} if ids else {}
    snippets = found_by.snippets(expression, ids) if expression is not None else {}
    texts = _texts(found_by, ids) if terms else {}
    hits = []
    for row in rows:
        post = posts[row.id]
        body, title = snippets.get(row.id, ("", ""))
        if terms:  # the engine's snippet cannot mark substrings: one made around them
            body = scripts.snippet(texts.get(row.id, ""), terms)
        hits.append(Hit(
            type="thread" if post.is_opening else "post",
            post=post, thread=post.thread,
            snippet=marked(body),
            title=_title(post, title, terms),
            rank=float(row.score or 0.0),
        ))
    return SearchPage(hits, offset + limit if more else None, total, capped=bool(count and capped))


# Unspaced posts read newest first for a common unspaced word (PostgreSQL): at most this many
# times CANDIDATES of them, so a word found in fewer than one in DENSE_WINDOW of them is not
# walked for (it is fetched through the GIN indexes instead).
DENSE_WINDOW = 8


def _newest_unspaced(findable, terms: list[str]):
    """The newest CANDIDATES + 1 findable matches of unspaced `terms`, when the newest unspaced
    posts hold them (scripts.conditions, dense); None when that window holds fewer (rarer
    matches, or filters that leave few)."""
    where, score = scripts.conditions(False, fts, terms, dense=True)
    bound = (select(fts.c.post_id).where(literal_column(f"{fts.name}.unspaced"))
             .order_by(fts.c.post_id.desc()).offset(CANDIDATES * DENSE_WINDOW).limit(1).scalar_subquery())
    rows = db.session.execute(findable(and_(where, fts.c.post_id >= func.coalesce(bound, 0)), score)).all()
    return rows if len(rows) > CANDIDATES else None


def _matching(found_by, expression, terms: list[str]):
    """(table read, its post id column, WHERE clause, score) for a query's words (`expression`)
    and unspaced terms."""
    if expression is None and found_by.sqlite:
        driver = scripts.sqlite_driver(terms, Post, Thread)
        if driver is not None:
            return driver
    where, score = found_by.match(expression) if expression is not None else (None, None)
    substrings, substring_score = scripts.conditions(found_by.sqlite, fts, terms)
    if where is None:
        where, score = substrings, substring_score
    elif substrings is not None:
        where, score = and_(where, substrings), score + substring_score
    return fts, found_by.key, where, score


def _texts(found_by, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = db.session.execute(select(found_by.key, fts.c.body).select_from(fts).where(found_by.key.in_(ids)))
    return dict(rows.all())


def _title(post: Post, highlighted: str, terms: list[str]) -> Markup:
    if not post.is_opening:
        return escape(post.thread.title)
    if terms:
        return scripts.mark_title(post.thread.title, terms)
    return title_marked(highlighted, post.thread.title)


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
    guardian.ensure_use_site()
    found_by = engine()
    # The last word may still be being typed ("recruitment fe"): match it as a prefix.
    typing = bool(title) and not title[-1].isspace() and len(words[-1]) >= 3
    _expression, where, score = found_by.any_words(words, prefix_last=typing)
    rows = db.session.execute(_findable(
        guardian,
        select(Thread.id, Thread.accepted_post_id, score.label("score"))
        .select_from(fts)
        .join(Post, Post.id == found_by.key)
        .join(Thread, Thread.id == Post.thread_id)
        .where(where, Post.is_opening.is_(True), Thread.kind == "question"), Filters())
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


