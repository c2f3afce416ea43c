"""Rules of a second look: appealing a moderator's decision and deciding the appeal, renaming a
thread, following a merged thread to where its posts are now; and who else may moderate a topic
(the query behind "another moderator decides")."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import or_, select

from ..errors import NotFound
from ..extensions import db
from ..models import Organisation, User
from .base import GuardianBase, Hidden, locked


class SecondLookRules(GuardianBase):
    # --- appeals -------------------------------------------------------------------
    def why_not_appeal(self, post) -> str | None:
        """May this user appeal the decision that hid or rejected `post`? Its author only."""
        if reason := self.why_not_see_post(post):
            return reason
        if not self._is_author(post):
            return _("Only the author of a post can appeal a decision about it.")
        if post.state != "hidden":
            return _("Only a hidden or rejected post can be appealed.")
        if post.state_cause == "flags":
            return _("No moderator has decided about this post yet: it was hidden after flags, and a moderator "
                     "will look at it.")
        return None

    def can_appeal(self, post) -> bool:
        return self.why_not_appeal(post) is None

    def ensure_appeal(self, post) -> None:
        self._ensure(self.why_not_appeal(post), post)

    def why_not_see_appeal(self, appeal) -> str | None:
        """Its author and the moderators of its topic see an appeal; for anyone else it does not
        exist (the same answer as an appeal that was never filed)."""
        if reason := self.why_not_see_post(appeal.post):
            return reason
        if (self.user is not None and appeal.author_id == self.user.id) or self.is_moderator(appeal.post.thread.topic):
            return None
        return Hidden(_("That appeal does not exist."))

    def can_see_appeal(self, appeal) -> bool:
        return self.why_not_see_appeal(appeal) is None

    def ensure_see_appeal(self, appeal) -> None:
        if self.why_not_see_appeal(appeal) is not None:
            raise NotFound(_("That appeal does not exist."))

    def why_not_decide_appeal(self, appeal) -> str | None:
        """The topic's moderators decide appeals, except the appellant, and except the moderator
        whose decision is appealed while another moderator of the topic is available."""
        topic = appeal.post.thread.topic
        if reason := self.why_not_moderate(topic):
            return reason
        if self.user.id == appeal.author_id:
            return _("You cannot decide an appeal about your own post.")
        if self.user.id == appeal.decided_by_id and other_moderators(topic, {appeal.decided_by_id, appeal.author_id}):
            return _("Another moderator decides this appeal: it is about your own decision.")
        return None

    def can_decide_appeal(self, appeal) -> bool:
        return self.why_not_decide_appeal(appeal) is None

    def ensure_decide_appeal(self, appeal) -> None:
        self._ensure(self.why_not_decide_appeal(appeal), appeal)

    # --- threads that change -------------------------------------------------------------
    def why_not_rename_thread(self, thread) -> str | None:
        """A thread's title is changed by its moderators, or by its author while they may still
        reply (not in a locked thread, nor a merged one, nor a live session's archive)."""
        if reason := self.why_not_read_thread(thread):
            return reason
        if self.is_moderator(thread.topic):
            return None
        if not self._is_author(thread):
            return _("Only the author or a moderator can rename this thread.")
        if thread.kind == "archive" or thread.state == "merged":
            return _("This thread cannot be renamed.")
        if thread.locked:
            return locked()
        return None

    def can_rename_thread(self, thread) -> bool:
        return self.why_not_rename_thread(thread) is None

    def ensure_rename_thread(self, thread) -> None:
        self._ensure(self.why_not_rename_thread(thread), thread)

    def why_not_follow_merged(self, thread, target) -> str | None:
        """May this user be sent from a merged `thread` to the `target` it was merged into? Only
        if they may read both the old thread's topic and the target (else: "not there")."""
        if reason := self.why_not_read_topic(thread.topic):
            return reason
        return self.why_not_read_thread(target)

    def can_follow_merged(self, thread, target) -> bool:
        return self.why_not_follow_merged(thread, target) is None

    def ensure_follow_merged(self, thread, target) -> None:
        self._ensure(self.why_not_follow_merged(thread, target), thread, hidden=True)


def other_moderators(topic, exclude: set) -> list[int]:
    """Ids of the people, other than `exclude`, who may moderate `topic` now: its active
    moderators and the administrators (why_not_moderate as a query)."""
    return list(db.session.scalars(
        select(User.id).where(or_(User.role == "admin", User.id.in_(topic.moderator_ids or {0})),
                              User.state == "active", User.id.not_in(exclude or {0}),
                              User.organisation_id.in_(select(Organisation.id).where(Organisation.removed.is_(False))))
        .order_by(User.id)))
