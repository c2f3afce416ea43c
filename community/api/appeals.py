"""API routes for appeals: the author of a hidden or rejected post files one
(POST /posts/<id>/appeals), the topic's moderators list and decide them
(GET /appeals, POST /appeals/<id>), and either side reads one (GET /appeals/<id>)."""
from __future__ import annotations

from flask import request
from flask_babel import gettext as _

from ..actions import appeals
from ..errors import Invalid
from ..payloads import appeal_payload, post_payload
from .common import bp, caller, guardian, json_body, load_post, optional_text, page_size

APPEAL_LIST_STATES = ("open", "upheld", "overturned", "withdrawn", "closed", "all")


@bp.post("/posts/<int:post_id>/appeals")
def file_appeal(post_id: int):
    """Appeal the decision that hid or rejected the caller's post, with a `note` (201)."""
    target = load_post(post_id)
    data = json_body()
    made = appeals.file_appeal(caller(), target, data.get("note"))
    return {"appeal": appeal_payload(made, guardian())}, 201


@bp.get("/appeals")
def list_appeals():
    """The appeals the caller decides (topics they moderate; `?state=open` by default, or
    upheld, overturned, withdrawn, closed, all) and, with `?mine=1`, the caller's own. Newest
    first, `?limit=` / `?cursor=` (an appeal id)."""
    limit = page_size(50)
    state = request.args.get("state") or "open"
    if state not in APPEAL_LIST_STATES:
        raise Invalid(f"state must be one of: {', '.join(APPEAL_LIST_STATES)}.", field="state")
    cursor = request.args.get("cursor", "")
    if cursor and not (cursor.isascii() and cursor.isdigit() and len(cursor) < 12):
        raise Invalid(_("That cursor is not valid: use the next_cursor of a previous page."), field="cursor")
    before = int(cursor) if cursor else None
    if request.args.get("mine") in ("1", "true"):
        rows = appeals.appeals_of(caller(), limit=limit + 1, before=before)
    else:
        rows = appeals.appeals_to_decide(caller(), state=None if state == "all" else state, limit=limit + 1,
                                         before=before)
    page, more = rows[:limit], len(rows) > limit
    g = guardian()
    return {"appeals": [appeal_payload(a, g) for a in page],
            "next_cursor": str(page[-1].id) if more and page else None}


@bp.get("/appeals/<int:appeal_id>")
def read_appeal(appeal_id: int):
    found = appeals.get_appeal(appeal_id)
    guardian().ensure_see_appeal(found)
    g = guardian()
    return {"appeal": appeal_payload(found, g), "post": post_payload(found.post, g)}


@bp.post("/appeals/<int:appeal_id>")
def decide_appeal(appeal_id: int):
    """`decision`: uphold (the post stays hidden) or overturn (it becomes visible), and a `reason`
    sent to the author."""
    found = appeals.get_appeal(appeal_id)
    guardian().ensure_see_appeal(found)
    data = json_body()
    decided = appeals.decide_appeal(caller(), found, data.get("decision"), optional_text(data, "reason"))
    g = guardian()
    return {"appeal": appeal_payload(decided, g), "post": post_payload(decided.post, g)}
