"""API routes for single posts: read, edit, soft delete, flag, and moderate."""
from __future__ import annotations

from ..actions.moderation import moderate_post, reveal_author
from ..actions.posts import delete_post, edit_post, flag_post
from ..models.base import iso
from ..payloads import post_payload, user_payload
from .common import bp, caller, guardian, json_body, load_post, optional_text


def _flag_payload(flag) -> dict:
    # The flagger's own report: never says anything about the post's author.
    return {"id": flag.id, "post_id": flag.post_id, "upload_id": flag.upload_id, "reason": flag.reason,
            "note": flag.note,
            "status": flag.status, "created_at": iso(flag.created_at)}


@bp.get("/posts/<int:post_id>")
def read_post(post_id: int):
    return {"post": post_payload(load_post(post_id), guardian())}


@bp.patch("/posts/<int:post_id>")
def update_post(post_id: int):
    target = load_post(post_id)
    data = json_body()
    edited = edit_post(caller(), target, data.get("body"), optional_text(data, "reason"))
    return {"post": post_payload(edited, guardian())}


@bp.delete("/posts/<int:post_id>")
def remove_post(post_id: int):
    """Soft delete; an optional JSON body may give a `reason`."""
    target = load_post(post_id)
    data = json_body(required=False)
    deleted = delete_post(caller(), target, optional_text(data, "reason"))
    return {"post": post_payload(deleted, guardian())}


@bp.post("/posts/<int:post_id>/flags")
def add_flag(post_id: int):
    target = load_post(post_id)
    data = json_body()
    made = flag_post(caller(), target, data.get("reason"), optional_text(data, "note"),
                     upload_id=data.get("upload_id"))
    return {"flag": _flag_payload(made)}, 201


@bp.post("/posts/<int:post_id>/moderation")
def moderate_post_route(post_id: int):
    target = load_post(post_id)
    data = json_body()
    handled = moderate_post(caller(), target, data.get("action"), optional_text(data, "reason"))
    return {"post": post_payload(handled, guardian())}


@bp.post("/posts/<int:post_id>/reveal")
def reveal_post_author(post_id: int):
    """Who wrote an anonymous post, for the topic's moderators and administrators, with a
    `reason` (logged in the audit log); "does not exist" (404) for everyone else."""
    target = load_post(post_id)
    data = json_body(required=False)
    author = reveal_author(caller(), target, data.get("reason"))
    return {"post_id": target.id, "anonymous": target.anonymous, "author": user_payload(author)}
