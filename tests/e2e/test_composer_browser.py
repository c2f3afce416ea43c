"""Composers in a real browser: the character counter and the same "too long" words at any
length (nothing sent, nothing lost) in the new-thread form, the reply composer, the edit page,
the live question box and the chat; the draft of a new thread kept over a reload; the Markdown
preview, and its notes on what will not be shown appearing as the text is typed, without a
click; the notification count on a phone; toasts isolate their text.
"""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.e2e.helpers import (  # noqa: F401
    PageApi,
    _signed_in_states,
    connected,
    expect,
    page_errors,
    people,
    shot,
    unique,
)

pytestmark = pytest.mark.e2e

RAVI = "ravi@shakti.example"  # supplier
SOFIA = "sofia@northwind.example"  # member
HANNAH = "hannah@atlasfoods.example"  # member, hosts live sessions
NEW_THREAD = "/t/grievance-mechanisms/new"
HUGE = 100_000
IMAGE_NOTE = "Images are not shown"
HTML_NOTE = "HTML tags are not applied"


def test_new_thread_counter_too_long_draft_and_preview(new_context, people):
    page = people(RAVI, NEW_THREAD)
    counter = page.locator("#thread-body-count")
    expect(counter).to_have_text("0 of 20,000 characters")
    title = unique("Night shifts and overtime caps")
    page.get_by_label("Title").fill(title)
    page.locator("#thread-body").fill("Hello from Tiruppur!")
    expect(counter).to_have_text("20 of 20,000 characters")

    # Over the limit, at any length: the server's words, before anything is sent.
    for length in (20_001, 100_000):
        page.locator("#thread-body").fill("x" * length)
        message = f"Your post is too long: {length:,} characters, the limit is 20,000."
        expect(counter).to_have_text(message)
        page.get_by_role("button", name="Start thread").click()
        expect(page.locator("#thread-body-too-long")).to_have_text(message)
        assert page.url.endswith(NEW_THREAD)

    # The draft survives a reload (the title and the text as typed).
    page.locator("#thread-body").fill("**Bold** claim ![a photo](https://example.org/a.png) <b>raw</b>")
    page.wait_for_timeout(600)  # the draft is saved 400 ms after typing stops
    page.reload()
    connected(page)
    expect(page.get_by_label("Title")).to_have_value(title)
    expect(page.locator("#thread-body")).to_have_value(re.compile(r"^\*\*Bold\*\* claim"))

    # What will not be shown is said without a click (the kept draft has an image and a tag)...
    notes = page.locator("#thread-body-notes")
    expect(notes).to_contain_text(IMAGE_NOTE)
    expect(notes).to_contain_text(HTML_NOTE)
    expect(page.locator("#thread-body-preview")).to_be_hidden()
    # ...and the preview: rendered by the server's sanitiser.
    page.get_by_role("button", name="Preview").click()
    preview = page.locator("#thread-body-preview")
    expect(preview.locator("strong")).to_have_text("Bold")
    expect(preview.locator("img")).to_have_count(0)
    expect(notes).to_contain_text(IMAGE_NOTE)
    shot(page, "composer-new-thread-preview")

    # Posted: the draft is gone the next time the form opens.
    page.locator("#thread-body").fill("A plain question about overtime caps in the peak season.")
    with page.expect_navigation():
        page.get_by_role("button", name="Start thread").click()
    assert re.search(r"/threads/\d+", page.url), page.url
    page.goto(NEW_THREAD)
    expect(page.get_by_label("Title")).to_have_value("")
    expect(page.locator("#thread-body")).to_have_value("")
    assert page_errors(new_context.console) == []


def watch_sending(page) -> dict:
    """The sizes of what the page sends (requests' bodies, socket frames): a text of 100,000
    characters does not leave the page (read markers and the like still may)."""
    sent = {"requests": [], "frames": []}
    page.on("request", lambda request: sent["requests"].append((request.url, len(request.post_data_buffer or b""))))
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent["frames"].append(len(payload))))
    return sent


def refused_at_any_length(page, field: str, submit: str, error: str, label: str, limit: int, sent: dict) -> None:
    """A text of 100,000 characters: the counter and, on sending, the error say the server's
    words; the text stays; nothing big goes out (no form post, no socket frame)."""
    page.locator(field).fill("x" * HUGE)
    message = f"{label} is too long: {HUGE:,} characters, the limit is {limit:,}."
    expect(page.locator(f"{field}-count")).to_have_text(message)
    page.locator(submit).click()
    expect(page.locator(error)).to_have_text(message)
    expect(page.locator(field)).to_have_value("x" * HUGE)
    page.wait_for_timeout(500)  # anything on its way would have gone by now
    assert [url for url, size in sent["requests"] if size >= 10_000] == [], "a too-long text was sent"
    assert max(sent["frames"], default=0) < 10_000, "a too-long text went out on the socket"


def test_reply_composer_and_edit_page_refuse_any_length_and_note_images_without_a_click(people):
    ravi = people(RAVI, "/")
    api = PageApi(ravi)
    created = api.post("/topics/grievance-mechanisms/threads", {
        "title": unique("Counting characters in replies"), "body": "An opening post to edit.", "kind": "discussion"})
    thread_id, opening_id = created["thread"]["id"], created["post"]["id"]

    # The reply composer: counter, the server's words at 100,000 characters, nothing posted.
    ravi.goto(f"/threads/{thread_id}")
    connected(ravi)
    expect(ravi.locator("#composer-body-count")).to_have_text("0 of 20,000 characters")
    sent = watch_sending(ravi)
    refused_at_any_length(ravi, "#composer-body", "#composer-submit", "#composer-error", "Your post", 20_000, sent)
    assert len(api.call("GET", f"/threads/{thread_id}")[1]["posts"]) == 1  # no reply reached the server

    # An image: the note shows while typing, the preview closed.
    ravi.locator("#composer-body").fill("See ![the notice](https://example.org/notice.png) on the wall")
    expect(ravi.locator("#composer-body-notes")).to_contain_text(IMAGE_NOTE)
    expect(ravi.locator("#composer-body-preview")).to_be_hidden()
    ravi.locator("#composer-body").fill("Plain words again")
    expect(ravi.locator("#composer-body-notes")).to_be_hidden()
    ravi.locator("#composer-body").fill("")

    # The edit page is the same composer: counter, preview, notes, the same words, nothing saved.
    ravi.goto(f"/posts/{opening_id}/edit")
    expect(ravi.locator("#edit-body-count")).to_have_text("24 of 20,000 characters")
    sent = watch_sending(ravi)
    refused_at_any_length(ravi, "#edit-body", "#edit-form button[type=submit]", "#edit-body-too-long", "Your post",
                          20_000, sent)
    assert ravi.url.endswith(f"/posts/{opening_id}/edit")
    ravi.locator("#edit-body").fill("Now with <b>raw</b> HTML and ![a photo](https://example.org/a.png)")
    notes = ravi.locator("#edit-body-notes")
    expect(notes).to_contain_text(HTML_NOTE)
    expect(notes).to_contain_text(IMAGE_NOTE)
    ravi.get_by_role("button", name="Preview").click()
    expect(ravi.locator("#edit-body-preview")).to_contain_text("Now with <b>raw</b> HTML")
    posts = api.call("GET", f"/threads/{thread_id}")[1]["posts"]
    assert [p["body"] for p in posts] == ["An opening post to edit."]  # nothing was saved
    shot(ravi, "composer-edit-page-notes")


def test_live_question_box_and_chat_refuse_any_length(people):
    hannah = people(HANNAH, "/")
    now = datetime.now(UTC)
    session = PageApi(hannah).post("/topics/grievance-mechanisms/live", {
        "title": unique("Counting characters live"), "starts_at": (now - timedelta(minutes=1)).isoformat(),
        "ends_at": (now + timedelta(hours=1)).isoformat()})["session"]
    PageApi(hannah).post(f"/live/{session['id']}/start", {})

    ravi = people(RAVI, f"/live/{session['id']}")
    expect(ravi.locator("#live-state")).to_have_text("Live now")
    sent = watch_sending(ravi)
    refused_at_any_length(ravi, "#ask-body", "#ask-submit", "#ask-error", "Your question", 2_000, sent)
    refused_at_any_length(ravi, "#chat-body", "#chat-submit", "#chat-error", "Your message", 1_000, sent)
    state = PageApi(ravi).call("GET", f"/live/{session['id']}")[1]
    assert state["questions"] == [] and state["chat"] == []

    # Questions are Markdown: a tag that will not be applied is said while typing.
    ravi.locator("#ask-body").fill("Is <i>this</i> shown?")
    expect(ravi.locator("#ask-body-notes")).to_contain_text(HTML_NOTE)
    # So are chat messages (notes only: a one-line message has no Preview button).
    ravi.locator("#chat-body").fill("Here is the poster ![poster](https://example.org/p.png)")
    expect(ravi.locator("#chat-body-notes")).to_contain_text(IMAGE_NOTE)
    expect(ravi.locator("#chat-body-preview-button")).to_have_count(0)

    # The host's written answer: its counter, Preview and notes once they start writing it.
    asked = PageApi(ravi).post(f"/live/{session['id']}/questions", {"body": unique("Who reads the hotline log?")})
    qid = asked["question"]["id"]
    hannah.goto(f"/live/{session['id']}")
    hannah.locator(f"#q-{qid} summary", has_text="Write the answer").click()
    answer = hannah.locator(f"#answer-{qid}")
    answer.fill("See <b>the</b> log ![log](https://example.org/log.png)")
    expect(hannah.locator(f"#answer-{qid}-count")).to_contain_text("characters")
    expect(hannah.locator(f"#answer-{qid}-notes")).to_contain_text(IMAGE_NOTE)
    expect(hannah.locator(f"#answer-{qid}-notes")).to_contain_text(HTML_NOTE)
    expect(hannah.locator(f"#answer-{qid}-preview-button")).to_be_visible()


def test_the_notification_count_is_outside_the_phone_menu(people):
    # Something unread first: Sofia answers Ravi's post.
    ravi_api = PageApi(people(RAVI, "/", live=False))
    created = ravi_api.post("/topics/grievance-mechanisms/threads", {
        "title": unique("A question for the phone"), "body": "Who answers on a phone?", "kind": "discussion"})
    PageApi(people(SOFIA, "/", live=False)).post(f"/threads/{created['thread']['id']}/posts", {
        "body": "I do, from the bus.", "reply_to": created["post"]["id"]})
    unread = ravi_api.call("GET", "/notifications?unread=1")[1]["unread"]
    assert unread >= 1, "the reply made a notification"

    phone = people(RAVI, "/", viewport={"width": 375, "height": 740})
    expect(phone.locator(".navbar-toggler")).to_be_visible()
    expect(phone.locator("#nav")).to_be_hidden()  # the menu is collapsed
    bell = phone.locator("a.rt-bell")
    expect(bell).to_be_visible()
    box = bell.bounding_box()
    assert box and box["y"] < 80 and box["x"] + box["width"] <= 375
    count = phone.locator("#notification-count")
    expect(count).to_be_visible()
    expect(count).to_have_text(f"{unread:,}")
    count_box = count.bounding_box()
    assert count_box and count_box["x"] + count_box["width"] <= 375 and count_box["y"] < 80


def test_notices_isolate_their_text_on_a_right_to_left_page(people):
    page = people(RAVI, "/?lang=ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    # A notice carrying English text (a name, a reason), through the page's own module.
    direction = page.evaluate("""async () => {
      const notices = await import('/static/js/notices.js');
      return notices.showBanner('Hello from Tiruppur!', { key: 'probe' }).querySelector('span').dir;
    }""")
    assert direction == "auto"


@pytest.mark.parametrize("lang,joined", [("en", "Ravi Kumar, Omar Haddad, and Sofia Martin"),
                                          ("ar", "Ravi Kumar وOmar Haddad وSofia Martin")])
def test_lists_of_names_are_joined_as_the_pages_language_joins_them(people, lang, joined):
    """tNodes() with a list (who is reading a thread, who reacted): each name in its own <bdi>,
    joined by the page's language (Intl.ListFormat), not by a Latin comma."""
    page = people(RAVI, f"/?lang={lang}")
    shown = page.evaluate("""async () => {
      const { tnNodes } = await import('/static/js/i18n.js');
      const box = document.createElement('p');
      box.append(tnNodes('%(num)s reading: %(names)s', '%(num)s reading: %(names)s', 3,
                         { names: ['Ravi Kumar', 'Omar Haddad', 'Sofia Martin'] }));
      return { text: box.textContent, isolated: [...box.querySelectorAll('bdi')].map((b) => b.textContent) };
    }""")
    assert shown["isolated"] == ["Ravi Kumar", "Omar Haddad", "Sofia Martin"]
    assert joined in shown["text"], shown
