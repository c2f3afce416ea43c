"""Moderation in real browsers against the real eventlet server (the e2e fixtures):

- a moderator hides a post and it disappears for another reader without a reload;
- two moderators on the review queue: a flagged post appears in both live; one approves
  it and the other's card is marked "Handled by <name>" with its buttons disabled;
- merging and splitting threads reach the pages open on them.

The browser fixtures (`new_context`, `sign_in`, the live server) come from tests/e2e/conftest.py
through tests/moderation/conftest.py.
"""
from __future__ import annotations

import re
import uuid

import pytest

from tests.e2e.helpers import expect

pytestmark = pytest.mark.e2e

MODERATOR = "moderator@roundtable.example"  # moderates Grievance mechanisms in the demo
ADMIN = "admin@roundtable.example"
READER = "sofia@northwind.example"
OTHER_READER = "daniel@lumen.example"


def person(new_context, sign_in, email: str, path: str):
    page = new_context().new_page()
    sign_in(page, email)
    page.goto(path)
    expect(page.locator("#connection-state")).to_have_attribute("data-state", "connected")
    return page


def errors(console: list[str]) -> list[str]:
    return [line for line in console if "pageerror" in line or "Content Security Policy" in line]


def a_thread(new_context, sign_in) -> str:
    """The path of a grievance-mechanisms thread of the demo."""
    page = new_context().new_page()
    sign_in(page, READER)
    page.goto("/t/grievance-mechanisms")
    href = page.locator("main a[href^='/threads/']").first.get_attribute("href")
    return re.sub(r"[?#].*$", "", href)


def post_reply(page, text: str) -> int:
    page.locator("#composer-body").fill(text)
    page.locator("#composer-submit").click()
    article = page.locator("article.post", has_text=text)
    expect(article).to_have_count(1)
    return int(article.get_attribute("data-post-id"))


def test_a_hidden_post_disappears_for_readers_without_reload(new_context, sign_in):
    thread = a_thread(new_context, sign_in)
    writer = person(new_context, sign_in, READER, thread + "/last")
    reader = person(new_context, sign_in, OTHER_READER, thread + "/last")
    words = f"Please call me on this number {uuid.uuid4().hex[:8]}"
    post_id = post_reply(writer, words)
    expect(reader.locator(f"#post-{post_id}")).to_contain_text(words)  # arrived live

    moderator = person(new_context, sign_in, MODERATOR, f"/moderation/posts/{post_id}")
    moderator.get_by_label("Reason").first.fill("Personal phone number")
    moderator.get_by_role("button", name="Hide", exact=True).click()
    expect(moderator.locator(".alert-success")).to_contain_text("Hidden")

    url = reader.url
    expect(reader.locator(f"#post-{post_id}")).to_have_count(0)  # gone, no reload
    assert reader.url == url
    assert errors(new_context.console) == []


def test_two_moderators_share_the_live_queue(new_context, sign_in):
    thread = a_thread(new_context, sign_in)
    writer = person(new_context, sign_in, OTHER_READER, thread + "/last")
    post_id = post_reply(writer, f"Flag-worthy words {uuid.uuid4().hex[:8]}")

    priya = person(new_context, sign_in, MODERATOR, "/moderation?topic=grievance-mechanisms")
    amara = person(new_context, sign_in, ADMIN, "/moderation")
    expect(priya.locator(f"#queue-post-{post_id}")).to_have_count(0)

    flagger = new_context().new_page()
    sign_in(flagger, READER)
    flagger.goto(f"/posts/{post_id}/flag")
    flagger.get_by_label("Spam", exact=True).check()
    flagger.get_by_role("button", name="Send to the moderators").click()
    expect(flagger.locator(".alert-success")).to_contain_text("moderators of this topic will look")

    for page in (priya, amara):
        card = page.locator(f"#queue-post-{post_id}")
        expect(card).to_be_visible()  # arrived live, no reload
        expect(card).to_contain_text("Spam")
        expect(page.locator("#live-announcer")).to_contain_text("New in the review queue")

    amara.locator(f"#queue-post-{post_id}").get_by_role("button", name=re.compile("^Approve")).click()
    expect(amara.locator(".alert-success")).to_contain_text("Approved")

    card = priya.locator(f"#queue-post-{post_id}")
    expect(card.locator("[data-part=handled]")).to_have_text(re.compile("Handled by Amara Okafor"))
    for button in card.locator("form button").all():
        expect(button).to_be_disabled()
    expect(priya.locator("#live-announcer")).to_contain_text("Amara Okafor")
    assert errors(new_context.console) == []


def new_thread(page, title: str) -> str:
    page.goto("/t/grievance-mechanisms/new")
    page.locator("#thread-title").fill(title)
    page.locator("#thread-body").fill(f"Opening words of {title}")
    with page.expect_navigation():
        page.get_by_role("button", name="Start thread").click()
    return "/threads/" + re.search(r"/threads/(\d+)", page.url).group(1)


def test_merge_and_split_reach_open_thread_pages(new_context, sign_in):
    tag = uuid.uuid4().hex[:6]
    author = new_context().new_page()
    sign_in(author, READER)
    source = new_thread(author, f"Source thread {tag}")
    target = new_thread(author, f"Target thread {tag}")
    author.goto(source)
    moving = post_reply(author, f"A reply that will move {tag}")
    source_reader = person(new_context, sign_in, OTHER_READER, source)
    target_reader = person(new_context, sign_in, OTHER_READER, target)

    moderator = person(new_context, sign_in, MODERATOR, "/moderation/threads/" + source.rsplit("/", 1)[1])
    moderator.locator("#merge-target").fill(target.rsplit("/", 1)[1])
    moderator.get_by_role("button", name="Merge thread").click()
    expect(moderator.locator(".alert-success")).to_contain_text("Merged")

    # Readers of the target see the merged posts arrive; readers of the source are pointed there.
    expect(target_reader.locator(f"#post-{moving}")).to_contain_text(f"A reply that will move {tag}")
    # Taken to the old address (after a banner saying so), which leads to the merged posts in the
    # target, where a notice says what happened.
    expect(source_reader).to_have_url(re.compile(target + r"\?.*merged_from="), timeout=15_000)
    expect(source_reader.locator("#merge-notice")).to_be_visible()

    # Split the moved reply back out: it leaves the target page for everyone watching it.
    moderator.goto("/moderation/threads/" + target.rsplit("/", 1)[1])
    moderator.locator(f"#split-{moving}").check()
    moderator.locator("#split-title").fill(f"Split thread {tag}")
    moderator.get_by_role("button", name="Split into a new thread").click()
    expect(moderator.locator(".alert-success")).to_contain_text("Split")
    expect(target_reader.locator(f"#post-{moving}")).to_have_count(0)
    expect(target_reader.locator("#live-status")).to_contain_text("moved some replies to a new thread")
    assert errors(new_context.console) == []
