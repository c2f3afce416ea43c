"""The live-session pages: the sessions list, scheduling, the session page and its plain
forms (start, end, ask, vote, moderate, chat, hide, silence), the .ics file, and the
upcoming sessions on the home and topic pages.

Who sees what (outsiders of a closed topic get 404 everywhere), refused forms keep the
typed text, anonymous askers are never named to non-moderators, and no page carries an
inline script, style or handler (the CSP forbids them).
"""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

import pytest

from community.extensions import db
from community.models import utcnow
from community.models.live import LiveQuestion, LiveSession, LiveSilence
from tests.views.threads_support import assert_csp_clean, html_of, set_topic, text_of


# --- helpers ------------------------------------------------------------------------------
def iso_in(minutes: float) -> str:
    return (utcnow() + timedelta(minutes=minutes)).isoformat().replace("+00:00", "Z")


@pytest.fixture
def make_session(app, world):
    """make_session(host="member", topic="grievance", start=False, hosts=(), **kw) -> session id."""
    from community.actions import live

    def make(host: str = "member", topic: str = "grievance", start: bool = False, hosts=(), **kw) -> int:
        kw.setdefault("title", "Ask the brands: recruitment fees")
        kw.setdefault("starts_at", iso_in(60))
        kw.setdefault("ends_at", iso_in(120))
        with app.app_context():
            session = live.schedule(world.user(host), world.topic(topic),
                                    hosts=[world.ids[h] for h in hosts], **kw)
            if start:
                live.start(world.user(host), session)
            session_id = session.id
            db.session.remove()
        return session_id

    return make


@pytest.fixture
def run(app):
    """run(fn) calls fn() in a fresh app context and returns its result."""

    def _run(fn):
        with app.app_context():
            try:
                return fn()
            finally:
                db.session.remove()

    return _run


def ask(app, world, who: str, session_id: int, body: str, anonymous: bool = False) -> int:
    from community.actions import live

    with app.app_context():
        question = live.ask(world.user(who), db.session.get(LiveSession, session_id), body, anonymous=anonymous)
        return question.id


def chat(app, world, who: str, session_id: int, body: str) -> int:
    from community.actions import live

    with app.app_context():
        return live.chat(world.user(who), db.session.get(LiveSession, session_id), body).id


def question_item(html: str, question_id: int) -> str:
    match = re.search(rf'<li class="live-question[^"]*" id="q-{question_id}"[\s\S]*?</li>', html)
    return match.group(0) if match else ""


def set_timezone(app, world, who: str, zone: str) -> None:
    with app.app_context():
        world.user(who).timezone = zone
        db.session.commit()


# --- signing in and outsiders ----------------------------------------------------------------
@pytest.mark.parametrize("path", ["/live", "/live/1", "/live/1.ics", "/t/grievance/live/new"])
def test_pages_need_sign_in(client, world, path):
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_outsiders_of_a_closed_topic_get_404_everywhere(app, world, login_as, make_session):
    session_id = make_session(topic="members-lounge", title="Members only planning call")
    question_id = ask(app, world, "member", session_id, "A members-only question?")
    outsider = login_as("supplier")
    for path in (f"/live/{session_id}", f"/live/{session_id}.ics", "/t/members-lounge/live/new"):
        response = outsider.get(path)
        assert response.status_code == 404, path
        assert "Members only planning call" not in html_of(response)
    for path, data in ((f"/live/{session_id}/start", {}), (f"/live/{session_id}/end", {}),
                       (f"/live/{session_id}/questions", {"body": "let me in"}),
                       (f"/live/{session_id}/questions/{question_id}/vote", {"value": "1"}),
                       (f"/live/{session_id}/questions/{question_id}/moderate", {"action": "hide"}),
                       (f"/live/{session_id}/chat", {"body": "hello"}),
                       (f"/live/{session_id}/silence", {"user_id": str(world.ids["member"])})):
        assert outsider.post(path, data=data).status_code == 404, path
    for path in ("/live", "/"):
        assert "Members only planning call" not in html_of(outsider.get(path))
    # the insiders read it
    insider = login_as("member2")
    assert insider.get(f"/live/{session_id}").status_code == 200
    assert "Members only planning call" in html_of(insider.get("/live"))
    assert outsider.get("/live/99999").status_code == 404


# --- the sessions list --------------------------------------------------------------------------
def test_index_shows_times_in_the_viewers_time_zone(app, world, login_as, make_session):
    start = (utcnow() + timedelta(days=2)).replace(hour=8, minute=30, second=0, microsecond=0)
    session_id = make_session(title="Kolkata morning session", starts_at=start, ends_at=start + timedelta(hours=1))
    set_timezone(app, world, "supplier", "Asia/Kolkata")
    html = html_of(login_as("supplier").get("/live"))
    assert "Kolkata morning session" in html
    assert "Asia/Kolkata" in html
    local = start.astimezone(timezone(timedelta(hours=5, minutes=30)))
    assert f"{local:%H:%M}–15:00" in html and f"{local.day} {local:%b %Y}" in html  # 14:00–15:00 IST
    assert f'<time datetime="{start:%Y-%m-%dT%H:%M:%S}Z" data-absolute>' in html
    assert f'href="/live/{session_id}.ics"' in html
    # someone in UTC sees UTC
    html = html_of(login_as("supplier2").get("/live"))
    assert "08:30–09:30" in html and "UTC" in html
    assert_csp_clean(html)


def test_index_sorts_live_upcoming_and_recent(app, world, login_as, make_session):
    from community.actions import live

    live_id = make_session(title="Happening right now", starts_at=iso_in(-5), start=True)
    make_session(title="Coming up later")
    ended_id = make_session(title="Already over", starts_at=iso_in(-30), start=True)
    with app.app_context():
        live.end(world.user("member"), db.session.get(LiveSession, ended_id))
    html = text_of(html_of(login_as("supplier").get("/live")))
    now, rest = html.split("Upcoming", 1)
    upcoming, recent = rest.split("Recent", 1)
    assert "Happening right now" in now and "Live now" in now
    assert "Coming up later" in upcoming
    assert "Already over" in recent and "Archive" in recent
    assert live_id


# --- scheduling -----------------------------------------------------------------------------------
def test_schedule_form_is_for_members_of_the_topic(app, world, login_as):
    member = login_as("member")
    html = html_of(member.get("/t/grievance/live/new"))
    assert 'type="datetime-local"' in html and 'name="approve_questions"' in html
    assert "Member2" in html and 'name="hosts"' in html          # co-hosts from a list
    assert "Supplier" not in html                                # suppliers cannot host
    assert "UTC" in html
    assert_csp_clean(html)
    response = login_as("supplier").get("/t/grievance/live/new")
    assert response.status_code == 403
    assert "Only members and moderators can schedule live sessions." in html_of(response)
    assert login_as("supplier").post("/t/grievance/live/new", data={"title": "Sneaky"}).status_code == 403


def test_schedule_reads_times_in_the_viewers_zone_and_adds_hosts(app, world, login_as):
    set_timezone(app, world, "member", "Asia/Kolkata")
    day = (datetime.now(UTC) + timedelta(days=3)).date()
    response = login_as("member").post("/t/grievance/live/new", data={
        "title": "Wages in Tiruppur", "description": "Bring your questions; all welcome.",
        "starts_at": f"{day}T14:00", "ends_at": f"{day}T15:30",
        "hosts": [str(world.ids["member2"])], "host_emails": "Moderator@example.com",
        "approve_questions": "on",
    })
    assert response.status_code == 302
    session_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        session = db.session.get(LiveSession, session_id)
        assert session.title == "Wages in Tiruppur" and session.approve_questions
        assert session.starts_at.replace(tzinfo=UTC) == datetime(day.year, day.month, day.day, 8, 30,
                                                                         tzinfo=UTC)
        assert session.ends_at.replace(tzinfo=UTC) == datetime(day.year, day.month, day.day, 10, 0,
                                                                       tzinfo=UTC)
        assert session.host_ids == {world.ids["member"], world.ids["member2"], world.ids["moderator"]}
    html = html_of(login_as("member").get(f"/live/{session_id}"))
    assert "14:00–15:30" in html and "Asia/Kolkata" in html


@pytest.mark.parametrize("change, message, status", [
    ({"ends_at": "{day}T13:00"}, "The session must end after it starts.", 400),
    ({"starts_at": "next tuesday"}, "The start must be a date and time", 400),
    ({"title": "Hi"}, "The title must be at least 5 characters.", 400),
    ({"host_emails": "nobody@example.com"}, "Nobody has the email nobody@example.com", 400),
    ({"host_emails": "supplier@example.com"}, "Supplier cannot host: hosts are members.", 400),
])
def test_schedule_errors_keep_everything_typed(app, world, login_as, change, message, status):
    day = (datetime.now(UTC) + timedelta(days=3)).date()
    data = {"title": "Wages in Tiruppur", "description": "Line one\nline two <b>kept</b>",
            "starts_at": f"{day}T14:00", "ends_at": f"{day}T15:30",
            "hosts": [str(world.ids["member2"])], "host_emails": "", "approve_questions": "on"}
    data.update({k: v.format(day=day) for k, v in change.items()})
    response = login_as("member").post("/t/grievance/live/new", data=data)
    assert response.status_code == status
    html = html_of(response)
    assert message in html
    assert f'value="{data["title"]}"' in html
    assert "Line one\nline two &lt;b&gt;kept&lt;/b&gt;</textarea>" in html
    assert f'value="{data["starts_at"]}"' in html and f'value="{data["ends_at"]}"' in html
    assert f'value="{world.ids["member2"]}" id="host-{world.ids["member2"]}" checked' in html
    assert 'id="live-approve" name="approve_questions" value="on" checked' in html
    if data["host_emails"]:
        assert f'value="{data["host_emails"]}"' in html
    with app.app_context():
        assert db.session.query(LiveSession).count() == 0


# --- the session page ------------------------------------------------------------------------------
def test_session_page_for_a_participant_and_a_host(app, world, login_as, make_session):
    session_id = make_session(hosts=("member2",), description="Fees; wages, and more")
    html = html_of(login_as("supplier").get(f"/live/{session_id}"))
    assert "Ask the brands: recruitment fees" in html and "Fees; wages, and more" in html
    assert 'id="live-state" class="badge live-state live-state--scheduled">Scheduled<' in html
    assert 'id="ask-form"' in html and 'id="chat-form"' in html
    assert "live-start-form" not in html and "live-end-form" not in html
    assert 'name="anonymous"' in html                            # grievance allows anonymous questions
    assert "The chat opens when the session starts." in html
    # the page script is a module that shares the page's one connection (static/js/socket.js)
    assert '<script type="module" src="/static/js/live_session.js"></script>' in html
    assert html.index('src="/static/js/app.js"') < html.index('src="/static/js/live_session.js"')
    assert 'data-session-id="%d"' % session_id in html
    assert_csp_clean(html)
    for host in ("member", "member2", "moderator", "admin"):
        html = html_of(login_as(host).get(f"/live/{session_id}"))
        assert 'id="live-start-form"' in html and 'id="live-end-form"' in html, host
        assert_csp_clean(html)
    # no anonymous box where the topic does not allow it
    other = make_session(topic="announcements")
    assert 'name="anonymous"' not in html_of(login_as("supplier").get(f"/live/{other}"))


def test_start_and_end_with_plain_forms(app, world, login_as, make_session):
    session_id = make_session(hosts=("member2",))
    supplier = login_as("supplier")
    response = supplier.post(f"/live/{session_id}/start")
    assert response.status_code == 403
    assert "Only this session&#39;s hosts and the topic&#39;s moderators can do that." in html_of(response)
    assert supplier.post(f"/live/{session_id}/end").status_code == 403
    with app.app_context():
        assert db.session.get(LiveSession, session_id).state == "scheduled"

    host = login_as("member2")
    response = host.post(f"/live/{session_id}/start")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/live/{session_id}")
    html = html_of(host.get(f"/live/{session_id}"))
    assert "live-state--live" in html and "The session is live." in html
    again = host.post(f"/live/{session_id}/start")
    assert again.status_code == 409 and "This session is already live." in html_of(again)

    assert host.post(f"/live/{session_id}/end").status_code == 302
    with app.app_context():
        session = db.session.get(LiveSession, session_id)
        assert session.state == "ended" and session.archive_thread_id
        archive_id = session.archive_thread_id
    html = html_of(supplier.get(f"/live/{session_id}"))
    assert "live-state--ended" in html
    assert f'id="live-archive-link" href="/threads/{archive_id}"' in html
    assert "Questions are closed: the session has ended." in html


def test_ask_with_the_plain_form(app, world, login_as, make_session):
    session_id = make_session(start=True)
    supplier = login_as("supplier")
    response = supplier.post(f"/live/{session_id}/questions", data={"body": "How do we **repay** fees?",
                                                                    "client_id": "c1"})
    assert response.status_code == 302 and "#q-" in response.headers["Location"]
    with app.app_context():
        question = db.session.query(LiveQuestion).one()
        assert question.author_id == world.ids["supplier"] and question.state == "visible"
    html = html_of(supplier.get(f"/live/{session_id}"))
    item = question_item(html, question.id)
    assert "<strong>repay</strong>" in item and "Supplier" in item and "Textiles Ltd" in item
    # a named asker's avatar (initials on their colour) inside the link to their profile
    assert re.search(r'<a class="person-link live-question-person" href="/users/%d"><svg class="avatar"[^>]*>.*?>S</text>'
                     % world.ids["supplier"], item)
    assert "Your question was posted." in html
    # the same client_id again is the same question
    supplier.post(f"/live/{session_id}/questions", data={"body": "How do we **repay** fees?", "client_id": "c1"})
    with app.app_context():
        assert db.session.query(LiveQuestion).count() == 1


@pytest.mark.parametrize("body, message", [
    ("   ", "Your question cannot be empty."),
    ("x" * 2001, "Your question is too long: 2,001 characters, the limit is 2,000."),
])
def test_refused_question_keeps_the_text(app, world, login_as, make_session, body, message):
    session_id = make_session(start=True)
    response = login_as("supplier").post(f"/live/{session_id}/questions",
                                         data={"body": body, "anonymous": "on"})
    assert response.status_code == 400
    html = html_of(response)
    assert f'id="ask-error" class="alert alert-danger" role="alert">{message}</div>' in html
    assert f">{body}</textarea>" in html
    assert 'id="ask-anonymous" name="anonymous" value="on" checked' in html
    assert_csp_clean(html)


def test_vote_toggle_with_the_plain_form(app, world, login_as, make_session):
    session_id = make_session(start=True)
    question_id = ask(app, world, "supplier", session_id, "What counts as a recruitment fee in practice?")
    voter = login_as("supplier2")
    path = f"/live/{session_id}/questions/{question_id}/vote"
    html = html_of(voter.get(f"/live/{session_id}"))
    item = question_item(html, question_id)
    assert 'aria-pressed="false"' in item
    assert 'aria-label="Upvote: What counts as a recruitment fee in practice?, 0 votes"' in item
    assert voter.post(path, data={"value": "1", "order": "newest"}).headers["Location"].endswith(
        f"/live/{session_id}?order=newest#q-{question_id}")
    voter.post(path, data={"value": "1"})                        # idempotent
    item = question_item(html_of(voter.get(f"/live/{session_id}")), question_id)
    assert 'aria-pressed="true"' in item and ", 1 vote\"" in item
    assert 'name="value" value="0"' in item                     # the button now takes the vote back
    with app.app_context():
        assert db.session.get(LiveQuestion, question_id).votes == 1
    voter.post(path, data={"value": "0"})
    with app.app_context():
        assert db.session.get(LiveQuestion, question_id).votes == 0


def test_sort_by_votes_or_newest(app, world, login_as, make_session):
    from community.actions import live

    session_id = make_session(start=True)
    first = ask(app, world, "supplier", session_id, "First question, few votes")
    second = ask(app, world, "supplier2", session_id, "Second question, many votes")
    with app.app_context():
        session = db.session.get(LiveSession, session_id)
        live.vote(world.user("member2"), session, db.session.get(LiveQuestion, second))
    reader = login_as("member2")
    html = html_of(reader.get(f"/live/{session_id}"))
    assert html.index(f'id="q-{second}"') < html.index(f'id="q-{first}"')
    assert 'data-order="votes" aria-current="true"' in html
    # newest first, but the second question is newer anyway: add a third with no votes
    third = ask(app, world, "supplier", session_id, "Third question, newest")
    html = html_of(reader.get(f"/live/{session_id}?order=newest"))
    assert html.index(f'id="q-{third}"') < html.index(f'id="q-{second}"') < html.index(f'id="q-{first}"')
    assert 'data-order="newest" aria-current="true"' in html


def test_host_handles_questions_with_plain_forms(app, world, login_as, make_session):
    session_id = make_session(start=True)
    question_id = ask(app, world, "supplier", session_id, "Is a deposit a fee?")
    host = login_as("member")
    path = f"/live/{session_id}/questions/{question_id}/moderate"
    assert login_as("supplier2").post(path, data={"action": "answering"}).status_code == 403

    assert host.post(path, data={"action": "answering"}).status_code == 302
    item = question_item(html_of(login_as("supplier2").get(f"/live/{session_id}")), question_id)
    assert "live-question--answering" in item
    assert re.search(r'data-states="answering">\s*<i[^>]*></i> Answering now', item)  # shown, not hidden

    refused = host.post(path, data={"action": "answered", "answer": "  "})
    assert refused.status_code == 400
    html = html_of(refused)
    assert "The answer cannot be empty." in html
    assert re.search(r'<details class="live-answer-form"[^>]*open>', question_item(html, question_id))

    assert host.post(path, data={"action": "answered", "answer": "Yes: *any* deposit."}).status_code == 302
    item = question_item(html_of(login_as("supplier2").get(f"/live/{session_id}")), question_id)
    assert "live-question--answered" in item and "<em>any</em> deposit." in item

    assert host.post(path, data={"action": "hide"}).status_code == 302
    assert f'id="q-{question_id}"' not in html_of(login_as("supplier2").get(f"/live/{session_id}"))


def test_approval_mode(app, world, login_as, make_session):
    session_id = make_session(start=True, approve_questions=True)
    login_as("supplier").post(f"/live/{session_id}/questions", data={"body": "Waiting for a yes"})
    with app.app_context():
        question = db.session.query(LiveQuestion).one()
        assert question.state == "pending"
    # the author sees it, marked; another participant does not
    author_html = html_of(login_as("supplier").get(f"/live/{session_id}"))
    item = question_item(author_html, question.id)
    assert "Waiting for a yes" in item and "live-question--pending" in item
    assert "Waiting for a yes" not in html_of(login_as("supplier2").get(f"/live/{session_id}"))
    # the host sees it in the approval list
    host_html = html_of(login_as("member").get(f"/live/{session_id}"))
    pending = host_html.split('id="pending-list"', 1)[1].split("</ol>", 1)[0]
    assert f'id="q-{question.id}"' in pending and "Approve<span class=\"visually-hidden js-q-summary\" dir=\"auto\">: Waiting for a yes</span>" in pending
    path = f"/live/{session_id}/questions/{question.id}/moderate"
    assert login_as("member").post(path, data={"action": "approve"}).status_code == 302
    assert "Waiting for a yes" in html_of(login_as("supplier2").get(f"/live/{session_id}"))


def test_anonymous_questions_never_name_the_author_to_non_moderators(app, world, login_as, make_session):
    session_id = make_session(start=True)
    question_id = ask(app, world, "supplier", session_id, "Our agent charges workers; what now?", anonymous=True)
    for viewer in ("supplier2", "member", "member2"):           # member hosts but does not moderate
        html = html_of(login_as(viewer).get(f"/live/{session_id}"))
        item = question_item(html, question_id)
        assert "Anonymous supplier" in item, viewer
        assert 'class="avatar"' not in item, viewer  # no initials, no colour of theirs
        for secret in ("Textiles Ltd", "supplier@example.com", ">Supplier<", "Supplier,", "@supplier"):
            assert secret not in html, (viewer, secret)
        assert not re.search(r"(author|user)[_-]?id\W{1,4}%d\b" % world.ids["supplier"], html), viewer
    own = question_item(html_of(login_as("supplier").get(f"/live/{session_id}")), question_id)
    assert "Anonymous supplier" in own and "(you)" in own
    moderator = question_item(html_of(login_as("moderator").get(f"/live/{session_id}")), question_id)
    assert "Textiles Ltd" not in moderator and "Reveal author" in moderator  # a logged reveal first


def test_chat_with_the_plain_form(app, world, login_as, make_session):
    session_id = make_session()
    supplier = login_as("supplier")
    early = supplier.post(f"/live/{session_id}/chat", data={"body": "Hello, too early?"})
    assert early.status_code == 400
    html = html_of(early)
    assert "The chat opens when the session starts." in html and 'value="Hello, too early?"' in html
    login_as("member").post(f"/live/{session_id}/start")
    response = supplier.post(f"/live/{session_id}/chat", data={"body": "Hello from *Tiruppur*"})
    assert response.status_code == 302 and response.headers["Location"].endswith("#chat")
    html = html_of(supplier.get(f"/live/{session_id}"))
    chat_list = html.split('id="chat-list"', 1)[1].split("</ol>", 1)[0]
    assert "Hello from <em>Tiruppur</em>" in chat_list and "Textiles Ltd" in chat_list
    empty = supplier.post(f"/live/{session_id}/chat", data={"body": ""})
    assert empty.status_code == 400 and "Your message cannot be empty." in html_of(empty)


def test_chat_flood_keeps_the_text(app, world, login_as, make_session, rate_limits):
    session_id = make_session(start=True)
    supplier = login_as("supplier")
    for n in range(5):
        assert supplier.post(f"/live/{session_id}/chat", data={"body": f"message {n}"}).status_code == 302
    response = supplier.post(f"/live/{session_id}/chat", data={"body": "one more, please keep me"})
    assert response.status_code == 429
    html = html_of(response)
    assert "You are sending messages too fast" in html and 'value="one more, please keep me"' in html


def test_host_hides_a_message_and_silences_a_participant(app, world, login_as, make_session):
    session_id = make_session(start=True)
    message_id = chat(app, world, "supplier", session_id, "Buy my product at example.com")
    host = login_as("member")
    html = html_of(host.get(f"/live/{session_id}"))
    assert f'action="/live/{session_id}/chat/{message_id}/hide"' in html
    assert f'name="user_id" value="{world.ids["supplier"]}"' in html
    # participants get no host controls, and cannot hide or silence
    other = login_as("supplier2")
    assert "/hide" not in html_of(other.get(f"/live/{session_id}"))
    assert other.post(f"/live/{session_id}/chat/{message_id}/hide").status_code == 403
    assert other.post(f"/live/{session_id}/silence", data={"user_id": str(world.ids["supplier"])}).status_code == 403

    assert host.post(f"/live/{session_id}/chat/{message_id}/hide").status_code == 302
    assert "Buy my product" not in html_of(other.get(f"/live/{session_id}"))
    response = host.post(f"/live/{session_id}/silence", data={"user_id": str(world.ids["supplier"]),
                                                              "reason": "Advertising in the chat",
                                                              "message_id": str(message_id)})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(LiveSilence, (session_id, world.ids["supplier"])).reason == "Advertising in the chat"

    silenced = login_as("supplier")
    html = html_of(silenced.get(f"/live/{session_id}"))
    assert "A host silenced you for the rest of this session. Reason: Advertising in the chat" in html
    assert 'id="chat-form"' not in html and 'id="ask-form"' not in html
    refused = silenced.post(f"/live/{session_id}/chat", data={"body": "But why?"})
    assert refused.status_code == 403
    html = html_of(refused)
    assert "A host silenced you for the rest of this session." in html
    assert ">But why?</textarea>" in html                        # the text is kept, to copy
    refused = silenced.post(f"/live/{session_id}/questions", data={"body": "Can I still ask?"})
    assert refused.status_code == 403 and ">Can I still ask?</textarea>" in html_of(refused)
    # hosts cannot be silenced
    response = host.post(f"/live/{session_id}/silence", data={"user_id": str(world.ids["moderator"])})
    assert response.status_code == 400 and "Hosts and moderators cannot be silenced." in html_of(response)


# --- the calendar file ---------------------------------------------------------------------------
def test_ics_file(app, world, login_as, make_session):
    from icalendar import Calendar

    start = (utcnow() + timedelta(days=5)).replace(hour=8, minute=30, second=0, microsecond=0)
    title = "Fees, wages; and more: a very long title for a live session that needs folding in ics"
    session_id = make_session(title=title, description="Line one, with comma;\nline two\\end",
                              starts_at=start, ends_at=start + timedelta(minutes=90))
    set_timezone(app, world, "supplier", "Asia/Kolkata")       # the file is in UTC whoever asks
    response = login_as("supplier").get(f"/live/{session_id}.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert f'filename="roundtable-live-{session_id}.ics"' in response.headers["Content-Disposition"]
    raw = response.get_data()
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n") and raw.endswith(b"END:VCALENDAR\r\n")
    assert b"\n" not in raw.replace(b"\r\n", b"")               # every line ends with CRLF
    lines = raw.split(b"\r\n")
    assert all(len(line) <= 75 for line in lines)                # long lines are folded
    unfolded = raw.decode().replace("\r\n ", "")
    for needle in ("VERSION:2.0", "PRODID:", "BEGIN:VEVENT", "END:VEVENT", f"UID:live-session-{session_id}@",
                   "DTSTAMP:", f"DTSTART:{start:%Y%m%dT%H%M%S}Z",
                   f"DTEND:{start + timedelta(minutes=90):%Y%m%dT%H%M%S}Z",
                   "SUMMARY:Fees\\, wages\\; and more: a very long title",
                   "DESCRIPTION:Line one\\, with comma\\;\\nline two\\\\end",
                   f"URL:http://localhost/live/{session_id}"):
        assert needle in unfolded, needle
    event = Calendar.from_ical(raw).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == title
    assert event.decoded("DTSTART") == start.replace(tzinfo=UTC)


# --- the home and topic pages ----------------------------------------------------------------------
def test_home_and_topic_list_upcoming_sessions(app, world, login_as, make_session):
    from community.actions import live

    session_id = make_session(title="Grievance clinic for suppliers")
    lounge_id = make_session(topic="members-lounge", title="Lounge briefing")
    ended_id = make_session(title="Finished long ago", starts_at=iso_in(-30), start=True)
    with app.app_context():
        live.end(world.user("member"), db.session.get(LiveSession, ended_id))
    supplier = login_as("supplier")
    home = html_of(supplier.get("/"))
    section = home.split('id="live-upcoming-heading"', 1)[1].split("</section>", 1)[0]
    assert "Grievance clinic for suppliers" in section
    assert f'href="/live/{session_id}.ics"' in section and "Add to calendar" in section
    # (the ended session's archive thread is listed with the threads, not with the sessions)
    assert "Lounge briefing" not in home and "Finished long ago" not in section
    assert home.index("live-upcoming-heading") < home.index("section-themes")   # at the top
    assert_csp_clean(home)

    topic = html_of(supplier.get("/t/grievance"))
    assert "Grievance clinic for suppliers" in topic and f'href="/live/{session_id}.ics"' in topic
    assert "Schedule a live session" not in topic                # suppliers cannot
    assert_csp_clean(topic)
    assert "Grievance clinic" not in html_of(supplier.get("/t/announcements"))
    member_topic = html_of(login_as("member").get("/t/grievance"))
    assert 'href="/t/grievance/live/new"' in member_topic
    assert "Lounge briefing" in html_of(login_as("member").get("/"))
    assert lounge_id


def test_home_without_sessions_has_no_live_section(app, world, login_as):
    assert "live-upcoming-heading" not in html_of(login_as("supplier").get("/"))
    set_topic(app, world, "grievance", allow_live=False)
    assert "Schedule a live session" not in html_of(login_as("member").get("/t/grievance"))


# --- markup the script relies on ----------------------------------------------------------------------
def test_page_carries_blank_templates_for_live_inserts(app, world, login_as, make_session):
    session_id = make_session(start=True)
    host_html = html_of(login_as("member").get(f"/live/{session_id}"))
    assert '<template id="question-template">' in host_html and '<template id="chat-template">' in host_html
    template = host_html.split('<template id="question-template">', 1)[1].split("</template>", 1)[0]
    assert 'id="q-__QID__"' in template and f'action="/live/{session_id}/questions/__QID__/moderate"' in template
    assert 'data-cursor="' in host_html and 'data-hosts-cursor="' in host_html
    participant = html_of(login_as("supplier").get(f"/live/{session_id}"))
    template = participant.split('<template id="question-template">', 1)[1].split("</template>", 1)[0]
    assert "moderate" not in template                             # no host controls for participants


def test_hosts_are_joined_as_the_readers_language_joins_names(app, world, login_as, make_session):
    """Not a Latin comma in Arabic: CLDR's list patterns, the names still isolated."""
    session_id = make_session(title="Two hosts", hosts=("member2",))
    reader = login_as("supplier")
    for lang, joined in (("en", "</bdi> and <bdi>"), ("ar", "</bdi> و<bdi>"), ("fr", "</bdi> et <bdi>")):
        for path in ("/live", f"/live/{session_id}"):
            page = reader.get(f"{path}?lang={lang}").get_data(as_text=True)
            line = re.search(r'class="live-(?:card-)?hosts">(.*?)</p>', page).group(1)
            assert joined in line and ", " not in line, (lang, path, line)
