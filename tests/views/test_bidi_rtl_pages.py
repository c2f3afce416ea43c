"""Left-to-right content on right-to-left pages (issue #15): in Arabic, "Hello from Tiruppur!"
showed as "!Hello from Tiruppur" on the home and live pages. Every user-written text (names,
organisations, topic names and descriptions, thread and session titles and descriptions,
questions, answers, chat messages) must sit inside an isolating element (a <bdi>, or an
element with a dir attribute) below the page's own <html dir="rtl">."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest

from community.actions import live
from community.actions.posts import reply
from community.actions.threads import start_thread
from community.extensions import db
from community.models.live import LiveSession

LTR = "Hello from Tiruppur!"
NOT_SHOWN_AS_TEXT = {"title", "textarea", "script", "option", "time", "template", "style"}
VOID = {"br", "img", "input", "meta", "link", "hr", "wbr", "source", "col", "area", "base", "embed"}


class Bare(HTMLParser):
    """Text occurrences of `needle` with no isolating ancestor below <html> and <body>."""

    def __init__(self, needle: str):
        super().__init__(convert_charrefs=True)
        self.needle, self.stack, self.bare, self.seen = needle, [], [], 0

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.stack.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        if self.needle not in data:
            return
        self.seen += 1
        inner = [(t, a) for t, a in self.stack if t not in ("html", "body")]
        if any(t in NOT_SHOWN_AS_TEXT for t, _a in inner):
            return
        if not any(t == "bdi" or "dir" in a for t, a in inner):
            self.bare.append(([t + (f".{a['class']}" if a.get("class") else "") for t, a in inner[-4:]],
                              data.strip()[:60]))


def bare_in(html: str) -> Bare:
    parser = Bare(LTR)
    parser.feed(html)
    return parser


@pytest.fixture
def ltr_world(app, world):
    now = datetime.now(UTC)
    with app.app_context():
        supplier, member = world.user("supplier"), world.user("member")
        topic = world.topic("grievance")
        topic.name, topic.description = f"Topic {LTR}", f"About {LTR}"
        supplier.organisation.name = f"Org {LTR}"
        db.session.commit()
        thread, opening = start_thread(supplier, topic, title=f"Thread {LTR}", body=LTR)
        reply(member, thread, f"Re: {LTR}", reply_to=opening.id)
        session = live.schedule(member, topic, title=f"Session {LTR}", description=f"Come and say {LTR}",
                                starts_at=now - timedelta(minutes=5), ends_at=now + timedelta(hours=1))
        live.start(member, session)
        question = live.ask(supplier, session, f"Question {LTR}")
        live.moderate_question(member, session, question, "answered", answer=f"Answer {LTR}")
        live.chat(supplier, session, LTR)
        upcoming = live.schedule(member, topic, title=f"Later {LTR}", starts_at=now + timedelta(days=1),
                                 ends_at=now + timedelta(days=1, hours=1))
        ids = {"thread": thread.id, "session": session.id, "upcoming": upcoming.id}
        db.session.remove()
    return ids


@pytest.mark.parametrize("who", ["member", "supplier"])
def test_home_live_and_topic_pages_isolate_ltr_content_in_arabic(login_as, ltr_world, who):
    client = login_as(who)
    client.set_cookie("lang", "ar")  # the picker's cookie (?lang= filters a thread's posts by language)
    for path in ("/", "/live", f"/live/{ltr_world['session']}", f"/live/{ltr_world['upcoming']}", "/t/grievance",
                 f"/threads/{ltr_world['thread']}", "/notifications"):
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        assert 'dir="rtl"' in html, path
        found = bare_in(html)
        assert not found.bare, f"{path}: not isolated: {found.bare}"
        if path != "/notifications":
            assert found.seen, path


def test_an_ended_sessions_page_and_its_archive(app, world, login_as, ltr_world):
    with app.app_context():
        live.end(world.user("member"), db.session.get(LiveSession, ltr_world["session"]))
    client = login_as("supplier")
    for path in ("/", "/live", f"/live/{ltr_world['session']}"):
        found = bare_in(client.get(path + "?lang=ar").get_data(as_text=True))
        assert not found.bare, f"{path}: not isolated: {found.bare}"


def test_elements_that_scripts_fill_with_user_text_isolate_it(login_as, ltr_world):
    """The "Answering now:" banner and the questions' hidden summaries are filled by
    live_session.js with a question's text: the element itself isolates it."""
    html = login_as("member").get(f"/live/{ltr_world['session']}").get_data(as_text=True)
    assert 'id="live-answering-link" dir="auto"' in html
    assert 'class="visually-hidden js-q-summary">' not in html


@pytest.fixture
def moderation_world(app, world):
    """In grievance (moderated by `moderator`): a thread whose replies are split candidates,
    a reply to a reply (so its page shows the opening and the parent), a held reply and a
    hidden one, each with left-to-right text."""
    from community.actions.moderation import moderate_post

    with app.app_context():
        grievance = world.topic("grievance")
        thread, opening = start_thread(world.user("supplier"), grievance, title=f"Thread {LTR}", body=f"Opening {LTR}")
        parent = reply(world.user("member"), thread, f"Parent {LTR}", reply_to=opening.id)
        child = reply(world.user("supplier2"), thread, f"Child {LTR}", reply_to=parent.id)
        hidden = reply(world.user("member2"), thread, f"Hidden {LTR}")
        moderate_post(world.user("moderator"), hidden, "hide", "Please rephrase")
        grievance.moderation = "all"
        db.session.commit()
        held = reply(world.user("supplier2"), thread, f"Held {LTR}", reply_to=parent.id)
        ids = {"thread": thread.id, "child": child.id, "hidden": hidden.id, "held": held.id}
        db.session.remove()
    return ids


def test_moderation_pages_isolate_post_bodies_and_excerpts(login_as, moderation_world):
    client = login_as("moderator")
    client.set_cookie("lang", "ar")
    paths = ["/moderation", f"/moderation/threads/{moderation_world['thread']}"]
    paths += [f"/moderation/posts/{moderation_world[k]}" for k in ("child", "hidden", "held")]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        assert 'dir="rtl"' in html, path
        found = bare_in(html)
        assert found.seen, path
        assert not found.bare, f"{path}: not isolated: {found.bare}"
    split_page = client.get(f"/moderation/threads/{moderation_world['thread']}").get_data(as_text=True)
    assert 'class="d-block moderation-excerpt" dir="auto"' in split_page
