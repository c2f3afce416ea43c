"""HTML blueprints, thin: parse the form, call an action, redirect or render."""
from __future__ import annotations

from flask import Flask

from . import (
    accounts,
    admin,
    appeals,
    bookmarks,
    language,
    live,
    main,
    moderation,
    notifications,
    people,
    posts,
    profile,
    reactions,
    reading,
    rendering,
    revalidation,
    search,
    settings,
)


def register_views(app: Flask) -> None:
    rendering.init_app(app)
    revalidation.init_app(app)
    for module in (main, posts, accounts, admin, moderation, notifications, live, search, settings, profile, language,
                   appeals, bookmarks, people, reactions, reading):
        app.register_blueprint(module.bp)
