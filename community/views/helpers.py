"""Small helpers shared by the HTML views."""
from __future__ import annotations

from flask import g, request
from flask_login import current_user

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
