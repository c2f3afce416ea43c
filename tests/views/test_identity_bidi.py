"""Every user-written name or title shown is isolated (issue #11): it sits in a <bdi> or in an
element with a dir attribute, so a right-to-left name cannot reorder the text around it (the
organisation printed after it, a "wrote:" or "is silenced"). Checked on the rendered pages
where people, organisations, topics, threads and live sessions are named, by parsing the HTML:
the innermost element around each occurrence must isolate it."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest

from community.actions import live
from community.actions.moderation import assign_moderator, moderate_post
from community.actions.posts import reply
from community.actions.threads import start_thread
from community.extensions import db
from community.models import OutboxEmail

RTL_NAME = "سارة الحربي"            # a person (Arabic script: allowed, and right-to-left)
RTL_ORG = "مصنع الخليج"              # their organisation
RTL_TITLE = "أجور العمل الإضافي"     # a thread title
RTL_SESSION = "جلسة الأسئلة"         # a live session title
RTL_TOPIC = "قضايا العمال"           # a topic name
NAMED = (RTL_NAME, RTL_ORG, RTL_TITLE, RTL_SESSION, RTL_TOPIC)
NOT_SHOWN_AS_TEXT = {"title", "textarea", "script", "option", "time"}


class Isolation(HTMLParser):
    """Collects every text occurrence of the watched strings whose innermost element neither is a
    <bdi> nor carries a dir attribute."""

    VOID = {"br", "img", "input", "meta", "link", "hr", "wbr", "source", "col", "area", "base", "embed"}

    def __init__(self, watched):
        super().__init__(convert_charrefs=True)
        self.watched, self.stack, self.bare, self.seen = watched, [], [], 0

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                break

    def handle_data(self, data):
        for text in self.watched:
            if text not in data:
                continue
            self.seen += 1
            tag, attrs = self.stack[-1] if self.stack else ("", {})
            isolated = tag == "bdi" or "dir" in attrs or tag in NOT_SHOWN_AS_TEXT
            # A text node that is exactly the name inside its own element, or the name alone
            # between other nodes of an isolating element, is what we look for.
            if not isolated:
                self.bare.append((text, tag, attrs.get("class"), data.strip()[:80]))


def assert_isolated(html: str, where: str, expect=True) -> int:
    parser = Isolation(NAMED)
    parser.feed(html)
    assert not parser.bare, f"{where}: not isolated: {parser.bare}"
    if expect:
        assert parser.seen, f"{where}: none of the names is shown"
    return parser.seen


@pytest.fixture
def rtl(app, world):
    """The supplier, renamed in Arabic script with an Arabic organisation, writes a thread with an
    Arabic title in a topic with an Arabic name, asks in a live session with an Arabic title,
    and has a post held and hidden in it; the member replies and @mentions them."""
    now = datetime.now(UTC)
    with app.app_context():
        supplier, member = world.user("supplier"), world.user("member")
        supplier.name = RTL_NAME
        supplier.organisation.name = RTL_ORG
        topic = world.topic("grievance")
        topic.name = RTL_TOPIC
        db.session.commit()
        thread, opening = start_thread(supplier, topic, title=RTL_TITLE, body="نحن ندفع ساعات إضافية")
        answer = reply(member, thread, f"Thanks @{supplier.handle}, noted.", reply_to=opening.id)
        held = reply(supplier, thread, "A second thought, hidden later")
        moderate_post(world.user("moderator"), held, "hide", "Off topic")
        reply(supplier, thread, "And a reply to the member", reply_to=answer.id)
        assign_moderator(None, topic, world.user("moderator"))
        session = live.schedule(member, topic, title=RTL_SESSION, starts_at=now - timedelta(minutes=5),
                                ends_at=now + timedelta(hours=1))
        live.start(member, session)
        live.ask(supplier, session, "Is it safe to name the agent?")
        live.chat(supplier, session, "مرحبا")
        ids = {"thread": thread.id, "opening": opening.id, "held": held.id, "session": session.id}
        db.session.remove()
    return ids


def test_reader_pages(login_as, rtl):
    reader = login_as("member")
    for path in ("/", "/t/grievance", f"/threads/{rtl['thread']}", f"/posts/{rtl['opening']}/revisions",
                 "/notifications", "/search?q=ساعات", f"/live/{rtl['session']}", "/live",
                 "/t/grievance/new", "/settings/notifications"):
        response = reader.get(path, follow_redirects=True)
        assert response.status_code == 200, path
        assert_isolated(response.get_data(as_text=True), path, expect=path not in ("/settings/notifications",))


def test_the_authors_own_pages(login_as, rtl):
    author = login_as("supplier")
    for path in (f"/threads/{rtl['thread']}", "/settings/profile", "/notifications"):
        assert_isolated(author.get(path).get_data(as_text=True), path)


def test_moderation_and_administration_pages(login_as, rtl):
    for who, paths in (("moderator", ("/moderation", f"/moderation/posts/{rtl['held']}",
                                      f"/moderation/threads/{rtl['thread']}", "/moderation/log")),
                       ("admin", ("/admin", "/admin/users", "/admin/organisations", "/admin/topics",
                                  "/admin/topics/grievance/edit", "/moderation/log"))):
        client = login_as(who)
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, (who, path)
            assert_isolated(response.get_data(as_text=True), f"{who} {path}")


def test_emails(app, world, rtl):
    with app.app_context():
        for mail in db.session.scalars(db.select(OutboxEmail)):
            assert_isolated(mail.body_html, f"email {mail.subject}", expect=False)


def test_a_name_cannot_reorder_the_organisation_after_it(login_as, rtl):
    """The case the issue names: the organisation printed after a name stays after it."""
    html = login_as("member").get(f"/threads/{rtl['thread']}").get_data(as_text=True)
    assert f'<bdi class="post-author-name">{RTL_NAME}</bdi>' in html
    assert f'<bdi class="post-org">{RTL_ORG}</bdi>' in html
