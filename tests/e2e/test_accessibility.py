"""Accessibility in a real browser: axe-core on the main pages, the keyboard alone, live regions.

- axe-core (vendored from npm, served at /static/vendor/axe-core/axe.min.js and injected
  into the page) finds no serious or critical violation on the home, topic, thread,
  live-session, moderation-queue and login pages, in English, and on the login, home,
  topic, thread, search and email-settings pages in Arabic.
- Arabic pages really mirror: checked on screenshots (pixels) and element boxes.
- The composer, a vote in a live session's question queue and a moderation action are
  used with the keyboard alone (Tab, typing, Enter), each with a visible focus indicator
  (a computed outline or box-shadow).
- Live updates are announced politely (#live-announcer, aria-live="polite", gets the
  text) and never move the reader's focus.
"""
from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.e2e.helpers import (  # noqa: F401
    PageApi,
    _signed_in_states,
    connected,
    expect,
    focus_style,
    page_errors,
    people,
    run_axe,
    shot,
    tab_to,
    unique,
)

pytestmark = pytest.mark.e2e

MODERATOR = "moderator@roundtable.example"  # also co-hosts the demo's FPIC live session
SOFIA = "sofia@northwind.example"
DANIEL = "daniel@lumen.example"
HANNAH = "hannah@atlasfoods.example"
RAVI = "ravi@shakti.example"


def assert_focus_visible(page, what: str) -> dict:
    style = focus_style(page)
    assert style["tag"], f"nothing has focus ({what})"
    assert style["visible"], f"no visible focus on {what}: {style}"
    return style


# --- axe-core ----------------------------------------------------------------------------
def test_axe_finds_no_serious_violations_in_english(new_context, people, live_server):
    problems: dict[str, list] = {}

    visitor = new_context().new_page()
    visitor.goto("/login")
    expect(visitor.locator("html")).to_have_attribute("lang", "en")
    problems["login"] = run_axe(visitor)

    # The moderator sees the most: the review queue, host controls, identities on anonymous posts.
    moderator = people(MODERATOR, "/")
    pages = {"home": "/", "topic": "/t/grievance-mechanisms"}
    moderator.goto(pages["topic"])
    pages["thread"] = moderator.get_by_role("link", name=re.compile("buyer's last-minute order changes"))\
        .get_attribute("href")
    moderator.goto("/live")
    pages["live session"] = moderator.get_by_role("link", name="Ask us anything: FPIC at cooperative scale")\
        .first.get_attribute("href")
    pages["moderation queue"] = "/moderation"
    for name, path in pages.items():
        moderator.goto(path)
        connected(moderator)
        expect(moderator.locator("html")).to_have_attribute("lang", "en")
        problems[name] = run_axe(moderator)
    expect(moderator.locator("#queue-items article.moderation-item").first).to_be_visible()  # not an empty queue

    failing = {name: found for name, found in problems.items() if found}
    assert not failing, "axe-core found serious/critical violations:\n" + "\n".join(
        f"- {name}: {v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(v["nodes"])
        for name, found in failing.items() for v in found)
    assert page_errors(new_context.console) == []


# --- the keyboard, and live updates that do not steal focus -------------------------------
def test_keyboard_composer_and_polite_live_announcements(new_context, people, live_server):
    daniel = people(DANIEL, "/t/grievance-mechanisms/new", live=False)
    daniel.get_by_label("Title").fill(unique("Keyboard-only reply test"))
    daniel.locator("#thread-body").fill("Does anyone translate grievance forms into Tamil?")
    with daniel.expect_navigation():
        daniel.get_by_role("button", name="Start thread").click()
    connected(daniel)
    path = daniel.url.replace(live_server.url, "")
    sofia = people(SOFIA, path)

    # Tab from the top of the page to the composer, type, Tab to "Post reply", Enter.
    sofia.locator("body").focus()
    style = tab_to(sofia, "el => el.id === 'composer-body'")
    assert style["visible"], f"the composer has no visible focus: {style}"
    text = "Yes, we do; the union checked the translation."
    sofia.keyboard.type(text)
    style = tab_to(sofia, "el => el.id === 'composer-submit'", limit=5)
    assert style["visible"], f"the Post reply button has no visible focus: {style}"
    sofia.keyboard.press("Enter")
    expect(sofia.locator("#composer-status")).to_have_text("Your reply was posted.")
    expect(daniel.locator("article.post", has_text=text)).to_contain_text("Sofia Martin")

    # Sofia writes a draft; Daniel's reply arrives: it is announced politely and her
    # focus, caret and draft stay where they were.
    sofia.locator("#composer-body").focus()
    sofia.keyboard.type("Draft in progress")
    before = sofia.evaluate("() => [document.activeElement.id, document.activeElement.selectionStart]")
    daniel.locator("#composer-body").fill("Thank you, that helps a lot.")
    daniel.locator("#composer-submit").click()
    announcer = sofia.locator("#live-announcer")
    expect(announcer).to_have_attribute("aria-live", "polite")
    expect(announcer).to_have_text("New reply from Daniel Brooks")
    expect(sofia.locator("article.post", has_text="that helps a lot")).to_be_visible()
    after = sofia.evaluate("() => [document.activeElement.id, document.activeElement.selectionStart]")
    assert after == before == ["composer-body", len("Draft in progress")], (before, after)
    expect(sofia.locator("#composer-body")).to_have_value("Draft in progress")
    assert page_errors(new_context.console) == []


def test_keyboard_vote_in_the_question_queue(new_context, people, live_server):
    host = people(HANNAH, live=False)
    hannah = PageApi(host)
    now = datetime.now(UTC)
    session = hannah.post("/topics/grievance-mechanisms/live", {
        "title": unique("Keyboard session"), "description": "Voting with the keyboard.",
        "starts_at": (now - timedelta(minutes=1)).isoformat(), "ends_at": (now + timedelta(hours=1)).isoformat(),
        "hosts": [], "approve_questions": False})["session"]
    hannah.post(f"/live/{session['id']}/start", {})
    for body in ("Which languages should the hotline support?", "Should the hotline be free of charge?"):
        hannah.post(f"/live/{session['id']}/questions", {"body": body})
    path = f"/live/{session['id']}"
    host.goto(path)
    connected(host)
    ravi = people(RAVI, path)
    second = ravi.locator("#question-list > li", has_text="free of charge")
    expect(ravi.locator("#question-list > li").first).to_contain_text("Which languages")

    # From the sort buttons above the queue: the ask form, then the votes, by Tab alone.
    ravi.get_by_role("link", name="Newest").focus()
    style = tab_to(ravi, "el => el.classList.contains('live-vote') && el.closest('li').textContent.includes('free of charge')",
                   limit=15)
    assert style["visible"], f"the vote button has no visible focus: {style}"
    ravi.keyboard.press("Enter")
    vote = second.locator(".live-vote")
    expect(vote).to_have_attribute("aria-pressed", "true")
    expect(vote).to_have_attribute("aria-label", re.compile(r"1 vote\b"))
    # The queue reorders for everybody, and Ravi's focus stays on the button he pressed.
    expect(host.locator("#question-list > li").first).to_contain_text("free of charge")
    expect(ravi.locator("#question-list > li").first).to_contain_text("free of charge")
    assert ravi.evaluate("document.activeElement.classList.contains('live-vote') && "
                         "document.activeElement.closest('li').textContent.includes('free of charge')")
    assert_focus_visible(ravi, "the vote button after the reorder")
    # Space takes the vote back.
    ravi.keyboard.press("Space")
    expect(vote).to_have_attribute("aria-pressed", "false")
    expect(host.locator("#question-list > li", has_text="free of charge").locator(".live-vote-count")).to_have_text("0")
    shot(ravi, "a11y-keyboard-vote")
    assert page_errors(new_context.console) == []


def test_keyboard_moderation_action(new_context, people, live_server):
    thread = PageApi(people(SOFIA, live=False)).post("/topics/grievance-mechanisms/threads", {
        "title": unique("Buy our audit-passing service today"),
        "body": "A question about audits that a reader thought was spam.", "kind": "discussion"})
    post_id = thread["post"]["id"]
    status, _ = PageApi(people(DANIEL, live=False)).call(
        "POST", f"/posts/{post_id}/flags", {"reason": "spam", "note": "Looks like an ad."})
    assert status == 201

    moderator = people(MODERATOR, "/moderation?topic=grievance-mechanisms")
    card = moderator.locator(f"#queue-post-{post_id}")
    expect(card).to_contain_text("Looks like an ad.")
    # From the card's heading link (where a screen reader's heading jump lands), by Tab alone.
    card.locator(f"#queue-post-{post_id}-title a").focus()
    style = tab_to(moderator, f"el => el.id === 'reason-{post_id}'", limit=30)
    assert style["visible"], f"the reason field has no visible focus: {style}"
    moderator.keyboard.type("Not spam: a genuine question about audits.")
    style = tab_to(moderator, "el => el.tagName === 'BUTTON' && el.value === 'approve'", limit=5)
    assert style["visible"], f"the Approve button has no visible focus: {style}"
    with moderator.expect_navigation():
        moderator.keyboard.press("Enter")
    expect(moderator.locator(f"#queue-post-{post_id}")).to_have_count(0)
    expect(moderator.locator(".alert").first).to_be_visible()
    shot(moderator, "a11y-keyboard-moderation")
    assert page_errors(new_context.console) == []


# --- right to left -----------------------------------------------------------------------------
ACCENT = (0x2B, 0x5F, 0x8A)  # --rt-accent in static/css/app.css: the opening post's inline-start border


def _accent_columns(png: bytes) -> list[int]:
    """The pixel columns of a screenshot whose middle row has the accent colour."""
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB")
    row = image.height // 2
    return [x for x in range(image.width)
            if all(abs(a - b) <= 12 for a, b in zip(image.getpixel((x, row)), ACCENT, strict=False))]


def _layout(page) -> dict:
    """Where the parts that must mirror sit, in CSS pixels of a 1280-wide viewport."""
    return page.evaluate(
        """() => {
          const box = el => { const r = el.getBoundingClientRect(); return {left: r.left, right: r.right}; };
          const direct = li => li && li.querySelector(':scope > article, :scope > .post-stub');
          const child = [...document.querySelectorAll('.post-children > li.post-node')]
            .find(li => direct(li) && direct(li.parentElement.closest('li.post-node')));
          const parent = child && child.parentElement.closest('li.post-node');
          const links = [...document.querySelectorAll('nav.navbar .navbar-nav .nav-link')];
          const words = document.querySelector('.post--opening .post-body p');
          const range = document.createRange(); range.selectNodeContents(words);
          return {
            brand: box(document.querySelector('.navbar-brand')),
            firstLink: box(links[0]), lastLink: box(links[links.length - 1]),
            child: child && box(direct(child)), parent: parent && box(direct(parent)),
            text: box(range), paragraph: box(words),
            heading: box(document.querySelector('#replies-heading')),
            header: box(document.querySelector('.replies-header')),
            width: document.documentElement.clientWidth,
          };
        }""")


def test_arabic_pages_really_mirror(new_context, people, live_server):
    """An Arabic page is laid out right to left, checked on its screenshot and its boxes.

    The same thread, read by the same person in English and in Arabic (the browser asks for
    Arabic; nothing is saved on the user, so the other tests still see English): in Arabic
    the brand sits at the right, the menu runs leftwards, replies are indented from the
    right, headings start at the right edge (while an English post keeps reading left to
    right), and the opening post's accent bar - found in the screenshot's pixels - is on
    its right side.
    """
    viewport = {"width": 1280, "height": 900}
    english = people(SOFIA, "/t/grievance-mechanisms", live=False, viewport=viewport)
    path = english.get_by_role("link", name=re.compile("buyer's last-minute order changes")).get_attribute("href")
    english.goto(path)
    arabic = people(SOFIA, path, live=False, locale="ar", viewport=viewport)
    expect(english.locator("html")).to_have_attribute("dir", "ltr")
    expect(arabic.locator("html")).to_have_attribute("lang", "ar")
    expect(arabic.locator("html")).to_have_attribute("dir", "rtl")
    shot(english, "rtl-thread-english")
    shot(arabic, "rtl-thread-arabic")

    ltr, rtl = _layout(english), _layout(arabic)
    width = rtl["width"]
    assert ltr["brand"]["left"] < width / 4 and rtl["brand"]["right"] > width * 3 / 4, (ltr["brand"], rtl["brand"])
    assert ltr["firstLink"]["left"] < ltr["lastLink"]["left"]
    assert rtl["firstLink"]["left"] > rtl["lastLink"]["left"], "the menu does not run right to left"
    assert rtl["child"] is not None, "the demo thread has no nested reply to check the indentation on"
    assert ltr["child"]["left"] > ltr["parent"]["left"] + 8 and abs(ltr["child"]["right"] - ltr["parent"]["right"]) < 2
    assert rtl["child"]["right"] < rtl["parent"]["right"] - 8, "replies are not indented from the right"
    assert abs(rtl["child"]["left"] - rtl["parent"]["left"]) < 2
    assert abs(rtl["heading"]["right"] - rtl["header"]["right"]) < 2, "Arabic headings do not start at the right"
    assert abs(ltr["heading"]["left"] - ltr["header"]["left"]) < 2
    # An English post keeps its own direction on an Arabic page (dir="auto"), and vice versa.
    assert abs(rtl["text"]["left"] - rtl["paragraph"]["left"]) < 2
    assert abs(ltr["text"]["left"] - ltr["paragraph"]["left"]) < 2

    for page, side in ((english, "left"), (arabic, "right")):
        opening = page.locator(".post--opening").first
        columns = _accent_columns(opening.screenshot())
        width_px = opening.bounding_box()["width"]
        assert columns, f"no accent bar in the {side}-hand screenshot of the opening post"
        if side == "left":
            assert max(columns) < 8, columns
        else:
            assert min(columns) > width_px - 8, columns


def test_axe_finds_no_serious_violations_in_arabic(new_context, people, live_server):
    """The same pages as in English, in Arabic (right to left), plus search and email settings."""
    problems: dict[str, list] = {}
    visitor = new_context(locale="ar").new_page()
    visitor.goto("/login")
    expect(visitor.locator("html")).to_have_attribute("dir", "rtl")
    problems["login"] = run_axe(visitor)

    moderator = people(MODERATOR, "/t/grievance-mechanisms", locale="ar")
    pages = {"home": "/", "topic": "/t/grievance-mechanisms",
             "thread": moderator.locator("a.thread-title").first.get_attribute("href")}
    moderator.goto("/live")
    pages["live session"] = moderator.locator("a[href^='/live/']").filter(
        has_text="Ask us anything: FPIC at cooperative scale").first.get_attribute("href")
    pages["moderation queue"] = "/moderation"
    pages["search"] = "/search?q=audit"
    pages["email settings"] = "/settings/notifications"
    for name, path in pages.items():
        moderator.goto(path)
        expect(moderator.locator("html")).to_have_attribute("dir", "rtl")
        problems[name] = run_axe(moderator)
    failing = {name: found for name, found in problems.items() if found}
    assert not failing, "axe-core found serious/critical violations in Arabic:\n" + "\n".join(
        f"- {name}: {v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(v["nodes"])
        for name, found in failing.items() for v in found)
