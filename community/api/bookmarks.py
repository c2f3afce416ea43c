"""API routes for the caller's bookmarks: save a post or a thread, list, read, change, remove."""
from __future__ import annotations

from flask_babel import gettext as _

from ..actions import validate
from ..actions.bookmarks import get_bookmark, list_bookmarks, remove_bookmark, save_bookmark, update_bookmark, visible
from ..errors import Invalid, NotFound
from ..payloads import bookmark_payload, prefetch_reactions
from .common import (
    bp,
    caller,
    cursor_id,
    decode_cursor,
    encode_cursor,
    guardian,
    json_body,
    load_post,
    load_thread,
    optional_text,
    page_size,
)

BOOKMARKS_PER_PAGE = 30


@bp.post("/bookmarks")
def create_bookmark():
    """`post_id` or `thread_id`, optional `note` and `remind_at`: 201 when saved, 200 when it
    was saved already (its note and reminder are then the ones sent)."""
    data = json_body()
    post_id = validate.optional_id(data.get("post_id"), "post_id")
    thread_id = validate.optional_id(data.get("thread_id"), "thread_id")
    if (post_id is None) == (thread_id is None):
        raise Invalid(_("Say what to save: a post (post_id) or a thread (thread_id)."), field="post_id")
    post = load_post(post_id) if post_id is not None else None
    thread = load_thread(thread_id) if thread_id is not None else None
    bookmark, created = save_bookmark(caller(), post=post, thread=thread, note=optional_text(data, "note"),
                                      remind_at=data.get("remind_at"))
    return {"bookmark": bookmark_payload(bookmark, guardian())}, 201 if created else 200


@bp.get("/bookmarks")
def bookmarks():
    """The caller's bookmarks, newest first: `?limit=` / `?cursor=`."""
    limit = page_size(BOOKMARKS_PER_PAGE)
    after = decode_cursor("bookmarks", 1)
    rows, following = list_bookmarks(caller(), before_id=cursor_id(after[0]) if after else None, limit=limit)
    g = guardian()
    prefetch_reactions(g, [b.post for b in rows if b.post is not None])
    return {"bookmarks": [bookmark_payload(b, g) for b in rows],
            "next_cursor": encode_cursor("bookmarks", following) if following is not None else None}


@bp.get("/bookmarks/<int:bookmark_id>")
def read_bookmark(bookmark_id: int):
    return {"bookmark": bookmark_payload(_load(bookmark_id), guardian())}


@bp.patch("/bookmarks/<int:bookmark_id>")
def change_bookmark(bookmark_id: int):
    """`note` and/or `remind_at` (null clears the reminder); what is left out stays."""
    bookmark = _load(bookmark_id)
    data = json_body()
    changes = {name: data[name] for name in ("note", "remind_at") if name in data}
    if not changes:
        raise Invalid(_("Send the note or remind_at to change."), field="note")
    if "note" in changes and changes["note"] is None:
        changes["note"] = ""
    return {"bookmark": bookmark_payload(update_bookmark(caller(), bookmark, **changes), guardian())}


@bp.delete("/bookmarks/<int:bookmark_id>")
def delete_bookmark(bookmark_id: int):
    """Also a bookmark that leads where the caller may no longer look (nothing of it is shown)."""
    bookmark = get_bookmark(caller(), bookmark_id)
    remove_bookmark(caller(), bookmark)
    return {"deleted": bookmark_id}


def _load(bookmark_id: int):
    """The caller's bookmark, if it still leads somewhere they may see; else "not found"."""
    bookmark = get_bookmark(caller(), bookmark_id)
    if not visible(guardian(), bookmark):
        raise NotFound(_("That bookmark does not exist."))
    return bookmark
