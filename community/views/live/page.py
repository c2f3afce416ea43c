"""The live-session page and its plain-form fallbacks: start and end (hosts), ask, vote,
moderate and reveal a question, chat, hide a message, silence someone.

A refused form shows the session page again with the typed text kept, the error where it
happened.
"""
from __future__ import annotations

import uuid

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select

from ... import events, markup
from ...actions import live as live_actions
from ...actions import moderation, validate
from ...actions.validate import MAX_ID
from ...authors import author_display, translated_label
from ...dates import local_clock, viewer_zone
from ...errors import DomainError, Invalid, NotFound
from ...extensions import db
from ...models import User
from ...models.base import iso
from ...models.live import LiveChatMessage, LiveQuestion, LiveSession, LiveSilence
from ...permissions import Guardian, silence_protected_ids
from ..helpers import actor, bdi, form_bool, guardian
from .blueprint import bp
from .sessions import STATE_LABELS

ORDERS = ("votes", "newest")
CHAT_ON_PAGE = 100
SUMMARY_CHARS = 80


# --- the session page -------------------------------------------------------------------------
def _load(session_id: int) -> LiveSession:
    """The session, or 404 when it does not exist or its topic is closed to the viewer."""
    session = live_actions.get_session(session_id)
    guardian().ensure_read_live(session)
    return session


def _question(session: LiveSession, question_id: int) -> LiveQuestion:
    """A question of the session; pending and hidden ones exist only for their author and the hosts."""
    question = live_actions.get_question(session, question_id)
    guardian().ensure_see_question(question)
    return question


def question_view(question: LiveQuestion, g: Guardian, voted: set[int]) -> dict:
    """What the page shows of a question. An anonymous asker is named only to themself (as
    "you") and to a moderator who revealed that question (a logged act)."""
    shown = author_display(question, g)
    return {"id": question.id, "html": question.html, "state": question.state, "votes": question.votes,
            "voted": question.id in voted, "author": shown, "answer_html": question.answer_html,
            "person": None if question.anonymous else question.author,  # a named asker's avatar
            "answer": question.answer,
            "created_iso": iso(question.created_at), "created_clock": local_clock(question.created_at),
            "mine": g.user is not None and g.user.id == question.author_id,
            "summary": markup.excerpt(question.html, SUMMARY_CHARS)}


def chat_view(message: LiveChatMessage) -> dict:
    return {"id": message.id, "html": message.html, "author_id": message.author_id,
            "name": message.author.name, "organisation": message.author.organisation.name,
            "created_iso": iso(message.created_at), "created_clock": local_clock(message.created_at)}


def _order(value: str | None) -> str:
    return value if value in ORDERS else "votes"


def render_session(session: LiveSession, *, error: DomainError | None = None, where: str = "page",
                   kept: dict | None = None, status: int = 200) -> ResponseReturnValue:
    """The session page. `error` is shown where it happened (`where`: page, ask, chat,
    answer-<question id>, silence-<message id>) and `kept` holds the text typed there."""
    g = guardian()
    user = g.user
    topic = session.topic
    kept = kept or {}
    order = _order(request.values.get("order"))
    # The rooms' cursors BEFORE the content: an event committed in between is replayed
    # to the page's socket (since=cursor) rather than lost.
    cursor = events.latest_cursor(f"live:{session.id}")
    is_host = g.is_host(session)
    hosts_cursor = events.latest_cursor(f"livehosts:{session.id}") if is_host else 0
    voted = live_actions.my_votes(session, user)
    views = [question_view(q, g, voted) for q in live_actions.visible_questions(session, g, order)]
    questions = [v for v in views if not (is_host and v["state"] == "pending")]
    pending = [v for v in views if is_host and v["state"] == "pending"]
    chat = list(db.session.scalars(
        select(LiveChatMessage).where(LiveChatMessage.session_id == session.id, LiveChatMessage.hidden.is_(False))
        .order_by(LiveChatMessage.id.desc()).limit(CHAT_ON_PAGE)))
    silence = db.session.get(LiveSilence, (session.id, user.id))
    ask = {"body": "", "anonymous": False, "client_id": uuid.uuid4().hex, **kept.get("ask", {})}
    ask["client_id"] = ask["client_id"] or uuid.uuid4().hex
    placeholder = {"id": "__QID__", "html": "", "state": "visible", "votes": 0, "voted": False, "person": None,
                   "author": {"anonymous": False, "name": "", "organisation": ""}, "answer_html": "", "answer": "",
                   "created_iso": "", "created_clock": "", "mine": False, "summary": ""}
    return render_template(
        "live/session.html", session=session, topic=topic, state_labels=STATE_LABELS,
        questions=questions, pending=pending, chat=[chat_view(m) for m in reversed(chat)],
        order=order, cursor=cursor, hosts_cursor=hosts_cursor, is_host=is_host, is_moderator=g.is_moderator(topic),
        can_vote=g.can_take_part_live(session),
        can_take_part=g.can_take_part_live(session, silence is not None),
        take_part_reason=g.why_not_take_part_live(session, silence is not None),
        silence=silence, can_anonymous=g.can_post_anonymously(topic), anon_label=str(translated_label(user)),
        protected_ids=sorted(silence_protected_ids(session)) if is_host else [],
        ask=ask, chat_body=kept.get("chat", ""), answers=kept.get("answers", {}),
        silence_reasons=kept.get("silence", {}), error=error, where=where,
        placeholder=placeholder, chat_placeholder={"id": "__MID__", "author_id": "__UID__", "html": "", "name": "",
                                                   "organisation": "", "created_iso": "", "created_clock": ""},
        zone=viewer_zone().key,
        question_max=live_actions.QUESTION_MAX_CHARS, chat_max=live_actions.CHAT_MAX_CHARS,
    ), status


@bp.get("/live/<int:session_id>")
def session(session_id: int) -> ResponseReturnValue:
    return render_session(_load(session_id))


def _back(session: LiveSession, anchor: str = "") -> ResponseReturnValue:
    order = _order(request.form.get("order"))
    url = url_for("live.session", session_id=session.id, order=order if order != "votes" else None)
    return redirect(url + (f"#{anchor}" if anchor else ""))


def _refused(session: LiveSession, err: DomainError, where: str = "page", kept: dict | None = None):
    return render_session(session, error=err, where=where, kept=kept, status=err.status)


# --- hosts: start and end ----------------------------------------------------------------------
@bp.post("/live/<int:session_id>/start")
def start(session_id: int) -> ResponseReturnValue:
    session = _load(session_id)
    try:
        live_actions.start(actor(), session)
    except DomainError as err:
        return _refused(session, err)
    flash(_("The session is live."), "success")
    return _back(session)


@bp.post("/live/<int:session_id>/end")
def end(session_id: int) -> ResponseReturnValue:
    """Hosts may decide the questions still waiting in the same form: decision-<id> =
    approve / decline (anything else: left waiting, listed in the archive as not reached)."""
    session = _load(session_id)
    decisions = {key.removeprefix("decision-"): value for key, value in request.form.items()
                 if key.startswith("decision-") and value in live_actions.END_DECISIONS}
    try:
        live_actions.end(actor(), session, decisions=decisions)
    except DomainError as err:
        return _refused(session, err)
    flash(_("The session has ended. Its archive thread is written."), "success")
    return _back(session)


# --- the question queue ---------------------------------------------------------------------------
@bp.post("/live/<int:session_id>/questions")
def ask(session_id: int) -> ResponseReturnValue:
    session = _load(session_id)
    form = {"body": request.form.get("body", ""), "anonymous": form_bool("anonymous"),
            "client_id": request.form.get("client_id", "")[:64]}
    try:
        question = live_actions.ask(actor(), session, form["body"], anonymous=form["anonymous"],
                                    client_id=form["client_id"] or None)
    except DomainError as err:
        return _refused(session, err, "ask", {"ask": form})
    if question.state == "pending":
        flash(_("Your question is waiting for a host's approval; only you and the hosts see it until then."),
              "info")
    else:
        flash(_("Your question was posted."), "success")
    return _back(session, f"q-{question.id}")


@bp.post("/live/<int:session_id>/questions/<int:question_id>/vote")
def vote(session_id: int, question_id: int) -> ResponseReturnValue:
    session = _load(session_id)
    try:
        question = _question(session, question_id)
        value = request.form.get("value", "1") not in ("0", "false", "off", "no")
        live_actions.vote(actor(), session, question, value)
    except NotFound:
        raise
    except DomainError as err:
        return _refused(session, err)
    return _back(session, f"q-{question_id}")


@bp.post("/live/<int:session_id>/questions/<int:question_id>/moderate")
def moderate(session_id: int, question_id: int) -> ResponseReturnValue:
    session = _load(session_id)
    question = _question(session, question_id)
    action = request.form.get("action", "")
    answer = request.form.get("answer", "")
    try:
        live_actions.moderate_question(actor(), session, question, action, answer=answer)
    except DomainError as err:
        if action == "answered":
            return _refused(session, err, f"answer-{question_id}", {"answers": {question_id: answer}})
        return _refused(session, err)
    return _back(session, f"q-{question_id}")


@bp.post("/live/<int:session_id>/questions/<int:question_id>/reveal")
def reveal(session_id: int, question_id: int) -> ResponseReturnValue:
    """A moderator reveals who asked an anonymous question: with a reason, logged."""
    session = _load(session_id)
    question = _question(session, question_id)
    try:
        moderation.reveal_author(actor(), question, request.form.get("reason") or "")
    except DomainError as err:
        if isinstance(err, NotFound):
            raise
        return _refused(session, err)
    flash(_("You revealed who asked this question. The reveal is recorded in the audit log with your reason, "
            "and the asker can see that (not who) it happened."), "success")
    return _back(session, f"q-{question_id}")


# --- the chat -------------------------------------------------------------------------------------
@bp.post("/live/<int:session_id>/chat")
def chat(session_id: int) -> ResponseReturnValue:
    session = _load(session_id)
    body = request.form.get("body", "")
    try:
        live_actions.chat(actor(), session, body)
    except DomainError as err:
        return _refused(session, err, "chat", {"chat": body})
    return _back(session, "chat")


@bp.post("/live/<int:session_id>/chat/<int:message_id>/hide")
def hide_chat(session_id: int, message_id: int) -> ResponseReturnValue:
    session = _load(session_id)
    try:
        live_actions.hide_chat(actor(), session, message_id if message_id <= MAX_ID else None)
    except DomainError as err:
        return _refused(session, err)
    flash(_("The message was hidden."), "success")
    return _back(session, "chat")


@bp.post("/live/<int:session_id>/silence")
def silence(session_id: int) -> ResponseReturnValue:
    session = _load(session_id)
    raw = request.form.get("user_id", "")
    reason = request.form.get("reason", "")
    message_id = request.form.get("message_id", "")
    target_id = validate.as_id(raw)
    target = db.session.get(User, target_id) if target_id is not None else None
    try:
        if target is None:
            raise Invalid(_("Say who to silence."), field="user_id")
        live_actions.silence(actor(), session, target, reason)
    except DomainError as err:
        where = f"silence-{message_id}" if message_id.isdigit() else "page"
        return _refused(session, err, where, {"silence": {message_id: reason}})
    flash(Markup(_("%(name)s is silenced for the rest of this session.", name=bdi(target.name))), "success")
    return _back(session, "chat")
