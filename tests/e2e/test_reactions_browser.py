"""Reactions and bookmarks in a real browser against the real eventlet server (issue #17):

a supplier reacts "helpful" to a member's question (the button is pressed at once, the count
goes up, and another reader's open page follows live; who reacted shows on hover), bookmarks
it with a reminder, and the reminder arrives as a notification while the page is open; j and
k move between posts; the colour switch turns the page dark without a reload.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.e2e.helpers import PageApi, _signed_in_states, expect, page_errors, people, unique  # noqa: F401

pytestmark = pytest.mark.e2e

SOFIA = "sofia@northwind.example"  # a member
RAVI = "ravi@shakti.example"  # a supplier
DANIEL = "daniel@lumen.example"


def test_react_helpful_bookmark_with_a_reminder_and_the_reminder_arrives(people, new_context):
    title = unique("Which payslip format do your auditors accept")
    thread = PageApi(people(SOFIA, live=False)).post("/topics/grievance-mechanisms/threads", {
        "title": title, "body": "We are choosing a payslip template for our suppliers.", "kind": "question"})
    thread_id = thread["thread"]["id"]
    opening = thread["post"]["id"]

    watcher = people(DANIEL, f"/threads/{thread_id}")
    ravi = people(RAVI, f"/threads/{thread_id}")
    post = ravi.locator(f"#post-{opening}")
    helpful = post.locator('.reaction[data-kind="helpful"]')
    expect(helpful).to_have_attribute("aria-pressed", "false")
    helpful.click()
    expect(helpful).to_have_attribute("aria-pressed", "true")
    expect(helpful.locator(".reaction-count")).to_have_text("1")
    # Another reader's open page follows, without a reload.
    expect(watcher.locator(f'#post-{opening} .reaction[data-kind="helpful"] .reaction-count')).to_have_text("1")
    # Who reacted, on hover.
    post.locator('.reaction[data-kind="thanks"]').hover()
    helpful.hover()
    expect(ravi.locator(".tooltip.show")).to_contain_text("Ravi")  # the other one may still be fading

    # j and k: from post to post, the page follows.
    ravi.locator("body").click(position={"x": 2, "y": 2})
    ravi.keyboard.press("j")
    expect(ravi.locator("article.post.post--current")).to_have_count(1)
    assert ravi.evaluate("document.activeElement.classList.contains('post')")

    bookmark = post.locator(".js-bookmark")
    bookmark.click()
    expect(bookmark).to_have_attribute("aria-pressed", "true")
    expect(bookmark).to_contain_text("Bookmarked")
    bookmark_id = int(bookmark.get_attribute("data-bookmark-id"))
    soon = (datetime.now(UTC) + timedelta(seconds=4)).isoformat(timespec="seconds")
    status, body = PageApi(ravi).call("PATCH", f"/bookmarks/{bookmark_id}", {"remind_at": soon, "note": "for HR"})
    assert status == 200, body
    # The reminder arrives while the page is open (the server's email round sends it).
    expect(ravi.locator(".rt-toast-container .toast")).to_contain_text("Reminder", timeout=30_000)
    expect(ravi.locator("#notification-count")).not_to_have_text("0")
    assert page_errors(new_context.console) == []


def test_the_colour_switch_turns_the_page_dark_and_is_kept(people):
    page = people(RAVI, "/", live=False)
    html = page.locator("html")
    page.emulate_media(color_scheme="dark")
    expect(html).to_have_attribute("data-bs-theme", "dark")  # like the system
    page.select_option("#theme-picker", "light")
    expect(html).to_have_attribute("data-bs-theme", "light")
    page.reload()
    expect(html).to_have_attribute("data-theme-choice", "light")
    expect(html).to_have_attribute("data-bs-theme", "light")
    page.select_option("#theme-picker", "auto")
    expect(html).to_have_attribute("data-bs-theme", "dark")
