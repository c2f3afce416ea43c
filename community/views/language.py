"""The language picker: remembers the choice in a cookie and, when signed in, on the user."""
from __future__ import annotations

from flask import Blueprint, redirect, request
from flask_login import current_user

from ..actions.accounts import set_locale
from ..i18n import COOKIE, LANGUAGES
from .accounts import safe_next

bp = Blueprint("language", __name__)


@bp.post("/language")
def choose():
    lang = request.form.get("lang", "")
    response = redirect(safe_next(request.form.get("next")) or "/")
    if lang not in LANGUAGES:
        return response
    response.set_cookie(COOKIE, lang, max_age=365 * 86400, samesite="Lax", httponly=True,
                        secure=request.is_secure)
    if current_user.is_authenticated and current_user.locale != lang:

        set_locale(current_user._get_current_object(), lang)
    return response
