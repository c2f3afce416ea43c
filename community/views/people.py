"""People pages: a person's profile, their generated avatar (SVG), and choosing one's own
avatar colour. The template globals `avatar(user)` and `profile_url(user)` let any page draw
an avatar and link a name (never for an anonymous label: the caller decides that)."""
from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from markupsafe import Markup

from .. import avatars
from ..actions import people
from ..auth import protect
from ..errors import DomainError
from .helpers import actor, guardian

bp = Blueprint("people", __name__)
protect(bp)  # signed in, with an account the Guardian admits


@bp.app_template_global("avatar")
def avatar(user, size: int = 32) -> Markup:
    """The user's generated avatar, decorative (it sits beside their name)."""
    return avatars.svg(user, size)


@bp.app_template_global("blank_avatar")
def blank_avatar(size: int = 32) -> Markup:
    """An avatar to be filled in by the page's script (a blank for what arrives live)."""
    return avatars.blank_svg(size)


@bp.app_template_global("profile_url")
def profile_url(user) -> str:
    return f"/users/{user.id}"


bp.add_app_template_global(people.excerpt, "excerpt")


@bp.app_template_global("avatar_palette")
def avatar_palette() -> list[tuple[str, str, str]]:
    """(key, colour, name) of every colour one may choose."""
    return [(key, value, str(name)) for key, (value, name) in avatars.PALETTE.items()]


def _before_arg() -> int | None:
    value = request.args.get("before", "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 12 else None


@bp.get("/users/<int:user_id>")
def profile(user_id: int) -> ResponseReturnValue:
    g = guardian()
    person = people.get_person(user_id)
    before = _before_arg()
    found = people.profile(g, person)
    posts = found.posts
    if before is not None:  # older posts, without JavaScript: ?before=<post id>
        posts = people.public_posts_of(g, person, before=before, limit=people.PROFILE_POSTS)
    older = posts[-1].id if len(posts) == people.PROFILE_POSTS else None
    return render_template("people/profile.html", found=found, person=person, posts=posts, before=before,
                           older=older, is_self=g.user.id == person.id)


@bp.get("/users/<int:user_id>/avatar.svg")
def avatar_svg(user_id: int) -> ResponseReturnValue:
    person = people.get_person(user_id)
    guardian().ensure_view_profile(person)
    response = Response(avatars.svg_document(person), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "private, max-age=3600"
    # An SVG opened on its own is a document: nothing in it may run or load.
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; sandbox"
    return response


@bp.post("/settings/avatar")
def choose_avatar_colour() -> ResponseReturnValue:
    try:
        people.set_avatar_colour(actor(), request.form.get("avatar_colour", ""))
    except DomainError as err:
        flash(err.message, "danger")
    else:
        flash(_("Your avatar colour is saved."), "success")
    return redirect(url_for("profile.profile") + "#avatar")
