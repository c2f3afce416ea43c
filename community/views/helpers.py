"""Small helpers shared by the HTML views: the request's Guardian and actor, and reading
form fields and query-string arguments."""
from __future__ import annotations

from flask import request
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import Select

from ..auth import current_guardian
from ..extensions import db
from ..language import POST_LANGUAGES
from ..models import Post
from ..permissions import Guardian


def guardian() -> Guardian:
    """The Guardian of the signed-in user (community/auth.py builds it once per request)."""
    return current_guardian()


def actor():
    """The signed-in user, for actions."""
    return current_user._get_current_object()


def form_bool(name: str) -> bool:
    return request.form.get(name) in ("on", "true", "1", "yes")


def int_arg(name: str) -> int | None:
    """A whole-number query-string argument, or None when missing or not one."""
    value = request.args.get(name, "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 12 else None


def lang_arg() -> str | None:
    """?lang=<code>: show only posts written in that language (None: all languages)."""
    code = request.args.get("lang", "")
    return code if code in POST_LANGUAGES else None


def languages_present(query: Select) -> list[str]:
    """The post languages a SELECT of Post.language finds, in POST_LANGUAGES order."""
    found = set(db.session.scalars(query.where(Post.language.is_not(None)).distinct()))
    return [code for code in POST_LANGUAGES if code in found]


def bdi(value) -> Markup:
    """A user-written name or title isolated from the text around it (<bdi>, escaped): a
    right-to-left name, or one with reordering characters, cannot reorder the sentence it
    sits in. The template filter `bdi`; in Python, for flashed messages:
    flash(Markup(_("Welcome back, %(name)s.", name=bdi(user.name))))."""
    return Markup("<bdi>{}</bdi>").format(value)
