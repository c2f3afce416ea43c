"""Live-session pages: the sessions list, scheduling a session, the session page with its
plain-form fallbacks (start, end, ask, vote, moderate a question, chat, hide, silence), and
the session's iCalendar (.ics) file.

Thin like the other blueprints: load the session, ask the Guardian, call
community.actions.live, then redirect or render. Without JavaScript every control is a
plain POST form; static/js/live_session.js adds the live parts over the page's one
socket. A refused form re-renders the session page with the typed text kept.

Times are shown in the viewer's time zone (User.timezone) and written the way the
viewer's language writes dates (flask_babel), with the zone's name and a <time datetime>
in UTC for machines; the schedule form reads "datetime-local" values in that zone.
"""
from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale
from flask import (Blueprint, Response, current_app, flash, redirect, render_template, request,
                   url_for)
from flask.typing import ResponseReturnValue
from markupsafe import Markup
from flask_babel import format_date, format_time, get_locale, gettext as _, lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, or_, select

from .. import events, markup
from ..actions import live as live_actions
from ..actions import live_export
from ..actions import moderation
from ..actions.threads import get_topic
from ..actions import validate
from ..actions.validate import MAX_ID
from ..errors import DomainError, Invalid, NotFound
from ..extensions import db
from ..models import Topic, User, utcnow
from ..models.base import iso
from ..models.live import LiveChatMessage, LiveQuestion, LiveSession, LiveSilence
from ..payloads import anonymous_label
from ..permissions import Guardian, not_found_message
from .helpers import actor, bdi, form_bool, guardian
from .main import author_display

bp = Blueprint("live", __name__)

ORDERS = ("votes", "newest")
CHAT_ON_PAGE = 100
RECENT_ON_INDEX = 20
HOST_CHOICES = 200  # members listed as possible co-hosts on the schedule form
STATE_LABELS = {"scheduled": _l("Scheduled"), "live": _l("Live now"), "ended": _l("Ended")}


@bp.before_request
def _require_sign_in() -> ResponseReturnValue | None:
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    return None


# --- time zones -------------------------------------------------------------------------
def viewer_zone() -> ZoneInfo:
    """The signed-in user's time zone; UTC when unset or unknown."""
    name = getattr(current_user, "timezone", None) or "UTC"
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def pattern_locale() -> Locale:
    """The locale whose CLDR patterns shape dates and times. Plain English reads as British
    English, the interface's own spelling: "Tue, 3 Mar 2026, 14:00", not "Tue, Mar 3, 2026, 2:00 PM"."""
    locale = get_locale() or Locale("en")
    if locale.language == "en" and not locale.territory:
        return Locale("en", "GB")
    return locale


# The moments below are already in the viewer's zone (viewer_zone(), which falls back to UTC
# for an unknown zone name), so flask_babel must not rebase them again.
def _day(moment: datetime) -> str:
    """The date with its weekday as the viewer's language writes it: "Tue, 3 Mar 2026",
    "mar, 3 mar 2026", "2026年3月3日周二"."""
    return format_date(moment, str(pattern_locale().datetime_skeletons["yMMMEd"]), rebase=False)


def _time(moment: datetime) -> str:
    """The clock time in the language's short form: "14:00", "2:00 م"."""
    return format_time(moment, str(pattern_locale().time_formats["short"]), rebase=False)


def _at(day: str, time: str) -> str:
    """A date and a time joined as the language joins them ("{1}, {0}"; "{1} {0}" in Chinese)."""
    joined = str(pattern_locale().datetime_formats.get("medium", "{1}, {0}")).replace("'", "")
    return joined.replace("{1}", day).replace("{0}", time)


@bp.app_template_global("utc_when")
def utc_when(value: datetime | None, with_time: bool = True, year: bool = True) -> str:
    """A stored time as the viewer's language writes it, kept in UTC (the administration and
    moderation pages label it so): "3 Mar 2026, 14:00", "3 mar 2026, 14:00", "2026年3月3日 14:00"."""
    if value is None:
        return ""
    moment = _aware(value).astimezone(timezone.utc)
    day = format_date(moment, str(pattern_locale().datetime_skeletons["yMMMd" if year else "MMMd"]), rebase=False)
    return _at(day, _time(moment)) if with_time else day


@bp.app_template_global("live_when")
def live_when(session: LiveSession) -> dict:
    """How a session's time reads to the viewer: in their zone and language, plus UTC for
    machines. A session that has run shows when it RAN (it may have started days before or
    after its schedule: showing the schedule dated a session held on 4 Dec "Mon, 7 Dec"); a
    live one, when it started; one whose time passed without a start says so (`missed`)."""
    zone = viewer_zone()
    start, end = session.starts_at, session.ends_at
    ran = session.state == "ended" and session.started_at is not None
    if ran:
        start, end = session.started_at, session.ended_at or session.ends_at
    elif session.state == "live" and session.started_at is not None:
        start = session.started_at
        end = max(_aware(session.ends_at), _aware(start))
    text = span_text(start, end, zone)
    missed = session.state == "scheduled" and _aware(session.ends_at) < utcnow()
    return {"starts_iso": iso(start), "ends_iso": iso(end), "text": text,
            "start_text": _at(_day(_aware(start).astimezone(zone)), _time(_aware(start).astimezone(zone))),
            "zone": zone.key, "ran": ran, "missed": missed,
            "scheduled_text": span_text(session.starts_at, session.ends_at, zone)}


def span_text(start: datetime, end: datetime, zone: ZoneInfo) -> str:
    """"Fri, 4 Dec 2026, 14:00–15:10", or both dates when it crosses midnight in `zone`."""
    start, end = _aware(start).astimezone(zone), _aware(end).astimezone(zone)
    if start.date() == end.date():
        return _at(_day(start), f"{_time(start)}–{_time(end)}")
    return f"{_at(_day(start), _time(start))} – {_at(_day(end), _time(end))}"


@bp.app_template_global("live_zone")
def live_zone() -> str:
    return viewer_zone().key


def _clock(value: datetime | None) -> str:
    return _time(_aware(value).astimezone(viewer_zone())) if value else ""


# --- listings (also used by the home and topic pages) --------------------------------------
def _readable_topic_ids(g: Guardian) -> list[int]:
    topics = db.session.scalars(select(Topic)).all()
    return [t.id for t in topics if g.can_read_topic(t)]


def _open_sessions(topic_ids: list[int], limit: int) -> list[LiveSession]:
    """Live sessions, then scheduled ones that have not run past their end, soonest first."""
    if not topic_ids:
        return []
    stmt = (select(LiveSession)
            .where(LiveSession.topic_id.in_(topic_ids),
                   or_(LiveSession.state == "live",
                       (LiveSession.state == "scheduled") & (LiveSession.ends_at >= utcnow())))
            .order_by((LiveSession.state == "live").desc(), LiveSession.starts_at, LiveSession.id)
            .limit(limit))
    return list(db.session.scalars(stmt))


@bp.app_template_global("upcoming_live_sessions")
def upcoming_live_sessions(topic: Topic | None = None, limit: int = 5) -> list[LiveSession]:
    """Live and upcoming sessions the viewer may read: of one topic, or of every topic."""
    g = guardian()
    if g.user is None:
        return []
    if topic is not None:
        return _open_sessions([topic.id], limit) if g.can_read_topic(topic) else []
    return _open_sessions(_readable_topic_ids(g), limit)


@bp.get("/live")
def index() -> ResponseReturnValue:
    g = guardian()
    g.ensure_use_site()
    topic_ids = _readable_topic_ids(g)
    open_sessions = _open_sessions(topic_ids, 200)
    recent = []
    if topic_ids:
        # Ended sessions, and scheduled ones whose time passed without a start.
        recent = list(db.session.scalars(
            select(LiveSession)
            .where(LiveSession.topic_id.in_(topic_ids),
                   or_(LiveSession.state == "ended",
                       (LiveSession.state == "scheduled") & (LiveSession.ends_at < utcnow())))
            .order_by(func.coalesce(LiveSession.ended_at, LiveSession.ends_at).desc(), LiveSession.id.desc())
            .limit(RECENT_ON_INDEX)))
    return render_template(
        "live/index.html",
        live_now=[s for s in open_sessions if s.state == "live"],
        upcoming=[s for s in open_sessions if s.state == "scheduled"],
        recent=recent, zone=viewer_zone().key,
        schedulable=[t for t in db.session.scalars(select(Topic).order_by(Topic.position, Topic.name))
                     if g.can_schedule_live(t)],
    )


# --- scheduling ----------------------------------------------------------------------------
def _parse_local(value: str, field: str, zone: ZoneInfo) -> datetime:
    """A datetime-local value ("2026-12-01T14:00") read in the viewer's zone, as UTC."""
    # Whole sentences per field: "the start"/"the end" cannot be slotted into one sentence in
    # every language.
    starts = field == "starts_at"
    value = (value or "").strip()
    if not value:
        raise Invalid(_("The start is required.") if starts else _("The end is required."), field=field)
    for fmt in ("%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"):
        try:
            naive = datetime.strptime(value, fmt)
            break
        except ValueError:
            continue
    else:
        raise Invalid(_("The start must be a date and time, such as %(example)s.", example="2026-12-01 14:00")
                      if starts else
                      _("The end must be a date and time, such as %(example)s.", example="2026-12-01 15:00"),
                      field=field)
    return naive.replace(tzinfo=zone).astimezone(timezone.utc)


def _host_candidates(topic: Topic, me: User) -> list[User]:
    """Active members (other than me) who can read the topic: who may co-host."""
    users = db.session.scalars(
        select(User).where(User.state == "active", User.role.in_(("member", "admin")), User.id != me.id)
        .order_by(User.name).limit(HOST_CHOICES * 2)).all()
    return [u for u in users if Guardian(u).can_read_topic(topic)][:HOST_CHOICES]


def _host_ids(chosen: list[str], emails: str) -> list[int]:
    ids: list[int] = []
    for value in chosen:
        if validate.as_id(value) is None:
            raise Invalid(_("Choose co-hosts from the list."), field="hosts")
        ids.append(int(value))
    for email in (e for e in re.split(r"[\s,;]+", emails or "") if e):
        user = db.session.scalar(select(User).where(func.lower(User.email) == email.lower()))
        if user is None:
            raise Invalid(_("Nobody has the email %(email)s: check the address.", email=email),
                          field="host_emails")
        ids.append(user.id)
    return list(dict.fromkeys(ids))


def _default_times(zone: ZoneInfo) -> tuple[str, str]:
    start = (datetime.now(zone) + timedelta(days=1)).replace(hour=14, minute=0, second=0, microsecond=0)
    return f"{start:%Y-%m-%dT%H:%M}", f"{start + timedelta(hours=1):%Y-%m-%dT%H:%M}"


@bp.route("/t/<slug>/live/new", methods=["GET", "POST"])
def schedule(slug: str) -> ResponseReturnValue:
    g = guardian()
    topic = get_topic(slug)
    g.ensure_read_topic(topic)
    g.ensure_schedule_live(topic)
    zone = viewer_zone()
    starts, ends = _default_times(zone)
    form = {"title": "", "description": "", "starts_at": starts, "ends_at": ends, "hosts": [],
            "host_emails": "", "approve_questions": False}
    error, status = None, 200
    if request.method == "POST":
        form = {
            "title": request.form.get("title", ""),
            "description": request.form.get("description", ""),
            "starts_at": request.form.get("starts_at", ""),
            "ends_at": request.form.get("ends_at", ""),
            "hosts": request.form.getlist("hosts"),
            "host_emails": request.form.get("host_emails", ""),
            "approve_questions": form_bool("approve_questions"),
        }
        try:
            session = live_actions.schedule(
                actor(), topic, title=form["title"], description=form["description"],
                starts_at=_parse_local(form["starts_at"], "starts_at", zone),
                ends_at=_parse_local(form["ends_at"], "ends_at", zone),
                hosts=_host_ids(form["hosts"], form["host_emails"]),
                approve_questions=form["approve_questions"])
        except DomainError as err:
            db.session.rollback()
            error, status = err, err.status
        else:
            flash(_("The live session is scheduled. People watching the topic were told."), "success")
            return redirect(url_for("live.session", session_id=session.id))
    return render_template("live/schedule.html", topic=topic, form=form, error=error, zone=zone.key,
                           candidates=_host_candidates(topic, g.user)), status


# --- the session page -------------------------------------------------------------------------
def _load(session_id: int) -> LiveSession:
    """The session, or 404 when it does not exist or its topic is closed to the viewer."""
    session = live_actions.get_session(session_id)
    guardian().ensure_read_live(session)
    return session


def _question(session: LiveSession, question_id: int) -> LiveQuestion:
    """A question of the session; pending and hidden ones exist only for their author and the hosts."""
    question = live_actions.get_question(session, question_id)
    g = guardian()
    if question.state in ("pending", "hidden") and not (g.is_host(session) or question.author_id == g.user.id):
        raise NotFound(not_found_message("LiveQuestion"))
    return question


def _summary(html: str, limit: int = 80) -> str:
    text = " ".join(markup.to_text(html).split())
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def question_view(question: LiveQuestion, g: Guardian, voted: set[int]) -> dict:
    """What the page shows of a question. An anonymous asker is named only to themself (as
    "you") and to a moderator who revealed that question (a logged act)."""
    shown = author_display(question, g)
    return {"id": question.id, "html": question.html, "state": question.state, "votes": question.votes,
            "voted": question.id in voted, "author": shown, "answer_html": question.answer_html,
            "answer": question.answer,
            "created_iso": iso(question.created_at), "created_clock": _clock(question.created_at),
            "mine": g.user is not None and g.user.id == question.author_id,
            "summary": _summary(question.html)}


def chat_view(message: LiveChatMessage) -> dict:
    return {"id": message.id, "html": message.html, "author_id": message.author_id,
            "name": message.author.name, "organisation": message.author.organisation.name,
            "created_iso": iso(message.created_at), "created_clock": _clock(message.created_at)}


def _protected_ids(session: LiveSession) -> set[int]:
    """Who cannot be silenced: the hosts, the topic's moderators and administrators."""
    admins = set(db.session.scalars(select(User.id).where(User.role == "admin")))
    return set(session.host_ids) | set(session.topic.moderator_ids) | admins


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
    placeholder = {"id": "__QID__", "html": "", "state": "visible", "votes": 0, "voted": False,
                   "author": {"anonymous": False, "name": "", "organisation": ""}, "answer_html": "", "answer": "",
                   "created_iso": "", "created_clock": "", "mine": False, "summary": ""}
    return render_template(
        "live/session.html", session=session, topic=topic, state_labels=STATE_LABELS,
        questions=questions, pending=pending, chat=[chat_view(m) for m in reversed(chat)],
        order=order, cursor=cursor, hosts_cursor=hosts_cursor, is_host=is_host, is_moderator=g.is_moderator(topic),
        can_vote=g.can_take_part_live(session),
        can_take_part=g.can_take_part_live(session, silence is not None),
        take_part_reason=g.why_not_take_part_live(session, silence is not None),
        silence=silence, can_anonymous=g.can_post_anonymously(topic), anon_label=anonymous_label(user),
        protected_ids=sorted(_protected_ids(session)) if is_host else [],
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
    db.session.rollback()
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


@bp.get("/live/<int:session_id>/questions.csv")
def export_questions(session_id: int) -> ResponseReturnValue:
    """The questions, votes and answers as a spreadsheet, for the hosts."""
    session = _load(session_id)
    return live_export.csv_response(live_export.questions_csv(actor(), session), session)


# --- calendar ----------------------------------------------------------------------------------
@bp.get("/live/<int:session_id>.ics")
def ics(session_id: int) -> ResponseReturnValue:
    """One VEVENT (RFC 5545) for calendar apps: times in UTC, text escaped and folded by icalendar."""
    from icalendar import Calendar, Event

    session = _load(session_id)
    url = url_for("live.session", session_id=session.id, _external=True)
    calendar = Calendar()
    calendar.add("prodid", "-//Roundtable//Live sessions//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"live-session-{session.id}@{request.host.split(':')[0]}")
    event.add("dtstamp", utcnow().replace(microsecond=0))
    event.add("dtstart", _aware(session.starts_at).astimezone(timezone.utc).replace(microsecond=0))
    event.add("dtend", _aware(session.ends_at).astimezone(timezone.utc).replace(microsecond=0))
    event.add("summary", session.title)
    description = session.description.strip()
    event.add("description", (description + "\n\n" if description else "")
              + _("Live session in %(topic)s on Roundtable: %(url)s", topic=session.topic.name, url=url))
    event.add("url", url)
    event.add("location", url)
    calendar.add_component(event)
    response = Response(calendar.to_ical(), mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="roundtable-live-{session.id}.ics"'
    return response
