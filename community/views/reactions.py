"""Reactions without JavaScript: the form that adds or takes back a reaction, and the page
that says who reacted (what the post's buttons show on hover and focus).

Both call the same actions as the API (community/actions/reactions.py).
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from ..actions.posts import get_post
from ..actions.reactions import react, reactors, unreact
from ..auth import protect
from ..authors import public_name
from ..errors import DomainError
from .accounts import safe_next
from .helpers import actor, form_bool, guardian
from .rendering import REACTION_LABELS

bp = Blueprint("reactions", __name__)
protect(bp)





def _seen_post(post_id: int):
    post = get_post(post_id)
    guardian().ensure_see_post(post)
    return post


@bp.post("/posts/<int:post_id>/reactions")
def toggle(post_id: int) -> ResponseReturnValue:
    """`kind`, and `on` (true: add it, false: take it back); back to `next` or the post."""
    post = _seen_post(post_id)
    back = safe_next(request.form.get("next")) or url_for("posts.permalink", post_id=post.id)
    try:
        if form_bool("on"):
            react(actor(), post, request.form.get("kind"))
        else:
            unreact(actor(), post, request.form.get("kind"))
    except DomainError as err:
        flash(err.message, "danger")
    return redirect(back)


@bp.get("/posts/<int:post_id>/reactions")
def who(post_id: int) -> ResponseReturnValue:
    post = _seen_post(post_id)
    return render_template("reactions/who.html", post=post, thread=post.thread, author=public_name(post),
                           reactions=reactors(actor(), post), labels=REACTION_LABELS)
