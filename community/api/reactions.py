"""API routes for reactions to a post: add one, take it back, and who reacted."""
from __future__ import annotations

from ..actions.reactions import react, reactors, unreact
from ..payloads import my_reactions
from .common import bp, caller, json_body, load_post


def _state(post) -> dict:
    # Read again here, not from the request's memo: the action has just changed them.
    return {"post_id": post.id, "reactions": post.reaction_counts,
            "my_reactions": my_reactions(caller(), [post.id])[post.id]}


@bp.post("/posts/<int:post_id>/reactions")
def add_reaction(post_id: int):
    """`{"kind": "helpful"|"thanks"|"agree"}`: 201 when added, 200 when it was already there."""
    post = load_post(post_id)
    data = json_body()
    added = react(caller(), post, data.get("kind"))
    return _state(post), 201 if added else 200


@bp.delete("/posts/<int:post_id>/reactions/<kind>")
def remove_reaction(post_id: int, kind: str):
    """Take one's reaction back (200 whether or not it was there)."""
    post = load_post(post_id)
    unreact(caller(), post, kind)
    return _state(post)


@bp.get("/posts/<int:post_id>/reactions")
def list_reactions(post_id: int):
    """Per kind: the count, the people (newest first, up to 20), how many others, and `you`."""
    post = load_post(post_id)
    return {"post_id": post.id, "reactions": reactors(caller(), post)}
