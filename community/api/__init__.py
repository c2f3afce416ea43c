"""The JSON API under /api/v1, thin: parse JSON, call the same actions, answer JSON.

common.py holds the blueprint and what every route shares (the caller, JSON bodies, cursors);
each other module registers its routes on it.
"""
from . import (  # noqa: F401  (register their routes)
    appeals,
    bookmarks,
    home,
    live,
    notifications,
    people,
    posts,
    preview,
    reactions,
    reading,
    routes,
    search,
    threads,
    tokens,
)
from .common import bp

__all__ = ["bp"]
