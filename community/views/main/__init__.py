"""The reading pages (blueprint "main"): views stay thin: they load objects, ask the
Guardian (and its query scopes for lists), call actions, render.

  home.py     the home page: what is new and waiting (lists, live sessions, topics)
  topics.py   a topic's threads, starting a thread
  threads.py  a thread's posts as a reply tree, and where a post is (its page, its URL)

Template helpers for posts (naming authors, dates, the cached post partial) are app-wide:
community/views/rendering.py, community/authors.py, community/dates.py.
"""
from __future__ import annotations

from . import home, threads, topics  # noqa: F401  (their routes)
from .blueprint import bp
from .threads import MAX_DEPTH, page_of, pages_of, post_url, render_thread

__all__ = ["MAX_DEPTH", "bp", "page_of", "pages_of", "post_url", "render_thread"]
