"""Live sessions themselves: their payloads, lookups, scheduling and starting (ending.py ends
them)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload, lazyload

from ... import events, notices
from ...authors import author_payload
from ...errors import Conflict, Invalid, NotFound
from ...events import action
from ...extensions import db
from ...models import Topic, User, utcnow
from ...models.base import iso
from ...models.live import LiveChatMessage, LiveHost, LiveQuestion, LiveSession, LiveSilence, LiveVote
from ...models.watch import TopicWatch
from ...permissions import PUBLIC_QUESTION_STATES, Guardian, not_found_message
from .. import validate
from ..notifications import notify

PUBLIC_STATES = PUBLIC_QUESTION_STATES  # questions everyone in the session sees (the Guardian's rule)


# --- payloads ----------------------------------------------------------------------
def session_payload(session: LiveSession) -> dict:
    return {
        "id": session.id, "topic": session.topic.slug, "title": session.title,
        "description": session.description, "state": session.state,
        "starts_at": iso(session.starts_at), "ends_at": iso(session.ends_at),
        "started_at": iso(session.started_at), "ended_at": iso(session.ended_at),
        "approve_questions": session.approve_questions,
        "hosts": [{"id": u.id, "name": u.name, "organisation": u.organisation.name} for u in session.hosts],
        "archive_thread_id": session.archive_thread_id,
        # the open discussion under the archive (late answers, carrying on): once ended
        "follow_up_thread_id": session.follow_up_thread_id if session.state == "ended" else None,
        "url": f"/live/{session.id}",
    }


def question_payload(question: LiveQuestion, guardian: Guardian | None = None) -> dict:
    """A question as `guardian`'s user may see it (None: anyone in the room). An anonymous
    asker is named only to themself and to a moderator after a logged reveal."""
    return {
        "id": question.id, "session_id": question.session_id, "html": question.html,
        "state": question.state, "votes": question.votes, "author": author_payload(question, guardian),
        "anonymous": question.anonymous, "answer_html": question.answer_html,
        "created_at": iso(question.created_at), "answered_at": iso(question.answered_at),
    }


def chat_payload(message: LiveChatMessage) -> dict:
    return {"id": message.id, "session_id": message.session_id, "html": message.html,
            "author": {"id": message.author.id, "name": message.author.name,
                       "organisation": message.author.organisation.name},
            "hidden": message.hidden, "created_at": iso(message.created_at)}


# --- lookups -----------------------------------------------------------------------
# For one message: the session and its topic in one statement; the hosts' ids and the topic's
# moderators load when the Guardian asks (two plain lazy loads cost less than the eager
# selectin machinery), the hosts' names and the topic's organisations (read only for a topic
# open to listed organisations) only if something reads them.
_LIGHT = (lazyload(LiveSession.host_links).lazyload(LiveHost.user),
          joinedload(LiveSession.topic).lazyload(Topic.organisations),
          joinedload(LiveSession.topic).lazyload(Topic.moderator_links))


def get_session(session_id, light: bool = False) -> LiveSession:
    """The session, or NotFound; `light` leaves the hosts' names and the topic's organisations
    to load on first use (the per-message path)."""
    session_id = validate.as_id(session_id)
    session = (db.session.get(LiveSession, session_id, options=_LIGHT if light else None)
               if session_id is not None else None)
    if session is None:
        raise NotFound(not_found_message("LiveSession"))
    return session


def get_question(session: LiveSession, question_id) -> LiveQuestion:
    question_id = validate.as_id(question_id)
    question = db.session.get(LiveQuestion, question_id) if question_id is not None else None
    if question is None or question.session_id != session.id:
        raise NotFound(not_found_message("LiveQuestion"))
    return question


def is_silenced(session: LiveSession, user: User) -> bool:
    return db.session.get(LiveSilence, (session.id, user.id)) is not None


def upcoming(topic: Topic | None = None, limit: int = 10) -> list[LiveSession]:
    stmt = select(LiveSession).where(LiveSession.state != "ended").order_by(LiveSession.starts_at)
    if topic is not None:
        stmt = stmt.where(LiveSession.topic_id == topic.id)
    return list(db.session.scalars(stmt.limit(limit)))


def visible_questions(session: LiveSession, guardian: Guardian, order: str = "votes") -> list[LiveQuestion]:
    """The session's question queue as `guardian`'s user sees it: the questions the Guardian lets
    them see, without hidden ones (a hidden question is gone from the queue, even for its author)."""
    stmt = guardian.visible_questions(session).where(LiveQuestion.state != "hidden")
    if order == "newest":
        stmt = stmt.order_by(LiveQuestion.id.desc())
    else:
        stmt = stmt.order_by(LiveQuestion.votes.desc(), LiveQuestion.id)
    return list(db.session.scalars(stmt))


def my_votes(session: LiveSession, user: User) -> set[int]:
    return set(db.session.scalars(
        select(LiveVote.question_id).join(LiveQuestion, LiveVote.question_id == LiveQuestion.id)
        .where(LiveQuestion.session_id == session.id, LiveVote.user_id == user.id)))


# --- scheduling ----------------------------------------------------------------------
def _when(value, field: str, label: str) -> datetime:
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, str) and value.strip():
        try:
            moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise Invalid(_("%(label)s must be a date and time such as 2026-12-01T14:00:00Z.", label=label),
                          field=field) from None
    elif value is None or (isinstance(value, str) and not value.strip()):
        raise Invalid(_("%(label)s is required.", label=label), field=field)
    else:
        raise Invalid(_("%(label)s must be a date and time such as 2026-12-01T14:00:00Z.", label=label),
                      field=field)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


@action
def schedule(actor: User, topic: Topic, *, title, description="", starts_at, ends_at, hosts=None,
             approve_questions=False) -> LiveSession:
    guardian = Guardian(actor)
    guardian.ensure_schedule_live(topic)
    title = validate.title(title)
    description = validate.text(description, "description", label=_l("The description"), max_chars=5000, min_chars=0)
    start = _when(starts_at, "starts_at", _l("The start"))
    end = _when(ends_at, "ends_at", _l("The end"))
    if end <= start:
        raise Invalid(_("The session must end after it starts."), field="ends_at")
    if end - start > timedelta(hours=12):
        raise Invalid(_("A live session can last at most 12 hours."), field="ends_at")
    if end < utcnow():
        raise Invalid(_("The session cannot end in the past."), field="ends_at")
    host_ids = hosts if hosts is not None else []
    if not isinstance(host_ids, list) \
            or not all(validate.as_id(h) is not None and isinstance(h, int) for h in host_ids):
        raise Invalid(_("hosts must be a list of user ids."), field="hosts")
    host_users = [actor]
    for host_id in dict.fromkeys(host_ids):
        user = db.session.get(User, host_id)
        if user is None or user.state != "active":
            raise Invalid(_("User %(id)s cannot host: no such active user.", id=host_id), field="hosts")
        if not user.is_member:
            raise Invalid(_("%(name)s cannot host: hosts are members.", name=user.name), field="hosts")
        if not Guardian(user).can_read_topic(topic):
            # they could never open the session page, let alone start it
            raise Invalid(_("%(name)s cannot host: they cannot read %(topic)s.", name=user.name, topic=topic.name),
                          field="hosts")
        if user.id != actor.id:
            host_users.append(user)
    session = LiveSession(topic=topic, title=title, description=description, starts_at=start, ends_at=end,
                          approve_questions=validate.flag(approve_questions, "approve_questions"),
                          created_by_id=actor.id, state="scheduled")
    db.session.add(session)
    db.session.flush()
    for user in host_users:
        db.session.add(LiveHost(session_id=session.id, user_id=user.id))
    db.session.flush()
    db.session.refresh(session)
    room = f"topic:{topic.slug}"
    events.queue_event(room, "live.state", {"room": room, "session": session_payload(session)})
    _notify_watchers(topic, actor, "live_scheduled", session)
    return session


def _notify_watchers(topic: Topic, actor: User, verb: str, session: LiveSession) -> None:
    about = {"topic": notices.topic_ref(topic), "session": {
        "id": session.id, "title": session.title,
        "starts_at": iso(session.starts_at), "ends_at": iso(session.ends_at)}}
    for watch in db.session.scalars(select(TopicWatch).where(TopicWatch.topic_id == topic.id,
                                                             TopicWatch.level == "watching")):
        if watch.user_id != actor.id and watch.user.state == "active" and Guardian(watch.user).can_read_topic(topic):
            notify(watch.user, verb=verb, data=about, url=f"/live/{session.id}")


@action
def start(actor: User, session: LiveSession) -> LiveSession:
    Guardian(actor).ensure_host_live(session)
    if session.state != "scheduled":
        raise Conflict(_("This session has already ended.") if session.state == "ended" else
                       _("This session is already live."))
    session.state = "live"
    session.started_at = utcnow()
    queue_state(session)
    _notify_watchers(session.topic, actor, "live_started", session)
    return session


def queue_state(session: LiveSession) -> None:
    payload = session_payload(session)
    for room in (f"live:{session.id}", f"topic:{session.topic.slug}"):
        events.queue_event(room, "live.state", {"room": room, "session": payload})
