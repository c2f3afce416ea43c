"""Live sessions: scheduling, starting and ending, the question queue and the chat.

Rooms: live:<id> for everyone in the session; livehosts:<id> for its hosts and
the topic's moderators (questions waiting for approval, with identities).
Question vote counts change fast in big rooms: they go out coalesced (one
update per question per tick) instead of one emit per vote.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError

from .. import events, ratelimit
from ..authors import author_payload, public_name
from ..errors import Conflict, Forbidden, Invalid, NotFound, RateLimited
from ..extensions import db
from ..models import Thread, Topic, User, utcnow
from ..models.base import iso
from ..models.live import LiveChatMessage, LiveHost, LiveQuestion, LiveSession, LiveSilence, LiveVote
from ..permissions import PUBLIC_QUESTION_STATES, Guardian, not_found_message
from ..rendering import render_post, render_trusted
from . import validate
from .notifications import notify

CHAT_MAX_CHARS = 1000
QUESTION_MAX_CHARS = 2000
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
_as_id = validate.as_id


def get_session(session_id) -> LiveSession:
    session_id = _as_id(session_id)
    session = db.session.get(LiveSession, session_id) if session_id is not None else None
    if session is None:
        raise NotFound(not_found_message("LiveSession"))
    return session


def get_question(session: LiveSession, question_id) -> LiveQuestion:
    question_id = _as_id(question_id)
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
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


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
    if not isinstance(host_ids, list) or not all(_as_id(h) is not None and isinstance(h, int) for h in host_ids):
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
    _notify_watchers(topic, actor, _l("Live session scheduled in %(topic)s: “%(title)s”", topic=topic.name,
                                      title=session.title), session)
    events.commit()
    return session


def _notify_watchers(topic: Topic, actor: User, text, session: LiveSession) -> None:
    from ..models.watch import TopicWatch

    for watch in db.session.scalars(select(TopicWatch).where(TopicWatch.topic_id == topic.id,
                                                             TopicWatch.level == "watching")):
        if watch.user_id != actor.id and watch.user.state == "active" and Guardian(watch.user).can_read_topic(topic):
            notify(watch.user, "live", text, url=f"/live/{session.id}")


def start(actor: User, session: LiveSession) -> LiveSession:
    Guardian(actor).ensure_host_live(session)
    if session.state != "scheduled":
        raise Conflict(_("This session has already ended.") if session.state == "ended" else
                       _("This session is already live."))
    session.state = "live"
    session.started_at = utcnow()
    _queue_state(session)
    _notify_watchers(session.topic, actor, _l("Live now in %(topic)s: “%(title)s”", topic=session.topic.name,
                                              title=session.title), session)
    events.commit()
    return session


def end(actor: User, session: LiveSession) -> LiveSession:
    Guardian(actor).ensure_host_live(session)
    if session.state == "ended":
        raise Conflict(_("This session has already ended."))
    session.state = "ended"
    session.ended_at = utcnow()
    session.archive_thread_id = _archive(actor, session).id
    _queue_state(session)
    events.commit()
    return session


def _queue_state(session: LiveSession) -> None:
    payload = session_payload(session)
    for room in (f"live:{session.id}", f"topic:{session.topic.slug}"):
        events.queue_event(room, "live.state", {"room": room, "session": payload})


def _archive(actor: User, session: LiveSession) -> Thread:
    """A read-only thread: the questions ranked by votes with answers, then the chat transcript."""
    from ..models import Post

    questions = db.session.scalars(
        select(LiveQuestion).where(LiveQuestion.session_id == session.id,
                                   LiveQuestion.state.in_(PUBLIC_STATES))
        .order_by(LiveQuestion.votes.desc(), LiveQuestion.id)).all()
    chat = db.session.scalars(
        select(LiveChatMessage).where(LiveChatMessage.session_id == session.id, LiveChatMessage.hidden.is_(False))
        .order_by(LiveChatMessage.id)).all()
    lines = [f"Archive of the live session **{_md_escape(session.title)}**, "
             f"{session.started_at or session.starts_at:%d %B %Y}.", ""]
    if session.description:
        lines += [session.description, ""]
    lines += ["## Questions", ""]
    if not questions:
        lines.append("No questions were asked.")
    for rank, q in enumerate(questions, 1):
        who = public_name(q, english=True)
        lines += [f"### {rank}. {_md_escape(who)} asked ({q.votes} vote{'s' if q.votes != 1 else ''})", "",
                  _quote(q.body), ""]
        if q.answer:
            lines += [f"**Answer from {_md_escape(q.answered_by.name if q.answered_by else 'the hosts')}:**", "",
                      q.answer, ""]
        else:
            lines += ["*Not answered during the session.*", ""]
    lines += ["## Chat transcript", ""]
    if not chat:
        lines.append("No chat messages.")
    for m in chat:
        lines.append(f"- **{_md_escape(m.author.name)}** ({m.created_at:%H:%M} UTC): {_md_escape(m.body)}")
    body = "\n".join(lines)
    html = render_trusted(body)
    thread = Thread(topic=session.topic, kind="archive", title=f"Live session archive: {session.title}"[:200],
                    author=actor, locked=True, state="visible")
    db.session.add(thread)
    db.session.add(Post(thread=thread, author=actor, body=body, html=html,
                        is_opening=True, state="visible"))
    db.session.flush()
    room = f"topic:{session.topic.slug}"
    from ..payloads import thread_payload

    events.queue_event(room, "thread.created", {"room": room, "thread": thread_payload(thread)})
    return thread


def _md_escape(text: str) -> str:
    return "".join("\\" + c if c in "\\`*_[]<>#|" else c for c in (text or "").replace("\n", " "))


def _quote(text: str) -> str:
    return "\n".join("> " + line for line in (text or "").splitlines())


# --- questions -----------------------------------------------------------------------
def ask(actor: User, session: LiveSession, body, anonymous=False, client_id=None) -> LiveQuestion:
    guardian = Guardian(actor)
    guardian.ensure_take_part_live(session, is_silenced(session, actor))
    client_id = validate.client_id(client_id)
    if client_id:
        existing = db.session.scalar(select(LiveQuestion).where(LiveQuestion.session_id == session.id,
                                                                LiveQuestion.author_id == actor.id,
                                                                LiveQuestion.client_id == client_id))
        if existing is not None:
            return existing
    body = validate.text(body, "body", label=_l("Your question"), max_chars=QUESTION_MAX_CHARS)
    anonymous = validate.flag(anonymous, "anonymous")
    if anonymous:
        guardian.ensure_post_anonymously(session.topic)
    ratelimit.hit("live_question", actor.id, tier=ratelimit.tier_for(actor))
    from .moderation import check_watched_words

    body, held = check_watched_words(session.topic, body)
    html = render_post(body)
    pending = (session.approve_questions or held) and not guardian.is_host(session)
    question = LiveQuestion(session_id=session.id, author_id=actor.id, anonymous=anonymous, body=body,
                            html=html, state="pending" if pending else "visible",
                            client_id=client_id)
    db.session.add(question)
    db.session.flush()
    db.session.refresh(question)
    if pending:
        room = f"livehosts:{session.id}"
        events.queue_event(room, "live.question", {"room": room, "question": question_payload(question)})
    else:
        room = f"live:{session.id}"
        events.queue_event(room, "live.question", {"room": room, "question": question_payload(question)})
    events.commit()
    return question


def vote(actor: User, session: LiveSession, question: LiveQuestion, value=True) -> LiveQuestion:
    """Upvote once (value True) or take the vote back (value False); both idempotent."""
    guardian = Guardian(actor)
    guardian.ensure_take_part_live(session)
    if question.state not in ("visible", "answering", "answered"):
        raise Invalid(_("This question is not open for votes."))
    value = validate.flag(value, "value") if not isinstance(value, bool) else value
    ratelimit.hit("vote", actor.id, tier=ratelimit.tier_for(actor))
    existing = db.session.scalar(select(LiveVote.id).where(LiveVote.question_id == question.id,
                                                           LiveVote.user_id == actor.id))
    if value and existing is None:
        db.session.add(LiveVote(question_id=question.id, user_id=actor.id))
        try:
            db.session.flush()
        except IntegrityError:
            # the same person's other tab voted at the same moment: one vote it is
            db.session.rollback()
            return question
        delta = 1
    elif not value and existing is not None:
        if not db.session.execute(delete(LiveVote).where(LiveVote.id == existing)).rowcount:
            return question  # taken back by another tab meanwhile
        delta = -1
    else:
        return question
    # An atomic increment, not a recount: with hundreds voting at once, two transactions
    # counting concurrently would each miss the other's vote.
    db.session.execute(update(LiveQuestion).where(LiveQuestion.id == question.id)
                       .values(votes=LiveQuestion.votes + delta).execution_options(synchronize_session=False))
    events.commit()
    events.emit_coalesced(f"live:{session.id}", f"q{question.id}", "live.question.updated",
                          {"room": f"live:{session.id}", "question_id": question.id,
                           "votes": question.votes, "change": "votes"})
    return question


def moderate_question(actor: User, session: LiveSession, question: LiveQuestion, action, answer="") -> LiveQuestion:
    """approve / hide / answering / answered (with a written answer) / reopen."""
    guardian = Guardian(actor)
    guardian.ensure_host_live(session)
    _ensure_not_ended(session)
    action = validate.choice(action, "action", ("approve", "hide", "answering", "answered", "reopen"), _l("The action"))
    before = question.state
    if action == "approve":
        if before != "pending":
            raise Conflict(_("This question is not waiting for approval."))
        question.state = "visible"
    elif action == "hide":
        if before == "hidden":
            raise Conflict(_("This question is already hidden."))
        question.state = "hidden"
    elif action == "answering":
        if before not in ("visible", "answered"):
            raise Invalid(_("Only visible questions can be answered now."))
        for other in db.session.scalars(select(LiveQuestion).where(LiveQuestion.session_id == session.id,
                                                                   LiveQuestion.state == "answering")):
            other.state = "visible"
            _queue_question_update(session, other, "state")
        question.state = "answering"
    elif action == "answered":
        if before not in ("visible", "answering", "answered"):
            raise Invalid(_("Only visible questions can be answered."))
        answer = validate.text(answer, "answer", label=_l("The answer"), max_chars=QUESTION_MAX_CHARS)
        question.answer_html = render_post(answer, field="answer")
        question.state = "answered"
        question.answer = answer
        question.answered_by_id = actor.id
        question.answered_at = utcnow()
    elif action == "reopen":
        question.state = "visible"
    db.session.flush()
    if before in ("pending", "hidden") and question.state in PUBLIC_STATES:
        # new to the room (approved, or reopened after a hide): announce it like a new question
        room = f"live:{session.id}"
        events.queue_event(room, "live.question", {"room": room, "question": question_payload(question)})
    _queue_question_update(session, question, action)
    if action in ("hide",) and question.author_id != actor.id:
        from .moderation import audit

        audit(actor, "hide_question", "live_question", question.id, topic=session.topic,
              target_user=question.author, before={"state": before}, after={"state": "hidden"})
    events.commit()
    return question


def _ensure_not_ended(session: LiveSession) -> None:
    if session.state == "ended":
        raise Conflict(_("This session has ended and its archive is written: edit the archive thread instead."))


def _queue_question_update(session: LiveSession, question: LiveQuestion, change: str) -> None:
    if question.state in PUBLIC_STATES:
        public = question_payload(question)
    else:
        # Hidden or still pending: the room learns only that it is gone, never its text
        # (a rejected question was never seen by the room at all).
        public = {"id": question.id, "session_id": question.session_id, "state": question.state}
    for room, payload in ((f"live:{session.id}", public),
                          (f"livehosts:{session.id}", question_payload(question))):
        events.queue_event(room, "live.question.updated",
                           {"room": room, "question_id": question.id, "change": change, "question": payload})


# --- chat --------------------------------------------------------------------------
def chat(actor: User, session: LiveSession, body) -> LiveChatMessage:
    guardian = Guardian(actor)
    guardian.ensure_take_part_live(session, is_silenced(session, actor))
    if session.state != "live":
        raise Invalid(_("The chat opens when the session starts."))
    body = validate.text(body, "body", label=_l("Your message"), max_chars=CHAT_MAX_CHARS)
    if not guardian.is_host(session):
        slow = session.chat_slow_mode_seconds or session.topic.slow_mode_seconds
        if slow:
            last = db.session.scalar(select(func.max(LiveChatMessage.created_at)).where(
                LiveChatMessage.session_id == session.id, LiveChatMessage.author_id == actor.id))
            if last is not None:
                wait = (last + timedelta(seconds=slow) - utcnow()).total_seconds()
                if wait > 0:
                    raise RateLimited(_("Slow mode: you can send another message in %(seconds)s s. "
                                        "Your text is kept.", seconds=int(wait) + 1), retry_after=int(wait) + 1)
        ratelimit.hit("chat", actor.id, tier=ratelimit.tier_for(actor))
    from .moderation import check_watched_words

    body, held = check_watched_words(session.topic, body)
    if held:
        raise Forbidden(_("Your message contains words this topic reviews before publishing; "
                          "rephrase it or ask it as a question."))
    message = LiveChatMessage(session_id=session.id, author_id=actor.id, body=body, html=render_post(body))
    db.session.add(message)
    db.session.flush()
    room = f"live:{session.id}"
    events.queue_event(room, "live.chat", {"room": room, "message": chat_payload(message)})
    events.commit()
    return message


def hide_chat(actor: User, session: LiveSession, message_id) -> LiveChatMessage:
    Guardian(actor).ensure_host_live(session)
    _ensure_not_ended(session)
    message_id = _as_id(message_id)
    message = db.session.get(LiveChatMessage, message_id) if message_id is not None else None
    if message is None or message.session_id != session.id:
        raise NotFound(_("That message is not in this session."))
    if message.hidden:
        raise Conflict(_("This message is already hidden."))
    message.hidden = True
    from .moderation import audit

    audit(actor, "hide_chat", "live_chat", message.id, topic=session.topic, target_user=message.author,
          before={"hidden": False}, after={"hidden": True})
    room = f"live:{session.id}"
    events.queue_event(room, "live.chat.hidden", {"room": room, "message_id": message.id})
    events.commit()
    return message


def silence(actor: User, session: LiveSession, user: User, reason="") -> None:
    guardian = Guardian(actor)
    guardian.ensure_host_live(session)
    if not Guardian(user).can_be_silenced(session):
        raise Invalid(_("Hosts and moderators cannot be silenced."))
    if is_silenced(session, user):
        raise Conflict(_("%(name)s is already silenced in this session.", name=user.name))
    reason = validate.text(reason, "reason", label=_l("The reason"), max_chars=500, min_chars=0)
    db.session.add(LiveSilence(session_id=session.id, user_id=user.id, by_id=actor.id, reason=reason))
    from .moderation import audit

    audit(actor, "silence_live", "live_session", session.id, topic=session.topic, target_user=user, reason=reason)
    events.queue_event(f"user:{user.id}", "live.silenced",
                       {"room": f"user:{user.id}", "session_id": session.id, "reason": reason})
    events.commit()
