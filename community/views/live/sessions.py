"""The live sessions list, scheduling a session, its iCalendar file, and the upcoming
sessions listed on the home and topic pages."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Response, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from icalendar import Calendar, Event
from sqlalchemy import func, or_, select

from ...actions import live as live_actions
from ...actions import validate
from ...actions.live import export as live_export
from ...actions.threads import get_topic
from ...dates import aware, viewer_zone
from ...errors import DomainError, Invalid
from ...extensions import db
from ...models import Topic, User, utcnow
from ...models.live import LiveSession
from ...permissions import Guardian, readers_of_topic
from ..helpers import actor, form_bool, guardian
from .blueprint import bp

RECENT_ON_INDEX = 20
HOST_CHOICES = 200  # members listed as possible co-hosts on the schedule form
STATE_LABELS = {"scheduled": _l("Scheduled"), "live": _l("Live now"), "ended": _l("Ended")}


# --- listings (also used by the home and topic pages) --------------------------------------
def _open_sessions(g: Guardian, limit: int, topic: Topic | None = None) -> list[LiveSession]:
    """Live sessions, then scheduled ones that have not run past their end, soonest first, in
    the topics `g` may read (of `topic` only, when given)."""
    stmt = (g.readable_sessions(select(LiveSession))
            .where(or_(LiveSession.state == "live",
                       (LiveSession.state == "scheduled") & (LiveSession.ends_at >= utcnow())))
            .order_by((LiveSession.state == "live").desc(), LiveSession.starts_at, LiveSession.id)
            .limit(limit))
    if topic is not None:
        stmt = stmt.where(LiveSession.topic_id == topic.id)
    return list(db.session.scalars(stmt))


@bp.app_template_global("upcoming_live_sessions")
def upcoming_live_sessions(topic: Topic | None = None, limit: int = 5) -> list[LiveSession]:
    """Live and upcoming sessions the viewer may read: of one topic, or of every topic."""
    g = guardian()
    return _open_sessions(g, limit, topic) if g.user is not None else []


@bp.get("/live")
def index() -> ResponseReturnValue:
    g = guardian()
    open_sessions = _open_sessions(g, 200)
    # Ended sessions, and scheduled ones whose time passed without a start.
    recent = list(db.session.scalars(
        g.readable_sessions(select(LiveSession))
        .where(or_(LiveSession.state == "ended",
                   (LiveSession.state == "scheduled") & (LiveSession.ends_at < utcnow())))
        .order_by(func.coalesce(LiveSession.ended_at, LiveSession.ends_at).desc(), LiveSession.id.desc())
        .limit(RECENT_ON_INDEX)))
    return render_template(
        "live/index.html",
        live_now=[s for s in open_sessions if s.state == "live"],
        upcoming=[s for s in open_sessions if s.state == "scheduled"],
        recent=recent, zone=viewer_zone().key,
        schedulable=[t for t in db.session.scalars(g.readable_topics()) if g.can_schedule_live(t)],
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
    return naive.replace(tzinfo=zone).astimezone(UTC)


def _host_candidates(topic: Topic, me: User) -> list[User]:
    """Active members (other than me) who can read the topic: who may co-host."""
    return list(db.session.scalars(
        select(User).where(*readers_of_topic(topic), User.role.in_(("member", "admin")), User.id != me.id)
        .order_by(User.name).limit(HOST_CHOICES)))


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
            error, status = err, err.status
        else:
            flash(_("The live session is scheduled. People watching the topic were told."), "success")
            return redirect(url_for("live.session", session_id=session.id))
    return render_template("live/schedule.html", topic=topic, form=form, error=error, zone=zone.key,
                           candidates=_host_candidates(topic, g.user)), status


# --- calendar ----------------------------------------------------------------------------------
@bp.get("/live/<int:session_id>/questions.csv")
def export_questions(session_id: int) -> ResponseReturnValue:
    """The questions, votes and answers as a spreadsheet, for the hosts."""
    session = live_actions.get_session(session_id)
    guardian().ensure_read_live(session)
    return live_export.csv_response(live_export.questions_csv(actor(), session), session)


@bp.get("/live/<int:session_id>.ics")
def ics(session_id: int) -> ResponseReturnValue:
    """One VEVENT (RFC 5545) for calendar apps: times in UTC, text escaped and folded by icalendar."""
    session = live_actions.get_session(session_id)
    guardian().ensure_read_live(session)
    url = url_for("live.session", session_id=session.id, _external=True)
    calendar = Calendar()
    calendar.add("prodid", "-//Roundtable//Live sessions//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"live-session-{session.id}@{request.host.split(':')[0]}")
    event.add("dtstamp", utcnow().replace(microsecond=0))
    event.add("dtstart", aware(session.starts_at).astimezone(UTC).replace(microsecond=0))
    event.add("dtend", aware(session.ends_at).astimezone(UTC).replace(microsecond=0))
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
