"""The Guardian: the one place that answers "may this user do X to this object?", and
"which of these may this user see?".

Every rule is a `why_not_<x>(...)` method returning None (allowed) or the reason it is
refused; `can_<x>(...)` returns a bool and `ensure_<x>(...)` raises Forbidden/NotFound/Locked
with that reason, each written out. Beside the rules that decide what someone may see
stand their query scopes (`readable_topics`, `readable_threads`, `visible_posts`,
`visible_questions`), used by pages, the API, search and digests. Pages, the API, socket
handlers and templates all ask the same Guardian with explicit objects.

  base.py      who the user is, how refusals are raised, using the site, admin, moderating
  content.py   topics, threads, posts (+ scopes), "privileged"
  identity.py  who may know or reveal an anonymous author
  live.py      live sessions, questions (+ scope), who can be silenced
  people.py    whose profile one may open, what a profile may show (+ scope)
  saved.py     reactions and bookmarks
  readers.py   the rules turned around: who may read a topic or thread (conditions on User)
  second_look.py  appeals, renaming a thread, following a merged thread; other moderators of a topic
"""
from __future__ import annotations

from .base import NOT_FOUND, NOT_FOUND_MESSAGES, not_found_message
from .content import OWN_POST_STATES, ContentRules
from .identity import IdentityRules, reacts_unnamed
from .live import LISTED_QUESTION_STATES, PUBLIC_QUESTION_STATES, LiveRules, silence_protected_ids
from .people import PeopleRules
from .readers import readers_of_thread, readers_of_topic
from .saved import SavedRules
from .second_look import SecondLookRules, other_moderators


class Guardian(PeopleRules, SecondLookRules, LiveRules, IdentityRules, SavedRules, ContentRules):
    """The rules of one user (None, or a pending/suspended user: every rule refuses, saying why)."""


__all__ = [
    "LISTED_QUESTION_STATES", "NOT_FOUND", "NOT_FOUND_MESSAGES", "OWN_POST_STATES", "PUBLIC_QUESTION_STATES",
    "Guardian",
    "not_found_message", "other_moderators", "reacts_unnamed", "readers_of_thread", "readers_of_topic",
    "silence_protected_ids",
]
