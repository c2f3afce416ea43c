"""Socket.IO handlers of live sessions: live.ask, live.vote, live.chat (thin, like the rest)."""
from __future__ import annotations

from sqlalchemy import select

from ..actions import live, validate
from ..errors import NotFound
from ..extensions import db, socketio
from ..models import User
from ..models.live import LiveChatMessage
from ..permissions import Guardian, not_found_message
from .connection import handler


def live_snapshot(user_id: int, session_id: int) -> dict:
    """What a participant needs on (re)join: the session, its questions with votes, recent chat."""
    user = db.session.get(User, user_id)
    session = live.get_session(session_id)
    guardian = Guardian(user)
    voted = live.my_votes(session, user)
    questions = [{**live.question_payload(q, guardian), "voted": q.id in voted}
                 for q in live.visible_questions(session, guardian)]
    chat = list(db.session.scalars(select(LiveChatMessage).where(
        LiveChatMessage.session_id == session.id, LiveChatMessage.hidden.is_(False))
        .order_by(LiveChatMessage.id.desc()).limit(100)))
    return {"session": live.session_payload(session), "questions": questions,
            "chat": [live.chat_payload(m) for m in reversed(chat)],
            "is_host": guardian.is_host(session)}


def _session_for(user: User, session_id, light: bool = False):
    """The session, or "does not exist" for someone who may not read its topic (like a join)."""
    session = live.get_session(session_id, light=light)
    if not Guardian(user).can_read_live(session):
        raise NotFound(not_found_message("LiveSession"))
    return session


@socketio.on("live.ask")
@handler
def on_ask(user: User, data: dict):
    session = _session_for(user, data.get("session_id"))
    question = live.ask(user, session, data.get("body"), anonymous=data.get("anonymous", False),
                        client_id=data.get("client_id"))
    return {"question": live.question_payload(question, Guardian(user))}


@socketio.on("live.vote")
@handler
def on_vote(user: User, data: dict):
    session = _session_for(user, data.get("session_id"))
    question = live.get_question(session, data.get("question_id"))
    # validated here too: "false" (a string) takes the vote back, so the ack must say so
    raw = data.get("value")
    value = True if raw is None else validate.flag(raw, "value")
    question = live.vote(user, session, question, value)
    return {"question_id": question.id, "votes": question.votes, "voted": value}


@socketio.on("live.chat")
@handler
def on_chat(user: User, data: dict):
    session = _session_for(user, data.get("session_id"), light=True)
    message = live.chat(user, session, data.get("body"))
    return {"message": message.payload_sent}
