"""API routes for search: GET /search (threads and posts the caller may read, and on the first
page the resources of the topics' libraries that match) and GET /search/similar (questions like
a title being typed, answered first).

Thin: read the query string, call community.search, answer JSON built with community.payloads.
"""
from __future__ import annotations

from flask import current_app, request
from flask_babel import gettext as _
from sqlalchemy import select

from .. import search
from ..errors import Invalid
from ..extensions import db
from ..library import find_resources, resource_payload
from ..models import Topic
from ..payloads import post_payload, prefetch_reactions, thread_payload
from .common import bp, cursor_id, decode_cursor, encode_cursor, guardian, page_size

SIMILAR_MAX = 10
RESOURCES_MAX = 10  # resources listed beside the first page of results


def hit_payload(hit: search.Hit, g) -> dict:
    """One result: the thread, the post for replies, the snippet (escaped HTML with <mark>)."""
    return {
        "type": hit.type,
        "thread": thread_payload(hit.thread, g),
        "post": post_payload(hit.post, g) if hit.type == "post" else None,
        "snippet": str(hit.snippet),
        "title": str(hit.title),
        "rank": round(hit.rank, 6),
    }


@bp.get("/search")
def search_posts():
    """?q= (required) and optional filters topic, kind, answered, org_kind, author, since,
    until, type; paginated with limit / cursor."""
    g = guardian()
    q = search.clean_query(request.args.get("q"))
    filters = search.parse_filters(request.args)
    limit = page_size(search.DEFAULT_LIMIT)
    cursor = decode_cursor("search", 1)
    offset = cursor_id(cursor[0]) if cursor else 0
    page = search.search(g, q, filters, offset=offset, limit=limit)
    prefetch_reactions(g, [hit.post for hit in page.hits if hit.type == "post"])
    return {
        "results": [hit_payload(hit, g) for hit in page.hits],
        "resources": [resource_payload(r, g) for r in _resources(g, q, filters)] if not offset else [],
        "next_cursor": encode_cursor("search", page.next_offset) if page.next_offset is not None else None,
    }


def _resources(g, q: str, filters: search.Filters) -> list:
    """The library resources matching `q` (community/library.py: every language version's
    title, summary and tags), narrowed by `topic` and `lang`; none when a filter only posts
    have (kind, answered, org_kind, author, since, until, type) is given."""
    if any(v is not None for v in (filters.kind, filters.answered, filters.org_kind, filters.author,
                                   filters.since, filters.until, filters.type)):
        return []
    topic = None
    if filters.topic:
        topic = db.session.scalar(select(Topic).where(Topic.slug == filters.topic))
        if topic is None:
            return []
    return find_resources(g, q, topic=topic, language=filters.lang, limit=RESOURCES_MAX)


@bp.get("/search/similar")
def similar_questions():
    """?title= (what is typed so far) -> {"results": [{"thread", "answered", "rank"}]}."""
    g = guardian()
    g.ensure_use_site()
    title = request.args.get("title", "")
    if len(title) > current_app.config["TITLE_MAX_CHARS"] * 2:
        raise Invalid(_("The title is too long to look for similar questions."), field="title")
    raw = request.args.get("limit", "")
    if raw and not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= SIMILAR_MAX):
        raise Invalid(_("limit must be a whole number from 1 to %(max)s.", max=SIMILAR_MAX), field="limit")
    found = search.similar_questions(g, title, limit=int(raw) if raw else 5)
    return {"results": [{"thread": thread_payload(s.thread, g), "answered": s.answered,
                         "rank": round(s.rank, 6)} for s in found]}
