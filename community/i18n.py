"""Languages and time zones: which locale a request uses, and locale-aware formatting.

Shipped: English, Spanish, French, Arabic (right to left) and Simplified Chinese.
The locale comes from the language picker (a cookie, and the user's saved
choice), else the browser's Accept-Language; the time zone from the user's
profile. Catalogues live in community/translations/ as .po files; `make`
compiles them (.mo files are never committed).
"""
from __future__ import annotations

from flask import Flask, g, request
from flask_babel import Babel, get_locale
from flask_login import current_user

LANGUAGES = {
    "en": "English",
    "es": "Español",
    "fr": "Français",
    "ar": "العربية",
    "zh": "简体中文",
}
RTL = {"ar"}
COOKIE = "lang"

babel = Babel()


def select_locale() -> str:
    chosen = request.args.get("lang") or request.cookies.get(COOKIE)
    if chosen in LANGUAGES:
        return chosen
    user = current_user if current_user and current_user.is_authenticated else None
    if user is not None and user.locale in LANGUAGES and user.locale != "en":
        return user.locale
    return request.accept_languages.best_match(list(LANGUAGES)) or "en"


def select_timezone() -> str | None:
    if current_user and current_user.is_authenticated:
        return current_user.timezone or "UTC"
    return "UTC"


def init_app(app: Flask) -> None:
    import os

    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", os.path.join(os.path.dirname(__file__), "translations"))
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)

    @app.before_request
    def _language_direction():
        lang = str(get_locale() or "en")
        g.lang = lang.split("_")[0]
        g.dir = "rtl" if g.lang in RTL else "ltr"

    @app.context_processor
    def _languages():
        return {"LANGUAGES": LANGUAGES}
