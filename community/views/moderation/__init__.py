"""Moderation pages (blueprint "moderation"): the review queue, acting on posts, threads and
authors, watched words, the audit log.

  common.py  the blueprint and its guard, the topics one moderates, loading what one may
             moderate ("not there" otherwise), rendering with the shared labels
  review.py  the review queue, one post, one thread
  words.py   a topic's watched words (adding and removing, shared with the admin pages)
  log.py     the audit log

A moderator sees only the topics they moderate (administrators see all). Anonymous authors
stay anonymous to moderators too, unless one reveals a post's author (a logged act). Every
change goes through the actions, which check the Guardian again, write the audit record and
announce the change live (the queue page follows the moderators' rooms through
static/js/moderation.js and fetches new items as rendered cards from `queue_item`, the
same macro as the page).
"""
from __future__ import annotations

from . import log, review, words  # noqa: F401  (their routes)
from .common import bp, moderated_topics
from .words import add_word, remove_word, words_page

__all__ = ["add_word", "bp", "moderated_topics", "remove_word", "words_page"]
