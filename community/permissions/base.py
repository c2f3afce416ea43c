"""What every Guardian rule stands on: who the user is, how a refusal is raised, and the
rules about the site itself (using it, administering it, moderating a topic).

A rule is written out three times over, by hand, so that a reader (or a tool) can follow
every call: `why_not_<x>(...)` returns None (allowed) or the reason it is refused,
`can_<x>(...)` says whether it is allowed, `ensure_<x>(...)` raises Forbidden, NotFound
or Locked with the reason.
"""
from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, false, select

from ..errors import Forbidden, Locked, NotFound
from ..extensions import db
from ..models import Topic, TopicModerator

# Reasons are translated when a rule is asked (gettext in the asker's language).
NOT_FOUND = _l("That does not exist, or it is not open to you.")
# "Not yours to see" and "not there" are one answer, word for word, on pages, the API and
# sockets: a refusal names the kind of thing asked for, exactly as its look-up does when
# nothing has that id (the getters in actions use these same messages).
NOT_FOUND_MESSAGES = {
    "Topic": _l("That topic does not exist."),
    "Thread": _l("That thread does not exist."),
    "Post": _l("That post does not exist."),
    "LiveSession": _l("That live session does not exist."),
    "LiveQuestion": _l("That question is not in this session."),
    "User": _l("That person does not exist."),
}


def not_found_message(kind) -> str:
    """The "does not exist" message of an object or a model name ("Post", ...)."""
    name = kind if isinstance(kind, str) else type(kind).__name__
    return str(NOT_FOUND_MESSAGES.get(name, NOT_FOUND))


class Hidden(str):
    """A refusal because the object is out of the user's sight. Any rule that passes it on
    (reply, flag, edit...) must answer "not found" too: saying why would confirm it exists."""


class LockedReason(str):
    """A refusal because the thread is locked: ensure_* raises Locked (423), not Forbidden."""


def locked() -> LockedReason:
    return LockedReason(_("This thread is locked."))


class GuardianBase:
    def __init__(self, user: Any | None):
        # Keep pending/suspended users (Flask-Login calls them unauthenticated) so that
        # refusals can say why; every rule still requires an active user.
        real = user is not None and (getattr(user, "is_authenticated", False) or hasattr(user, "state"))
        self.user = user if real else None

    # --- who ---------------------------------------------------------------
    @property
    def active(self) -> bool:
        # The same people why_not_use_site admits: a removed organisation's staff keep no powers.
        return (self.user is not None and self.user.state == "active"
                and not (self.user.organisation is not None and self.user.organisation.removed))

    @property
    def is_admin(self) -> bool:
        return self.active and self.user.role == "admin"

    def is_moderator(self, topic) -> bool:
        return self.active and (self.user.role == "admin" or self.user.id in topic.moderator_ids)

    @property
    def moderates_any(self) -> bool:
        """Admins and anyone assigned to moderate at least one topic (for navigation)."""
        if not self.active:
            return False
        if self.user.role == "admin":
            return True
        if not hasattr(self, "_moderates_any"):
            self._moderates_any = db.session.scalar(self._moderated_topic_ids().limit(1)) is not None
        return self._moderates_any

    def _moderated_topic_ids(self) -> Select:
        """The ids of the topics this user is assigned to moderate (administrators moderate all)."""
        return select(TopicModerator.topic_id).where(TopicModerator.user_id == self.user.id)

    def moderated_topics(self, query: Select | None = None) -> Select:
        """`query` (a SELECT over Topic; by default all topics in their order) narrowed to the
        topics this user may moderate (why_not_moderate): every topic for administrators."""
        if query is None:
            query = select(Topic).order_by(Topic.position, Topic.name)
        if not self.active:
            return query.where(false())
        if self.user.role == "admin":
            return query
        return query.where(Topic.id.in_(self._moderated_topic_ids()))

    def _is_author(self, obj) -> bool:
        return self.active and obj.author_id == self.user.id

    def _ensure(self, reason: str | None, obj=None, *, hidden: bool = False) -> None:
        """Raise for a refusal: "not found" when the object is out of sight (`hidden` rules,
        or a reason marked Hidden), Locked for a locked thread, else Forbidden with the reason."""
        if reason is None:
            return
        if (hidden or isinstance(reason, Hidden)) and self.active:
            raise NotFound(not_found_message(obj) if obj is not None else str(NOT_FOUND))
        if isinstance(reason, LockedReason):
            raise Locked(_("This thread is locked: no new replies."))
        raise Forbidden(reason)

    # --- the site ----------------------------------------------------------------
    def why_not_use_site(self) -> str | None:
        if self.user is None:
            return _("Please sign in.")
        if self.user.state == "pending":
            return _("Your account is awaiting approval by an administrator.")
        if self.user.state == "suspended":
            return _("Your account is suspended.")
        if self.user.state != "active":  # "rejected", and any state added later
            return _("Your registration was not accepted.") if self.user.state == "rejected" \
                else _("Your account is not active.")
        if self.user.organisation is not None and self.user.organisation.removed:
            return _("Your organisation is no longer part of Roundtable.")
        return None

    def can_use_site(self) -> bool:
        return self.why_not_use_site() is None

    def ensure_use_site(self) -> None:
        self._ensure(self.why_not_use_site())

    def why_not_admin(self) -> str | None:
        return self.why_not_use_site() or (None if self.is_admin else _("Only administrators can do that."))

    def can_admin(self) -> bool:
        return self.why_not_admin() is None

    def ensure_admin(self) -> None:
        self._ensure(self.why_not_admin())

    def why_not_moderate(self, topic) -> str | None:
        if reason := self.why_not_use_site():
            return reason
        return None if self.is_moderator(topic) else _("Only this topic's moderators can do that.")

    def can_moderate(self, topic) -> bool:
        return self.why_not_moderate(topic) is None

    def ensure_moderate(self, topic) -> None:
        self._ensure(self.why_not_moderate(topic), topic)
