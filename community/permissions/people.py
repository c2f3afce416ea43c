"""Rules about people: whose profile one may open, and which of a person's posts a profile
may show (the scope `public_posts`).

A profile shows only what the viewer could find anyway, signed with the person's name:
visible posts of visible threads in topics the viewer may read, and never an anonymous
post, not even to its author or to a moderator who revealed it (a profile must never
make an anonymous author findable).
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import Select

from ..models import Post, Thread
from .base import Hidden
from .content import ContentRules


class PeopleRules(ContentRules):
    def why_not_view_profile(self, person) -> str | None:
        """Profiles are open to everyone signed in, for people who took part: active and
        suspended ones (their posts stay). A registration still pending or refused is "not there"."""
        if reason := self.why_not_use_site():
            return reason
        if person.state not in ("active", "suspended"):
            return Hidden(_("That person does not exist."))
        return None

    def can_view_profile(self, person) -> bool:
        return self.why_not_view_profile(person) is None

    def ensure_view_profile(self, person) -> None:
        self._ensure(self.why_not_view_profile(person), person, hidden=True)

    def public_posts(self, query: Select) -> Select:
        """`query` (a SELECT over Post joined to Thread on Post.thread_id) narrowed to what a
        profile may show this user: visible, named (never anonymous) posts of visible threads
        in topics they may read."""
        return query.where(Post.state == "visible", Post.anonymous.is_(False), Thread.state == "visible",
                           Thread.topic_id.in_(self.readable_topic_ids()))
