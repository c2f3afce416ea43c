"""Dates of live sessions are right in every time zone and language (issue #15): a session
shows when it RAN once it has run (the schedule dated a session held on 4 Dec "Mon, 7 Dec",
and two sessions ended early were listed as "Ended · Sat, 5 Dec"), a session whose time
passed without a start says so, and times around midnight and across daylight-saving
changes land on the viewer's own day and clock. The .ics file keeps UTC instants.
"""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from community.extensions import db
from community.models import Thread, utcnow
from community.models.live import LiveSession
from tests.views.threads_support import html_of, text_of

UTC = UTC


def at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def session_at(app, world):
    """session_at(starts, ends, state="scheduled", started=None, ended=None, title=...) -> id.

    Scheduled through the real action (in the future, as the action wants), then moved to
    the given instants: the pages are what is tested here."""
    from community.actions import live

    def make(starts, ends, state="scheduled", started=None, ended=None, title="Wages in Tiruppur"):
        with app.app_context():
            soon = utcnow() + timedelta(hours=1)
            session = live.schedule(world.user("member"), world.topic("grievance"), title=title,
                                    starts_at=soon, ends_at=soon + timedelta(hours=1))
            session.starts_at, session.ends_at = starts, ends
            session.state, session.started_at, session.ended_at = state, started, ended
            db.session.commit()
            session_id = session.id
            db.session.remove()
        return session_id

    return make


def set_user(app, world, who: str, *, zone: str | None = None, locale: str | None = None) -> None:
    with app.app_context():
        user = world.user(who)
        if zone:
            user.timezone = zone
        if locale:
            user.locale = locale
        db.session.commit()


def card_text(html: str, title: str) -> str:
    """The text of the session card titled `title` on a list page."""
    cards = re.findall(r'<li class="live-card.*?</li>', html, re.S)
    found = [c for c in cards if title in c]
    assert found, f"no card for {title!r}"
    return " ".join(text_of(found[0]).split())


def header_text(html: str) -> str:
    match = re.search(r'<p class="live-when">(.*?)</p>', html, re.S)
    return " ".join(text_of(match.group(1)).split())


# --- a session shows when it ran ----------------------------------------------------------------
def test_an_ended_session_shows_the_day_it_ran_not_its_schedule(app, world, login_as, session_at):
    # Scheduled for Mon 7 Dec, held (started and ended early) on Fri 4 Dec.
    session_id = session_at(at(2026, 12, 7, 14), at(2026, 12, 7, 15), state="ended",
                            started=at(2026, 12, 4, 10, 5), ended=at(2026, 12, 4, 11, 20))
    client = login_as("supplier")
    card = card_text(html_of(client.get("/live")), "Wages in Tiruppur")
    assert "Fri, 4 Dec 2026, 10:05–11:20" in card and "7 Dec" not in card, card
    page = html_of(client.get(f"/live/{session_id}"))
    assert "Fri, 4 Dec 2026, 10:05–11:20" in header_text(page)
    assert '<time datetime="2026-12-04T10:05:00Z" data-absolute>' in page


def test_sessions_ended_early_are_not_dated_by_their_schedule(app, world, login_as, session_at):
    for title in ("First early session", "Second early session"):
        session_at(at(2026, 12, 5, 14), at(2026, 12, 5, 15), state="ended",
                   started=at(2026, 12, 4, 20), ended=at(2026, 12, 4, 20, 30), title=title)
    html = html_of(login_as("supplier").get("/live"))
    for title in ("First early session", "Second early session"):
        card = card_text(html, title)
        assert "Ended" in card and "Fri, 4 Dec 2026, 20:00–20:30" in card and "Sat, 5 Dec" not in card, card


def test_a_live_session_shows_when_it_started(app, world, login_as, session_at):
    now = utcnow().replace(second=0, microsecond=0)
    session_at(now + timedelta(days=2), now + timedelta(days=2, hours=1), state="live",
               started=now - timedelta(minutes=10))
    card = card_text(html_of(login_as("supplier").get("/live")), "Wages in Tiruppur")
    assert f"{now - timedelta(minutes=10):%H:%M}" in card, card


def test_a_session_whose_time_passed_without_a_start_says_so(app, world, login_as, session_at):
    past = utcnow() - timedelta(days=2)
    session_at(past, past + timedelta(hours=1))
    html = html_of(login_as("supplier").get("/live"))
    recent = html.split('id="live-recent-heading"', 1)[1]
    card = card_text(recent, "Wages in Tiruppur")
    assert "Did not take place" in card and "Scheduled" not in card
    assert "Add to calendar" not in card


# --- midnight and time zones ---------------------------------------------------------------------
@pytest.mark.parametrize("zone, expected", [
    ("UTC", "Fri, 4 Dec 2026, 23:30 – Sat, 5 Dec 2026, 00:20"),
    ("America/New_York", "Fri, 4 Dec 2026, 18:30–19:20"),
    ("Asia/Tokyo", "Sat, 5 Dec 2026, 08:30–09:20"),
    ("Asia/Kolkata", "Sat, 5 Dec 2026, 05:00–05:50"),
    ("Pacific/Auckland", "Sat, 5 Dec 2026, 12:30–13:20"),
    ("America/Los_Angeles", "Fri, 4 Dec 2026, 15:30–16:20"),
])
def test_around_midnight_each_viewer_sees_their_own_day(app, world, login_as, session_at, zone, expected):
    session_id = session_at(at(2026, 12, 4, 23, 30), at(2026, 12, 5, 0, 20))
    set_user(app, world, "supplier", zone=zone)
    client = login_as("supplier")
    assert expected in header_text(html_of(client.get(f"/live/{session_id}")))
    assert zone in html_of(client.get(f"/live/{session_id}"))


@pytest.mark.parametrize("zone, starts, ends, expected", [
    # Europe/Paris springs forward at 01:00 UTC on 28 Mar 2027: 01:30 CET, then 03:30 CEST.
    ("Europe/Paris", at(2027, 3, 28, 0, 30), at(2027, 3, 28, 1, 30), "Sun, 28 Mar 2027, 01:30–03:30"),
    # ...and falls back at 01:00 UTC on 31 Oct 2027: 02:30 CEST, then 02:30 CET.
    ("Europe/Paris", at(2027, 10, 31, 0, 30), at(2027, 10, 31, 1, 30), "Sun, 31 Oct 2027, 02:30–02:30"),
    # New York: 2 a.m. EST becomes 3 a.m. EDT on 14 Mar 2027 (07:00 UTC).
    ("America/New_York", at(2027, 3, 14, 6, 30), at(2027, 3, 14, 7, 30), "Sun, 14 Mar 2027, 01:30–03:30"),
    # Sydney's clocks go back on 4 Apr 2027 (16:00 UTC the day before).
    ("Australia/Sydney", at(2027, 4, 3, 15, 30), at(2027, 4, 3, 16, 30), "Sun, 4 Apr 2027, 02:30–02:30"),
])
def test_across_daylight_saving_changes(app, world, login_as, session_at, zone, starts, ends, expected):
    session_id = session_at(starts, ends)
    set_user(app, world, "supplier", zone=zone)
    assert expected in header_text(html_of(login_as("supplier").get(f"/live/{session_id}")))


@pytest.mark.parametrize("lang, expected", [
    ("fr", "sam. 5 déc. 2026, 08:30–09:20"),
    ("es", "sáb, 5 dic 2026, 8:30–9:20"),
    ("zh", "2026年12月5日周六 08:30–09:20"),
])
def test_in_the_viewers_language_and_zone(app, world, login_as, session_at, lang, expected):
    session_id = session_at(at(2026, 12, 4, 23, 30), at(2026, 12, 5, 0, 20))
    set_user(app, world, "supplier", zone="Asia/Tokyo")
    text = header_text(html_of(login_as("supplier").get(f"/live/{session_id}?lang={lang}")))
    assert expected in text, text


def test_arabic_dates_keep_the_viewers_day(app, world, login_as, session_at):
    session_id = session_at(at(2026, 12, 4, 23, 30), at(2026, 12, 5, 0, 20))
    set_user(app, world, "supplier", zone="Asia/Tokyo")
    text = header_text(html_of(login_as("supplier").get(f"/live/{session_id}?lang=ar")))
    assert "السبت" in text and "ديسمبر" in text and "الجمعة" not in text, text


# --- relative and full times elsewhere -----------------------------------------------------------
def test_older_dates_on_topic_pages_fall_on_the_viewers_day(app, world, login_as):
    from tests.actions.support import start

    # Ten days ago at 23:30 UTC: the next day in Tokyo, the same day in New York.
    moment = (utcnow() - timedelta(days=10)).replace(hour=23, minute=30, second=0, microsecond=0)
    with app.app_context():
        thread, _post = start(world, "member", title="Overtime records in Tiruppur")
        db.session.get(Thread, thread.id).last_activity_at = moment
        db.session.commit()
    for zone, day in (("Asia/Tokyo", moment + timedelta(days=1)), ("America/New_York", moment)):
        set_user(app, world, "supplier", zone=zone)
        html = html_of(login_as("supplier").get("/"))
        assert f"{day.day} {day:%B} {day.year}" in text_of(html), (zone, day)  # <relative-time> fallback


# --- the calendar file keeps UTC instants ----------------------------------------------------------
def test_ics_keeps_utc_instants_whatever_the_viewers_zone(app, world, login_as, session_at):
    session_id = session_at(at(2027, 3, 28, 0, 30), at(2027, 3, 28, 1, 30))
    set_user(app, world, "supplier", zone="Europe/Paris")
    ics = login_as("supplier").get(f"/live/{session_id}.ics").get_data(as_text=True)
    assert "DTSTART:20270328T003000Z" in ics and "DTEND:20270328T013000Z" in ics


def test_session_payload_times_are_utc(app, world, session_at):
    session_id = session_at(at(2026, 12, 7, 14), at(2026, 12, 7, 15), state="ended",
                            started=at(2026, 12, 4, 10, 5), ended=at(2026, 12, 4, 11, 20))
    with app.app_context():
        from community.actions.live import session_payload

        payload = session_payload(db.session.get(LiveSession, session_id))
    assert payload["starts_at"] == "2026-12-07T14:00:00Z"
    assert payload["started_at"] == "2026-12-04T10:05:00Z" and payload["ended_at"] == "2026-12-04T11:20:00Z"


# --- post times on a thread page: midnight and daylight-saving changes ---------------------------
def _thread_with_posts_at(app, world, *moments: datetime) -> int:
    """A thread whose posts (the opening one, then replies) were written at `moments`."""
    from tests.actions.support import answer, start

    with app.app_context():
        thread, opening = start(world, "member", title="Overtime records in Tiruppur")
        posts = [opening] + [answer(world, "supplier", thread, f"Reply number {n}") for n in range(1, len(moments))]
        for post, moment in zip(posts, moments, strict=True):
            post.created_at = moment
        db.session.commit()
        return thread.id


@pytest.mark.parametrize("zone, lang, expected", [
    # 20 Nov 2026, 23:30 UTC: the next morning in Tokyo, the same evening in New York.
    ("Asia/Tokyo", "en", "21 November 2026, 08:30 Japan Standard Time"),
    ("America/New_York", "en", "20 November 2026, 18:30 Eastern Standard Time"),
    ("UTC", "en", "20 November 2026, 23:30 UTC"),
    ("Asia/Tokyo", "fr", "21 novembre 2026, 08:30 heure normale du Japon"),
    ("America/New_York", "ar", "20 نوفمبر 2026"),
])
def test_post_times_around_midnight_fall_on_the_viewers_day(app, world, login_as, zone, lang, expected):
    thread_id = _thread_with_posts_at(app, world, at(2026, 11, 20, 23, 30))
    set_user(app, world, "supplier", zone=zone, locale=lang)  # (?lang= on a thread filters its posts)
    html = html_of(login_as("supplier").get(f"/threads/{thread_id}"))
    times = re.findall(r"<relative-time[^>]*>(.*?)</relative-time>", html)
    assert any(expected in t for t in times), times
    assert '<relative-time datetime="2026-11-20T23:30:00Z"' in html  # the instant itself stays UTC


def test_the_same_post_is_dated_for_each_viewer(app, world, login_as):
    """Pages of posts are cached per reader's language and zone: the next reader's zone is not the first's."""
    thread_id = _thread_with_posts_at(app, world, at(2026, 11, 20, 23, 30))
    for zone, expected in (("Asia/Tokyo", "21 November 2026, 08:30"), ("America/New_York", "20 November 2026, 18:30"),
                           ("Asia/Tokyo", "21 November 2026, 08:30")):
        set_user(app, world, "supplier", zone=zone)
        html = html_of(login_as("supplier").get(f"/threads/{thread_id}"))
        assert expected in html, zone


@pytest.mark.parametrize("zone, moments, expected", [
    # Paris springs forward at 01:00 UTC on 29 Mar 2026: an hour apart reads 01:30, then 03:30.
    ("Europe/Paris", (at(2026, 3, 29, 0, 30), at(2026, 3, 29, 1, 30)),
     ("29 March 2026, 01:30 Central European Standard Time", "29 March 2026, 03:30 Central European Summer Time")),
    # ...and falls back at 01:00 UTC on 25 Oct 2026: 02:30 twice, in summer time then standard time.
    ("Europe/Paris", (at(2026, 10, 25, 0, 30), at(2026, 10, 25, 1, 30)),
     ("25 October 2026, 02:30 Central European Summer Time", "25 October 2026, 02:30 Central European Standard Time")),
    # New York falls back at 06:00 UTC on 1 Nov 2026: 01:30 EDT, then 01:30 EST.
    ("America/New_York", (at(2026, 11, 1, 5, 30), at(2026, 11, 1, 6, 30)),
     ("1 November 2026, 01:30 Eastern Daylight Time", "1 November 2026, 01:30 Eastern Standard Time")),
    # ...and springs forward on 8 Mar 2026 (07:00 UTC): 01:30 EST, then 03:30 EDT.
    ("America/New_York", (at(2026, 3, 8, 6, 30), at(2026, 3, 8, 7, 30)),
     ("8 March 2026, 01:30 Eastern Standard Time", "8 March 2026, 03:30 Eastern Daylight Time")),
])
def test_post_times_across_daylight_saving_changes(app, world, login_as, zone, moments, expected):
    thread_id = _thread_with_posts_at(app, world, *moments)
    set_user(app, world, "supplier", zone=zone)
    html = html_of(login_as("supplier").get(f"/threads/{thread_id}"))
    times = re.findall(r"<relative-time[^>]*>(.*?)</relative-time>", html)
    for wanted in expected:
        assert any(wanted in t for t in times), (wanted, times)


# --- the calendar file of a session scheduled across midnight, from a zone ahead of UTC and one behind --
@pytest.mark.parametrize("zone, dtstart, dtend", [
    # 23:30 on 4 Dec in Tokyo (UTC+9) is 14:30 UTC the same day; it ends at 00:30 on the 5th there.
    ("Asia/Tokyo", "20271204T143000Z", "20271204T153000Z"),
    # 23:30 on 4 Dec in New York (UTC-5) is 04:30 UTC on the 5th.
    ("America/New_York", "20271205T043000Z", "20271205T053000Z"),
])
def test_a_session_scheduled_across_midnight_keeps_its_instants_in_the_ics(app, world, login_as, zone, dtstart, dtend):
    set_user(app, world, "member", zone=zone)
    host = login_as("member")
    made = host.post("/t/grievance/live/new", data={
        "title": "Night shift questions", "starts_at": "2027-12-04T23:30", "ends_at": "2027-12-05T00:30"})
    assert made.status_code == 302, made.get_data(as_text=True)
    session_id = int(made.headers["Location"].rsplit("/", 1)[1])
    assert "Sat, 4 Dec 2027, 23:30 – Sun, 5 Dec 2027, 00:30" in header_text(html_of(host.get(made.headers["Location"])))
    ics = host.get(f"/live/{session_id}.ics").get_data(as_text=True)
    assert f"DTSTART:{dtstart}" in ics and f"DTEND:{dtend}" in ics, ics
    # Someone in another zone downloads the same instants.
    set_user(app, world, "supplier", zone="Pacific/Auckland")
    ics = login_as("supplier").get(f"/live/{session_id}.ics").get_data(as_text=True)
    assert f"DTSTART:{dtstart}" in ics and f"DTEND:{dtend}" in ics


def test_a_session_across_midnight_on_the_night_clocks_go_back_in_the_ics(app, world, login_as):
    """Paris, 30 Oct 2027 23:30 (summer time, UTC+2) to 31 Oct 00:30: the change comes later that night."""
    set_user(app, world, "member", zone="Europe/Paris")
    host = login_as("member")
    made = host.post("/t/grievance/live/new", data={
        "title": "Night shift questions", "starts_at": "2027-10-30T23:30", "ends_at": "2027-10-31T00:30"})
    assert made.status_code == 302, made.get_data(as_text=True)
    session_id = int(made.headers["Location"].rsplit("/", 1)[1])
    ics = host.get(f"/live/{session_id}.ics").get_data(as_text=True)
    assert "DTSTART:20271030T213000Z" in ics and "DTEND:20271030T223000Z" in ics, ics


# --- a reminder's time in the bookmark form: the reader's clock, whatever the server's -------------
def test_a_reminder_across_midnight_is_shown_in_the_readers_zone_on_any_server(app, world, login_as, monkeypatch):
    """Stored 23:30 UTC (naive on SQLite): 08:30 the next day in Tokyo, also on a server whose own
    clock is not UTC (a naive time must not be read in the server's zone)."""
    import time

    from community.actions.bookmarks import save_bookmark
    from community.models import Bookmark
    from tests.actions.support import start

    with app.app_context():
        thread, _post = start(world, "member", title="Night shift wages")
        save_bookmark(world.user("supplier"), thread=thread, remind_at=at(2027, 12, 4, 23, 30))
        db.session.commit()
        thread_id = thread.id
        bookmark_id = db.session.scalar(db.select(Bookmark.id))
    set_user(app, world, "supplier", zone="Asia/Tokyo")
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        client = login_as("supplier")
        form = client.get(f"/bookmarks/new?thread_id={thread_id}").get_data(as_text=True)
        listed = client.get(f"/bookmarks?edit={bookmark_id}").get_data(as_text=True)
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    assert 'value="2027-12-05T08:30"' in form
    assert 'value="2027-12-05T08:30"' in listed
    assert "5 December 2027, 08:30 Japan Standard Time" in listed
