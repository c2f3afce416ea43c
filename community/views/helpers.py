"""Small helpers shared by the HTML views."""
from __future__ import annotations

from flask import g, request
from flask_login import current_user
from markupsafe import Markup

from ..permissions import Guardian


def guardian() -> Guardian:
    if "guardian" not in g:
        g.guardian = Guardian(current_user._get_current_object() if current_user.is_authenticated else None)
    return g.guardian


def actor():
    """The signed-in user, for actions."""
    return current_user._get_current_object()


def form_bool(name: str) -> bool:
    return request.form.get(name) in ("on", "true", "1", "yes")


def bdi(value) -> Markup:
    """A user-written name or title isolated from the text around it (<bdi>, escaped): a
    right-to-left name, or one with reordering characters, cannot reorder the sentence it
    sits in. The template filter `bdi`; in Python, for flashed messages:
    flash(Markup(_("Welcome back, %(name)s.", name=bdi(user.name))))."""
    return Markup("<bdi>{}</bdi>").format(value)
