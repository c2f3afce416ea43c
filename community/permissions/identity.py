"""Who may know who wrote something anonymous, and who may reveal it.

An anonymous author is named to themself and, after a logged reveal ("reveal_author" in
the audit log), to the moderator who revealed that one post or question, for as long as
they moderate its topic. Nobody else, moderators and administrators included. Every place
that names an author asks `can_see_identity` (community/authors.py is the one that names).
`reacts_unnamed` decides whose reactions are counted but never listed.
"""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..models import ModerationAction, Post
from .base import GuardianBase, Hidden


class IdentityRules(GuardianBase):
    def why_not_see_identity(self, obj) -> str | None:
        """May this user see who wrote `obj` (a Post, Thread or LiveQuestion) when it is anonymous?"""
        kind = identity_kind(obj)
        if reason := self._why_not_see_target(obj, kind):
            return reason  # nobody learns who wrote what they cannot see
        if not obj.anonymous or self._is_author(obj):
            return None
        if self.is_moderator(topic_of(obj)) and self._revealed_target(obj, kind):
            return None
        return _("The author chose to stay anonymous.")

    def can_see_identity(self, obj) -> bool:
        return self.why_not_see_identity(obj) is None

    def ensure_see_identity(self, obj) -> None:
        self._ensure(self.why_not_see_identity(obj), obj)

    def why_not_reveal_identity(self, obj) -> str | None:
        """May this user reveal who wrote `obj` (a Post or LiveQuestion): the topic's moderators
        and administrators; for everyone else the object is "not there"."""
        if reason := self._why_not_see_target(obj, identity_kind(obj)):
            return reason
        if not self.is_moderator(topic_of(obj)):
            return Hidden(_("Only this topic's moderators can do that."))
        return None

    def can_reveal_identity(self, obj) -> bool:
        return self.why_not_reveal_identity(obj) is None

    def ensure_reveal_identity(self, obj) -> None:
        self._ensure(self.why_not_reveal_identity(obj), obj, hidden=True)

    def revealed(self, kind: str, target_id: int) -> bool:
        """Has this user revealed the author of that post or live question (kind "post" /
        "live_question")? Their reveals are read once per Guardian."""
        return (kind, target_id) in self._reveals()

    def _reveals(self) -> set:
        if not self.active:
            return set()
        if not hasattr(self, "_revealed"):
            self._revealed = set(db.session.execute(
                select(ModerationAction.target_type, ModerationAction.target_id)
                .where(ModerationAction.actor_id == self.user.id, ModerationAction.action == "reveal_author")).all())
        return self._revealed

    def _revealed_target(self, obj, kind: str) -> bool:
        if not self._reveals():
            return False  # the common case: no query at all
        if kind == "thread":  # a thread's author is its opening post's
            opening = db.session.scalar(select(Post.id).where(Post.thread_id == obj.id, Post.is_opening.is_(True)))
            return self.revealed("post", opening)
        return self.revealed(kind, obj.id)

    def _why_not_see_target(self, obj, kind: str) -> str | None:
        if kind == "live_question":
            return self.why_not_see_question(obj)
        return self.why_not_read_thread(obj) if kind == "thread" else self.why_not_see_post(obj)


def identity_kind(obj) -> str:
    """What an anonymous object is, as the audit log names targets: post, live_question (or thread)."""
    if hasattr(obj, "session_id"):
        return "live_question"
    return "thread" if hasattr(obj, "topic") else "post"


def topic_of(obj):
    if hasattr(obj, "session_id"):
        return obj.session.topic
    return obj.topic if hasattr(obj, "topic") else obj.thread.topic


def reacts_unnamed(user, thread) -> bool:
    """Is `user`'s reaction in `thread` counted but never named (decided when they react)?

    Yes when they wrote an anonymous post in the thread: "Alice found this helpful" beside an
    anonymous question would point at its author. Decided once, at the reaction, so that a
    later anonymous post cannot make a name vanish from a list (which would point at it too).
    """
    return db.session.scalar(
        select(Post.id).where(Post.thread_id == thread.id, Post.author_id == user.id,
                              Post.anonymous.is_(True)).limit(1)
    ) is not None
