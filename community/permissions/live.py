"""Rules about live sessions: reading, hosting, taking part, seeing a question, silencing;
with the questions' query scope and the list of who cannot be silenced beside them."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import Select, false, or_, select

from ..extensions import db
from ..models import LiveQuestion, LiveSession, Organisation, User
from .base import GuardianBase, Hidden

# Questions everyone in the session sees; pending and hidden ones are their author's and the hosts'.
PUBLIC_QUESTION_STATES = ("visible", "answering", "answered")
# ...and everyone sees, once the session has ended, the questions it did not reach (they are
# in the archive too; only the end makes a question "not_reached").
LISTED_QUESTION_STATES = PUBLIC_QUESTION_STATES + ("not_reached",)


class LiveRules(GuardianBase):
    def is_host(self, session) -> bool:
        """The session's hosts, and its topic's moderators (administrators included)."""
        return self.active and (self.user.id in session.host_ids or self.is_moderator(session.topic))

    def why_not_schedule_live(self, topic) -> str | None:
        if reason := self.why_not_read_topic(topic):
            return reason
        if not topic.allow_live:
            return _("This topic does not host live sessions.")
        if not (self.user.is_member or self.is_moderator(topic)):
            return _("Only members and moderators can schedule live sessions.")
        return None

    def can_schedule_live(self, topic) -> bool:
        return self.why_not_schedule_live(topic) is None

    def ensure_schedule_live(self, topic) -> None:
        self._ensure(self.why_not_schedule_live(topic), topic)

    def why_not_read_live(self, session) -> str | None:
        return self.why_not_read_topic(session.topic)

    def can_read_live(self, session) -> bool:
        return self.why_not_read_live(session) is None

    def ensure_read_live(self, session) -> None:
        self._ensure(self.why_not_read_live(session), session, hidden=True)

    def readable_sessions(self, query: Select) -> Select:
        """`query` (a SELECT over LiveSession) narrowed to sessions in topics this user may read."""
        return query.where(LiveSession.topic_id.in_(self.readable_topic_ids()))

    def why_not_host_live(self, session) -> str | None:
        if reason := self.why_not_read_live(session):
            return reason
        return None if self.is_host(session) else _("Only this session's hosts and the topic's moderators can do that.")

    def can_host_live(self, session) -> bool:
        return self.why_not_host_live(session) is None

    def ensure_host_live(self, session) -> None:
        self._ensure(self.why_not_host_live(session), session)

    def why_not_take_part_live(self, session, silenced: bool = False) -> str | None:
        if reason := self.why_not_read_live(session):
            return reason
        if session.state == "ended":
            return _("This session has ended.")
        if silenced and not self.is_host(session):
            return _("A host silenced you for the rest of this session.")
        return None

    def can_take_part_live(self, session, silenced: bool = False) -> bool:
        return self.why_not_take_part_live(session, silenced) is None

    def ensure_take_part_live(self, session, silenced: bool = False) -> None:
        self._ensure(self.why_not_take_part_live(session, silenced), session)

    # --- questions --------------------------------------------------------------------
    def why_not_see_question(self, question) -> str | None:
        """Public (and, after the end, not reached) questions are the session's; pending and hidden
        ones their author's and the hosts'."""
        if reason := self.why_not_read_live(question.session):
            return reason
        if question.state in LISTED_QUESTION_STATES or self._is_author(question) or self.is_host(question.session):
            return None
        return Hidden(_("That question is not in this session."))

    def can_see_question(self, question) -> bool:
        return self.why_not_see_question(question) is None

    def ensure_see_question(self, question) -> None:
        self._ensure(self.why_not_see_question(question), question, hidden=True)

    def visible_questions(self, session, query: Select | None = None) -> Select:
        """`query` (by default all questions) narrowed to the questions of `session` this user
        may see (why_not_see_question)."""
        query = select(LiveQuestion) if query is None else query
        query = query.where(LiveQuestion.session_id == session.id)
        if not self.can_read_live(session):
            return query.where(false())
        if self.is_host(session):
            return query
        return query.where(or_(LiveQuestion.state.in_(LISTED_QUESTION_STATES), LiveQuestion.author_id == self.user.id))

    # --- silencing ----------------------------------------------------------------------
    def can_be_silenced(self, place) -> bool:
        """May this user be silenced in `place` (a LiveSession, or a Topic)? Its staff cannot:
        a session's hosts and its topic's moderators; a topic's moderators (administrators
        moderate every topic). Staff means staff with their powers: active, in an organisation
        still in the consortium (silence_protected_ids is the same rule as a query)."""
        if hasattr(place, "host_ids"):
            return not self.is_host(place)
        return not self.is_moderator(place)


def silence_protected_ids(session) -> set[int]:
    """The ids of everyone who cannot be silenced in `session` (Guardian.can_be_silenced as a query)."""
    staff = or_(User.id.in_(set(session.host_ids) | set(session.topic.moderator_ids) or {0}), User.role == "admin")
    return set(db.session.scalars(select(User.id).where(
        staff, User.state == "active",
        User.organisation_id.in_(select(Organisation.id).where(Organisation.removed.is_(False))))))
