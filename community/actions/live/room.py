"""In a live session's room: questions (asked, voted on, moderated by the hosts) and the chat.

Question vote counts change fast in big rooms: they go out coalesced (one update per
question per tick) instead of one emit per vote.
"""
from __future__ import annotations

from datetime import timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite

from ... import events, ratelimit
from ...errors import Conflict, Forbidden, Invalid, NotFound, RateLimited, SessionEnded
from ...events import action
from ...extensions import db
from ...models import User, utcnow
from ...models.live import LiveChatMessage, LiveQuestion, LiveSession, LiveSilence, LiveVote
from ...permissions import LISTED_QUESTION_STATES, Guardian
from ...rendering import render_post
from .. import validate
from ..audit import audit
from ..screening import check_watched_words
from . import archive
from .sessions import PUBLIC_STATES, chat_payload, is_silenced, question_payload

CHAT_MAX_CHARS = 1000
QUESTION_MAX_CHARS = 2000


def ensure_not_over(guardian: Guardian, session: LiveSession, what: str) -> None:
    """A question or message sent after the end (typed while the host ended it): refused with
    where to continue, so the page keeps the text and points there."""
    guardian.ensure_read_live(session)
    if session.state != "ended":
        return
    message = (_("The session has ended, so questions are closed. Your question is kept: you can ask it in "
                 "the follow-up discussion.") if what == "question" else
               _("The session has ended, so the chat is closed. Your message is kept: you can post it in "
                 "the follow-up discussion."))
    raise SessionEnded(message, follow_up_thread_id=session.follow_up_thread_id, field="body")


@action
def ask(actor: User, session: LiveSession, body, anonymous=False, client_id=None) -> LiveQuestion:
    guardian = Guardian(actor)
    ensure_not_over(guardian, session, "question")
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
    body, held = check_watched_words(session.topic, body)
    html = render_post(body)
    pending = (session.approve_questions or held) and not guardian.is_host(session)
    question = LiveQuestion(session_id=session.id, author_id=actor.id, anonymous=anonymous, body=body,
                            html=html, state="pending" if pending else "visible",
                            held_by_words=held, client_id=client_id)
    db.session.add(question)
    db.session.flush()
    db.session.refresh(question)
    if pending:
        room = f"livehosts:{session.id}"
        events.queue_event(room, "live.question", {"room": room, "question": question_payload(question)})
    else:
        room = f"live:{session.id}"
        events.queue_event(room, "live.question", {"room": room, "question": question_payload(question)})
    return question


@action
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
        dialect = db.session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        if not db.session.execute(insert(LiveVote.__table__).values(
                question_id=question.id, user_id=actor.id, created_at=utcnow()).on_conflict_do_nothing()).rowcount:
            return question  # the same person's other tab voted at the same moment: one vote it is
        delta = 1
    elif not value and existing is not None:
        if not db.session.execute(delete(LiveVote).where(LiveVote.id == existing)).rowcount:
            return question  # taken back by another tab meanwhile
        delta = -1
    else:
        return question
    # An atomic increment, not a recount: with hundreds voting at once, two transactions
    # counting concurrently would each miss the other's vote.
    votes = db.session.execute(update(LiveQuestion).where(LiveQuestion.id == question.id)
                               .values(votes=LiveQuestion.votes + delta).returning(LiveQuestion.votes)
                               .execution_options(synchronize_session=False)).scalar_one()
    # sent after the commit, coalesced: hundreds voting at once make one update per tick
    events.emit_coalesced(f"live:{session.id}", f"q{question.id}", "live.question.updated",
                          {"room": f"live:{session.id}", "question_id": question.id,
                           "votes": votes, "change": "votes"})
    return question


@action
def moderate_question(actor: User, session: LiveSession, question: LiveQuestion, action, answer="") -> LiveQuestion:
    """approve / hide / answering / answered (with a written answer) / reopen. After the end,
    only a question still waiting can be decided: approved, it goes to the follow-up."""
    guardian = Guardian(actor)
    guardian.ensure_host_live(session)
    action = validate.choice(action, "action", ("approve", "hide", "answering", "answered", "reopen"), _l("The action"))
    if session.state == "ended":
        return _decide_after_end(actor, session, question, action)
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

        audit(actor, "hide_question", "live_question", question.id, topic=session.topic,
              target_user=question.author, before={"state": before}, after={"state": "hidden"})
    return question


def _decide_after_end(actor: User, session: LiveSession, question: LiveQuestion, action: str) -> LiveQuestion:
    """A question held by watched words waits for a host even after the end (it is never
    published unread): approved, it is carried into the follow-up; declined, it is hidden."""
    if question.state != "pending" or action not in ("approve", "hide"):
        _ensure_not_ended(session)
    if action == "approve":
        archive.carry_late(actor, session, question)
    else:
        question.state = "hidden"
        if question.author_id != actor.id:
            audit(actor, "hide_question", "live_question", question.id, topic=session.topic,
                  target_user=question.author, before={"state": "pending"}, after={"state": "hidden"})
    _queue_question_update(session, question, action)
    return question


def _ensure_not_ended(session: LiveSession) -> None:
    if session.state == "ended":
        raise Conflict(_("This session has ended and its archive is written: edit the archive thread instead."))


def _queue_question_update(session: LiveSession, question: LiveQuestion, change: str) -> None:
    if question.state in LISTED_QUESTION_STATES:  # public, or not reached (approved after the end)
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
@action
def chat(actor: User, session: LiveSession, body) -> LiveChatMessage:
    """Send a chat line; the message returned carries `payload_sent`, its payload as announced."""
    guardian = Guardian(actor)
    ensure_not_over(guardian, session, "chat")
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
    body, held = check_watched_words(session.topic, body)
    if held:
        raise Forbidden(_("Your message contains words this topic reviews before publishing; "
                          "rephrase it or ask it as a question."))
    message = LiveChatMessage(session_id=session.id, author_id=actor.id, body=body, html=render_post(body))
    db.session.add(message)
    db.session.flush()
    room = f"live:{session.id}"
    # Built once: the ack and the API answer reuse it (after the commit the row is expired, and
    # reading it again would reload it with its author).
    message.payload_sent = chat_payload(message)
    events.queue_event(room, "live.chat", {"room": room, "message": message.payload_sent})
    return message


@action
def hide_chat(actor: User, session: LiveSession, message_id) -> LiveChatMessage:
    Guardian(actor).ensure_host_live(session)
    _ensure_not_ended(session)
    message_id = validate.as_id(message_id)
    message = db.session.get(LiveChatMessage, message_id) if message_id is not None else None
    if message is None or message.session_id != session.id:
        raise NotFound(_("That message is not in this session."))
    if message.hidden:
        raise Conflict(_("This message is already hidden."))
    message.hidden = True

    audit(actor, "hide_chat", "live_chat", message.id, topic=session.topic, target_user=message.author,
          before={"hidden": False}, after={"hidden": True})
    room = f"live:{session.id}"
    events.queue_event(room, "live.chat.hidden", {"room": room, "message_id": message.id})
    return message


@action
def silence(actor: User, session: LiveSession, user: User, reason="") -> None:
    guardian = Guardian(actor)
    guardian.ensure_host_live(session)
    if not Guardian(user).can_be_silenced(session):
        raise Invalid(_("Hosts and moderators cannot be silenced."))
    if is_silenced(session, user):
        raise Conflict(_("%(name)s is already silenced in this session.", name=user.name))
    reason = validate.text(reason, "reason", label=_l("The reason"), max_chars=500, min_chars=0)
    db.session.add(LiveSilence(session_id=session.id, user_id=user.id, by_id=actor.id, reason=reason))

    audit(actor, "silence_live", "live_session", session.id, topic=session.topic, target_user=user, reason=reason)
    events.queue_event(f"user:{user.id}", "live.silenced",
                       {"room": f"user:{user.id}", "session_id": session.id, "reason": reason})
