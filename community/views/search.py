"""The search page: GET /search with the query, filters and page in the query string.

Works without JavaScript (a plain GET form, page links). Thin: read the arguments,
call community.search, render templates/search.html; a refused query or filter is
shown on the page with the user's input kept (status 400).
"""
from __future__ import annotations

import math

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .. import search
from ..auth import protect
from ..errors import DomainError
from ..extensions import db
from ..language import POST_LANGUAGES
from ..library import find_resources
from .helpers import guardian
from .main import pages_of, post_url

bp = Blueprint("search", __name__)
protect(bp)

PER_PAGE = 20
RESOURCES_SHOWN = 10
MAX_PAGE = 500  # deeper than anyone reads; keeps offsets sane
KIND_LABELS = {"discussion": _l("Discussions"), "question": _l("Questions"), "announcement": _l("Announcements"),
               "archive": _l("Live session archives")}
ORG_KIND_LABELS = {"member": _l("Member brands"), "supplier": _l("Suppliers")}




@bp.get("/search")
def index() -> ResponseReturnValue:
    g = guardian()
    q = (request.args.get("q") or "")[:search.MAX_QUERY_CHARS * 2]  # kept in the form, even if refused
    form = {name: (request.args.get(name) or "")[:100] for name in
            ("topic", "kind", "answered", "org_kind", "author", "since", "until", "type", "lang")}
    raw_page = request.args.get("page", "")
    well_formed = raw_page.isascii() and raw_page.isdigit() and 0 < len(raw_page) < 6
    page = min(int(raw_page), MAX_PAGE) if well_formed and int(raw_page) > 0 else 1
    result, error, status, filters, hint = None, None, 200, None, None
    if q.strip():
        try:
            filters = search.parse_filters(request.args)
            result = search.search(g, q, filters, offset=(page - 1) * PER_PAGE, limit=PER_PAGE, count=True)
            if not result.hits and result.total and page > 1:  # past the end: show the last page
                page = math.ceil(result.total / PER_PAGE)
                result = search.search(g, q, filters, offset=(page - 1) * PER_PAGE, limit=PER_PAGE, count=True)
        except DomainError as err:
            error, status = err, err.status
    elif any(form.values()):
        hint = _("Type something to search for; the filters then narrow it down.")
    # The resources library is searched too (its own matching: community/library.py), first page only.
    resources = find_resources(g, q, language=form["lang"] if form["lang"] in POST_LANGUAGES else None,
                               limit=RESOURCES_SHOWN) if q.strip() and page == 1 and not error else []
    pages = max(1, math.ceil((result.total or 0) / PER_PAGE)) if result else 1
    # The hits' pages in their threads: one query, not one a reply
    hit_pages = pages_of([hit.post for hit in result.hits], g) if result else {}
    links = {"q": q.strip(), **(filters.as_args() if filters else {})}
    return render_template(
        "search.html", q=q, form=form, result=result, error=error, hint=hint, page=min(page, pages), pages=pages,
        link_args=links, topics=db.session.scalars(g.readable_topics()).all(), kinds=KIND_LABELS,
        org_kinds=ORG_KIND_LABELS, languages=POST_LANGUAGES,
        post_link=lambda post: post_url(post, g, hit_pages.get(post.id)), max_chars=search.MAX_QUERY_CHARS,
        resources=resources,
    ), status

