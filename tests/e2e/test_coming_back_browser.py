"""Coming back, in a real browser against the real eventlet server (fixtures from
tests/e2e/conftest.py), on the seeded demo:

a member read a thread yesterday; three replies came since. Back on the topic page, the thread
says "3 unread"; its link opens the thread at the first new post, under "New since your last
visit"; the posts are recorded as read as they come into view (POST /api/v1/threads/<id>/read
from the page's script), and the badge on the topic page the member left open in another tab
goes away by itself (read.updated). Named authors link to their profiles, with their avatar.
"""
from __future__ import annotations

import time

import pytest

from tests.e2e.helpers import Api, _signed_in_states, expect, page_errors, people, shot, unique  # noqa: F401  (fixtures)

pytestmark = pytest.mark.e2e

SOFIA = "sofia@northwind.example"  # member
RAVI = "ravi@shakti.example"  # supplier
TOPIC = "forced-labour"


def _mark(page, thread_id: int) -> int:
    response = page.request.get(f"/api/v1/threads/{thread_id}", headers={"Accept": "application/json"})
    assert response.status == 200, response.status
    return int(response.json()["read"]["last_read_post_id"] or 0)


def _wait_for_mark(page, thread_id: int, post_id: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while _mark(page, thread_id) < post_id:
        assert time.monotonic() < deadline, f"the read mark did not reach post {post_id}"
        time.sleep(0.25)


def test_journey_a_member_comes_back_to_three_new_replies(new_context, people, live_server):
    ravi = Api(live_server, RAVI)
    title = unique("Are audit findings shared with the workers' committee")
    created = ravi.post(f"/topics/{TOPIC}/threads", {"title": title, "body": "We share a summary. Do you?",
                                                     "kind": "question"})
    thread_id = created["thread"]["id"]
    first = ravi.post(f"/threads/{thread_id}/posts", {"body": "Our committee gets the full report."})["post"]["id"]

    # Yesterday: Sofia read the thread to the end.
    reader = people(SOFIA, f"/threads/{thread_id}")
    expect(reader.locator(f"#post-{first}")).to_be_visible()
    _wait_for_mark(reader, thread_id, first)
    reader.close()

    # Meanwhile: three replies.
    replies = [ravi.post(f"/threads/{thread_id}/posts", {"body": f"New reply number {n} about audits."})["post"]["id"]
               for n in range(1, 4)]

    # Today: the topic page says "3 unread" on the thread (and keeps saying it in a second tab).
    topic = people(SOFIA, f"/t/{TOPIC}")
    other_tab = topic.context.new_page()
    other_tab.goto(f"/t/{TOPIC}")
    row = topic.locator(f'.thread-row[data-thread-id="{thread_id}"]')
    expect(row.locator(".unread-badge")).to_have_text("3 unread")
    expect(other_tab.locator(f'.thread-row[data-thread-id="{thread_id}"] .unread-badge')).to_have_text("3 unread")
    # Ravi's name links to his profile, with his avatar; the link is not the thread's.
    person = row.locator("a.person-link")
    assert person.get_attribute("href").startswith("/users/")
    expect(person.locator("svg.avatar")).to_be_visible()
    shot(topic, "coming-back-topic")

    # Opening it lands on the first new post, under the "New since your last visit" line.
    with topic.expect_navigation():
        row.locator("a.thread-title").click()
    assert topic.url.endswith("#new-since"), topic.url
    line = topic.locator("#new-since")
    expect(line).to_contain_text("New since your last visit")
    expect(line).to_be_in_viewport()
    expect(topic.locator(f"#post-{replies[0]}")).to_be_in_viewport()
    # Where each sits in the document, read at one moment (the page may still be scrolling).
    read_before, the_line, first_new = topic.evaluate(
        "ids => ids.map(id => document.getElementById(id).getBoundingClientRect().top + window.scrollY)",
        [f"post-{first}", "new-since", f"post-{replies[0]}"])
    assert read_before < the_line < first_new
    shot(topic, "coming-back-thread")

    # Reading them (they are on screen) records them, and the other tab's badge goes away.
    topic.locator(f"#post-{replies[-1]}").scroll_into_view_if_needed()
    _wait_for_mark(topic, thread_id, replies[-1])
    expect(other_tab.locator(f'.thread-row[data-thread-id="{thread_id}"] .unread-badge')).to_have_count(0)
    assert page_errors(new_context.console) == []
