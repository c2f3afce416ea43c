"""Dates and times as the reader reads them: the one server module for it.

Every date is shown in the reader's language (CLDR patterns through Babel) and, unless it
says "UTC", in their time zone (User.timezone; UTC when unset or unknown). English reads
as British English, the interface's own spelling: "3 March 2026, 14:05", not "March 3,
2026, 2:05 PM". The browser turns <relative-time> elements into "3 minutes ago" and keeps
them current; `reltime` is the same wording for the page as sent (and for tests).

Template filters: reltime, fulltime, isotime; globals: utc_when, live_when, live_zone
(registered by init_app). The zones a person may choose: zone_name() (a known IANA name, or
None) and zone_choices() (the settings page's <select>, by region, with each zone's offset now).
"""
from __future__ import annotations

import functools
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel import Locale
from flask import Flask
from flask_babel import format_date, format_datetime, format_time, format_timedelta, get_locale, get_timezone
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from .models import utcnow
from .models.base import iso


def aware(value: datetime) -> datetime:
    """A stored time (UTC, naive on SQLite) with its zone."""
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def zone_of(user) -> ZoneInfo:
    """`user`'s time zone (User.timezone); UTC when unset or unknown."""
    name = getattr(user, "timezone", None) or "UTC"
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


_recipient_zone: ContextVar[ZoneInfo | None] = ContextVar("recipient_zone", default=None)


@contextmanager
def zone_for(user):
    """Within it, the reader is `user` (a notification or an email worded for its recipient,
    whoever's request this is)."""
    token = _recipient_zone.set(zone_of(user))
    try:
        yield
    finally:
        _recipient_zone.reset(token)


def viewer_zone() -> ZoneInfo:
    """The reader's time zone (the recipient's inside zone_for, else the signed-in user's);
    UTC when unset or unknown."""
    zone = _recipient_zone.get()
    return zone if zone is not None else zone_of(current_user)


def pattern_locale() -> Locale:
    """The locale whose CLDR patterns shape dates and times: plain English reads as British
    English ("Tue, 3 Mar 2026, 14:00"); a language with a territory keeps its own."""
    locale = get_locale() or Locale("en")
    if locale.language == "en" and not locale.territory:
        return Locale("en", "GB")
    return locale


# --- relative and full times (the reader's zone) ----------------------------------------------
def reltime(value: datetime | None) -> str:
    """'3 minutes ago' in the reader's language; older than a week: the date in their time zone."""
    if value is None:
        return ""
    value = aware(value)
    delta = value - utcnow()  # negative: in the past
    if abs(delta.total_seconds()) < 45:
        return _("just now")
    if abs(delta) < timedelta(days=7):
        return format_timedelta(delta, granularity="minute", add_direction=True)
    return format_date(value, pattern_locale().date_formats["medium"].pattern)


def fulltime(value: datetime | None) -> str:
    """The date and time in the reader's language and time zone, naming the zone."""
    if value is None:
        return ""
    return _fulltime(value, str(get_locale()), str(get_timezone()))


@functools.lru_cache(maxsize=8192)
def _fulltime(value: datetime, _language: str, _zone: str) -> str:
    """fulltime() for one language and zone (the key: what the formatting below reads from the
    request). Lists show the same times over and over (a page of threads, every reader's home),
    and CLDR formatting costs about a tenth of a millisecond each."""
    locale = pattern_locale()
    # UTC reads best short ("UTC"); other zones by name ("India Standard Time"), not "+0530".
    zone = "z" if str(get_timezone()) == "UTC" else "zzzz"
    pattern = (locale.datetime_formats["long"]
               .replace("{1}", locale.date_formats["long"].pattern)
               .replace("{0}", f"{locale.time_formats['short'].pattern} {zone}"))
    return format_datetime(aware(value), pattern)


def isotime(value: datetime | None) -> str:
    """For machines: <time datetime>, <relative-time datetime>."""
    return iso(value) or ""


# --- moments already placed in a zone ---------------------------------------------------------
# The moments below are already in the zone they are shown in (the viewer's, or UTC), so
# flask_babel must not rebase them again.
def day(moment: datetime) -> str:
    """The date with its weekday: "Tue, 3 Mar 2026", "mar, 3 mar 2026", "2026年3月3日周二"."""
    return format_date(moment, str(pattern_locale().datetime_skeletons["yMMMEd"]), rebase=False)


def clock(moment: datetime) -> str:
    """The clock time in the language's short form: "14:00", "2:00 م"."""
    return format_time(moment, str(pattern_locale().time_formats["short"]), rebase=False)


def at(day_text: str, time_text: str) -> str:
    """A date and a time joined as the language joins them ("{1}, {0}"; "{1} {0}" in Chinese)."""
    joined = str(pattern_locale().datetime_formats.get("medium", "{1}, {0}")).replace("'", "")
    return joined.replace("{1}", day_text).replace("{0}", time_text)


def local_clock(value: datetime | None) -> str:
    """The clock time of a stored moment in the viewer's zone ("14:05")."""
    return clock(aware(value).astimezone(viewer_zone())) if value else ""


def utc_when(value: datetime | None, with_time: bool = True, year: bool = True) -> str:
    """A stored time as the viewer's language writes it, kept in UTC (the administration and
    moderation pages label it so): "3 Mar 2026, 14:00", "3 mar 2026, 14:00", "2026年3月3日 14:00"."""
    if value is None:
        return ""
    moment = aware(value).astimezone(UTC)
    date_text = format_date(moment, str(pattern_locale().datetime_skeletons["yMMMd" if year else "MMMd"]),
                            rebase=False)
    return at(date_text, clock(moment)) if with_time else date_text


def live_when(session) -> dict:
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
        end = max(aware(session.ends_at), aware(start))
    local_start = aware(start).astimezone(zone)
    missed = session.state == "scheduled" and aware(session.ends_at) < utcnow()
    return {"starts_iso": iso(start), "ends_iso": iso(end), "text": span_text(start, end, zone),
            "start_text": at(day(local_start), clock(local_start)),
            "zone": zone.key, "ran": ran, "missed": missed,
            "scheduled_text": span_text(session.starts_at, session.ends_at, zone)}


def span_text(start: datetime, end: datetime, zone: ZoneInfo) -> str:
    """"Fri, 4 Dec 2026, 14:00–15:10", or both dates when it crosses midnight in `zone`."""
    start, end = aware(start).astimezone(zone), aware(end).astimezone(zone)
    if start.date() == end.date():
        return at(day(start), f"{clock(start)}–{clock(end)}")
    return f"{at(day(start), clock(start))} – {at(day(end), clock(end))}"


def live_zone() -> str:
    return viewer_zone().key


# --- the zones one may choose ----------------------------------------------------------------------
# Other names of UTC (browsers report "Etc/UTC" or "UTC"): stored as "UTC", which dates name short.
UTC_ALIASES = frozenset({"UTC", "Etc/UTC", "Etc/UCT", "UCT", "Etc/Universal", "Universal", "Etc/Zulu", "Zulu"})
# The <optgroup>s of the settings page: IANA's regions, in its order; any other name is under "Other time zones".
REGIONS = (("Africa", _l("Africa")), ("America", _l("America")), ("Antarctica", _l("Antarctica")),
           ("Arctic", _l("Arctic")), ("Asia", _l("Asia")), ("Atlantic", _l("Atlantic Ocean")),
           ("Australia", _l("Australia")), ("Europe", _l("Europe")), ("Indian", _l("Indian Ocean")),
           ("Pacific", _l("Pacific Ocean")))


@functools.cache
def known_zones() -> frozenset[str]:
    """Every IANA name this server knows (older spellings too: browsers still report
    "Asia/Calcutta"), and "UTC"."""
    return frozenset(available_timezones()) | {"UTC"}


def zone_name(value) -> str | None:
    """`value` if it names a known zone ("UTC" for any of UTC's names), else None."""
    if not isinstance(value, str) or not value or len(value) > 64:
        return None
    if value in UTC_ALIASES:
        return "UTC"
    return value if value in known_zones() else None


def offset_text(zone: ZoneInfo, moment: datetime) -> str:
    """The zone's offset from UTC at `moment`: "UTC+09:00", "UTC-03:30", "UTC+00:00"."""
    minutes = int(aware(moment).astimezone(zone).utcoffset().total_seconds() // 60)
    return f"UTC{'-' if minutes < 0 else '+'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def zone_choices(current: str | None = None) -> list[tuple[str, list[tuple[str, str]]]]:
    """The settings page's zones: [(region label, [(name, "Asia/Tokyo (UTC+09:00)")])] by
    region, each by name, with its offset now; "UTC" under "Other time zones", and `current` too when no
    region lists it ("US/Eastern"; or a name that was refused, so the form shows what was sent)."""
    now = utcnow()
    groups: dict[str, list[tuple[str, str]]] = {prefix: [] for prefix, _label in REGIONS}
    for name in sorted(known_zones()):
        prefix = name.split("/", 1)[0]
        if prefix in groups and "/" in name:
            groups[prefix].append((name, f"{name} ({offset_text(ZoneInfo(name), now)})"))
    other = [("UTC", "UTC")]
    if current and current != "UTC" and current not in {name for name, _label in groups.get(
            current.split("/", 1)[0], ())}:
        known = zone_name(current)
        other.append((current, f"{current} ({offset_text(ZoneInfo(known), now)})" if known else current))
    return [(str(label), groups[prefix]) for prefix, label in REGIONS] + [(_("Other time zones"), other)]


def init_app(app: Flask) -> None:
    for name, function in (("reltime", reltime), ("fulltime", fulltime), ("isotime", isotime)):
        app.add_template_filter(function, name)
    for name, function in (("utc_when", utc_when), ("live_when", live_when), ("live_zone", live_zone)):
        app.add_template_global(function, name)
