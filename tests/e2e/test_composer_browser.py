"""Composers in a real browser: the character counter and the same "too long" words at any
length (nothing sent, nothing lost), the draft of a new thread kept over a reload, the
Markdown preview with its notes; the notification count on a phone; toasts isolate their text.
"""
from __future__ import annotations

import re

import pytest

from tests.e2e.helpers import _signed_in_states, connected, page_errors, people, shot, unique  # noqa: F401

try:
    from playwright.sync_api import expect
except ImportError:  # the browser fixtures report it: a skip, or a failure under CI=true
    expect = None

pytestmark = pytest.mark.e2e

RAVI = "ravi@shakti.example"  # supplier
NEW_THREAD = "/t/grievance-mechanisms/new"


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

    # The preview: rendered by the server's sanitiser, with what will not be shown.
    page.get_by_role("button", name="Preview").click()
    preview = page.locator("#thread-body-preview")
    expect(preview.locator("strong")).to_have_text("Bold")
    expect(preview.locator("img")).to_have_count(0)
    notes = preview.locator(".composer-preview-notes")
    expect(notes).to_contain_text("Images are not shown")
    expect(notes).to_contain_text("HTML tags are not applied")
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


def test_the_notification_count_is_outside_the_phone_menu(people):
    phone = people(RAVI, "/", viewport={"width": 375, "height": 740})
    expect(phone.locator(".navbar-toggler")).to_be_visible()
    expect(phone.locator("#nav")).to_be_hidden()  # the menu is collapsed
    bell = phone.locator("a.rt-bell")
    expect(bell).to_be_visible()
    box = bell.bounding_box()
    assert box and box["y"] < 80 and box["x"] + box["width"] <= 375


def test_notices_isolate_their_text_on_a_right_to_left_page(people):
    page = people(RAVI, "/?lang=ar")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    # A notice carrying English text (a name, a reason), through the page's own module.
    direction = page.evaluate("""async () => {
      const notices = await import('/static/js/notices.js');
      return notices.showBanner('Hello from Tiruppur!', { key: 'probe' }).querySelector('span').dir;
    }""")
    assert direction == "auto"
