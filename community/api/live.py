"""API routes for live sessions: scheduling, listing, starting and ending, the question
queue (ask, vote, moderate), the chat (send, hide) and silencing a participant.

Thin like the rest of the API: parse JSON, call community.actions.live, answer JSON
built with its payload builders. A session or question the caller may not see is
answered "does not exist", whatever the reason.
"""
from __future__ import annotations

from flask import request
from flask_babel import gettext as _
from sqlalchemy import select

from ..actions import live
from ..actions.live import export as live_export
from ..actions.moderation import reveal_author
from ..actions.validate import MAX_ID
from ..errors import Invalid, NotFound
from ..extensions import db
from ..models import User
from ..models.live import LiveChatMessage, LiveQuestion, LiveSession
from ..payloads import user_payload
from ..permissions import not_found_message
from .common import bp, caller, guardian, json_body, load_topic, optional_text

QUESTION_ORDERS = ("votes", "newest")
CHAT_LIMIT = 100


# --- loading what the caller may see ----------------------------------------------
def load_session(session_id: int) -> LiveSession:
    session = live.get_session(session_id) if session_id <= MAX_ID else None
    if session is None or not guardian().can_read_live(session):
        raise NotFound(not_found_message("LiveSession"))
    return session


def load_question(session: LiveSession, question_id: int) -> LiveQuestion:
    """A question of `session`; pending and hidden ones exist only for their author and the hosts."""
    question = live.get_question(session, question_id if question_id <= MAX_ID else None)
    g = guardian()
    if question.state in ("pending", "hidden") and not (g.is_host(session) or question.author_id == caller().id):
        raise NotFound(not_found_message("LiveQuestion"))
    return question


def _question_for_caller(question: LiveQuestion, voted: set[int]) -> dict:
    return {**live.question_payload(question, guardian()), "voted": question.id in voted}


def _session_for_caller(session: LiveSession) -> dict:
    g = guardian()
    return {**live.session_payload(session), "is_host": g.is_host(session),
            "can_take_part": g.can_take_part_live(session, live.is_silenced(session, caller()))}


# --- lists and reading -------------------------------------------------------------
@bp.get("/live")
def list_live_sessions():
    """Upcoming and live sessions in every topic the caller may read, soonest first."""
    g = guardian()
    sessions = [s for s in live.upcoming(limit=200) if g.can_read_live(s)]
    return {"sessions": [live.session_payload(s) for s in sessions], "next_cursor": None}


@bp.get("/topics/<slug>/live")
def list_topic_live_sessions(slug: str):
    """Upcoming and live sessions of one topic, soonest first."""
    topic = load_topic(slug)
    return {"sessions": [live.session_payload(s) for s in live.upcoming(topic, limit=100)],
            "next_cursor": None}


@bp.get("/live/<int:session_id>")
def read_live_session(session_id: int):
    """The session, the questions the caller may see (`?order=votes|newest`, each with
    `voted`), and the latest chat messages, oldest first."""
    session = load_session(session_id)
    order = request.args.get("order") or "votes"
    if order not in QUESTION_ORDERS:
        raise Invalid(f"order must be one of: {', '.join(QUESTION_ORDERS)}.", field="order")
    voted = live.my_votes(session, caller())
    questions = [_question_for_caller(q, voted) for q in live.visible_questions(session, guardian(), order)]
    chat = list(db.session.scalars(
        select(LiveChatMessage).where(LiveChatMessage.session_id == session.id, LiveChatMessage.hidden.is_(False))
        .order_by(LiveChatMessage.id.desc()).limit(CHAT_LIMIT)))
    return {"session": _session_for_caller(session), "questions": questions,
            "chat": [live.chat_payload(m) for m in reversed(chat)]}


# --- scheduling, starting, ending ----------------------------------------------------
@bp.post("/topics/<slug>/live")
def schedule_live_session(slug: str):
    topic = load_topic(slug)
    data = json_body()
    session = live.schedule(caller(), topic, title=data.get("title"), description=optional_text(data, "description"),
                            starts_at=data.get("starts_at"), ends_at=data.get("ends_at"), hosts=data.get("hosts"),
                            approve_questions=data.get("approve_questions", False))
    return {"session": _session_for_caller(session)}, 201


@bp.post("/live/<int:session_id>/start")
def start_live_session(session_id: int):
    session = live.start(caller(), load_session(session_id))
    return {"session": _session_for_caller(session)}


@bp.post("/live/<int:session_id>/end")
def end_live_session(session_id: int):
    """End the session. Optional `decisions`: {question id: "approve" | "decline"} for questions
    still waiting, applied first; those left waiting are listed in the archive as not reached.
    The answer's session carries `archive_thread_id` and `follow_up_thread_id`."""
    data = json_body(required=False)
    session = live.end(caller(), load_session(session_id), decisions=data.get("decisions"))
    return {"session": _session_for_caller(session)}


@bp.get("/live/<int:session_id>/questions.csv")
def export_live_questions(session_id: int):
    """The questions, votes and answers (late answers from the follow-up too) as CSV, for the
    session's hosts and the topic's moderators."""
    session = load_session(session_id)
    return live_export.csv_response(live_export.questions_csv(caller(), session), session)


# --- questions --------------------------------------------------------------------
@bp.post("/live/<int:session_id>/questions")
def ask_question(session_id: int):
    session = load_session(session_id)
    data = json_body()
    client_id = data.get("client_id")
    replayed = isinstance(client_id, str) and bool(client_id) and db.session.scalar(
        select(LiveQuestion.id).where(LiveQuestion.session_id == session.id, LiveQuestion.author_id == caller().id,
                                      LiveQuestion.client_id == client_id)) is not None
    question = live.ask(caller(), session, data.get("body"), anonymous=data.get("anonymous", False),
                        client_id=client_id)
    headers = {"Idempotent-Replayed": "true"} if replayed else {}
    return {"question": _question_for_caller(question, live.my_votes(session, caller()))}, 201, headers


def _vote(session_id: int, question_id: int, value: bool):
    session = load_session(session_id)
    question = live.vote(caller(), session, load_question(session, question_id), value)
    return {"question_id": question.id, "votes": question.votes, "voted": value}


@bp.post("/live/<int:session_id>/questions/<int:question_id>/vote")
def vote_question(session_id: int, question_id: int):
    """Upvote (idempotent: a second vote changes nothing)."""
    return _vote(session_id, question_id, True)


@bp.delete("/live/<int:session_id>/questions/<int:question_id>/vote")
def unvote_question(session_id: int, question_id: int):
    """Take the vote back (idempotent too)."""
    return _vote(session_id, question_id, False)


@bp.post("/live/<int:session_id>/questions/<int:question_id>/moderation")
def moderate_live_question(session_id: int, question_id: int):
    """`action`: approve / hide / answering / answered (with `answer`) / reopen."""
    session = load_session(session_id)
    question = load_question(session, question_id)
    data = json_body()
    handled = live.moderate_question(caller(), session, question, data.get("action"),
                                     answer=optional_text(data, "answer"))
    return {"question": _question_for_caller(handled, live.my_votes(session, caller()))}


# --- chat and silencing ----------------------------------------------------------------
@bp.post("/live/<int:session_id>/questions/<int:question_id>/reveal")
def reveal_question_author(session_id: int, question_id: int):
    """Who asked an anonymous question, for the topic's moderators and administrators, with
    a `reason` (logged); "does not exist" (404) for everyone else, hosts included."""
    session = load_session(session_id)
    question = load_question(session, question_id)
    data = json_body(required=False)
    author = reveal_author(caller(), question, data.get("reason"))
    return {"question_id": question.id, "anonymous": question.anonymous, "author": user_payload(author)}


@bp.post("/live/<int:session_id>/chat")
def send_chat(session_id: int):
    session = load_session(session_id)
    data = json_body()
    message = live.chat(caller(), session, data.get("body"))
    return {"message": message.payload_sent}, 201


@bp.post("/live/<int:session_id>/chat/<int:message_id>/hide")
def hide_chat_message(session_id: int, message_id: int):
    session = load_session(session_id)
    message = live.hide_chat(caller(), session, message_id if message_id <= MAX_ID else None)
    return {"message": live.chat_payload(message)}


@bp.post("/live/<int:session_id>/silence")
def silence_participant(session_id: int):
    """Silence `user_id` for the rest of the session (chat and questions), with a `reason`."""
    session = load_session(session_id)
    data = json_body()
    user_id = data.get("user_id")
    target = db.session.get(User, user_id) if isinstance(user_id, int) and not isinstance(user_id, bool) \
        and 0 < user_id <= MAX_ID else None
    if target is None:
        raise Invalid(_("Say who to silence (user_id: the id of a participant)."), field="user_id")
    live.silence(caller(), session, target, optional_text(data, "reason"))
    return {"silenced": {"session_id": session.id, "user_id": target.id, "name": target.name}}
