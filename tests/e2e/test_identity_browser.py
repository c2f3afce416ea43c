"""A supplier types, ticks "Post anonymously" and posts while a member watches the thread
(issue #11): at no moment does the member's page show the supplier's name or organisation —
not in the typing line, the presence line, the live insert, an attribute, or the page title.
A MutationObserver installed before the page loads records every text and attribute the
page ever shows, from the first keystroke (typed before the box is ticked) to after the reply.
"""
from __future__ import annotations

import re
import time

import pytest

from tests.e2e.helpers import _signed_in_states, connected, expect, people, shot, unique  # noqa: F401 (fixtures)

pytestmark = pytest.mark.e2e

SOFIA = "sofia@northwind.example"   # member brand, watches
RAVI = "ravi@shakti.example"        # supplier, Shakti Garments, writes anonymously
SECRETS = ("Ravi", "Kumar", "Shakti", "ravi@", "ravi.kumar")

# Every text and attribute value the document ever holds, recorded as it changes.
RECORDER = """
(() => {
  window.__seen = [];
  const keep = (value) => { if (value) window.__seen.push(String(value)); };
  const walk = (node) => {
    if (node.nodeType === Node.TEXT_NODE) { keep(node.data); return; }
    if (node.nodeType !== Node.ELEMENT_NODE) return;
    for (const attr of node.attributes) keep(attr.name + '=' + attr.value);
    for (const child of node.childNodes) walk(child);
  };
  const start = () => {
    walk(document.documentElement);
    new MutationObserver((mutations) => {
      for (const m of mutations) {
        if (m.type === 'characterData') keep(m.target.data);
        else if (m.type === 'attributes') keep(m.attributeName + '=' + m.target.getAttribute(m.attributeName));
        else m.addedNodes.forEach(walk);
      }
    }).observe(document.documentElement, {subtree: true, childList: true, characterData: true, attributes: true});
  };
  if (document.documentElement) start(); else document.addEventListener('DOMContentLoaded', start);
})();
"""


def test_the_watching_member_never_sees_who_writes_anonymously(new_context, people, live_server):
    # Sofia starts a thread in Grievance mechanisms (anonymous posts allowed) and watches it.
    sofia = people(SOFIA, "/t/grievance-mechanisms/new", live=False)
    title = unique("How do we protect a worker who reports")
    sofia.get_by_label("Title").fill(title)
    sofia.locator("#thread-body").fill("A worker reported wage deductions. How do we keep them safe from retaliation?")
    with sofia.expect_navigation():
        sofia.get_by_role("button", name="Start thread").click()
    thread_url = re.sub(r"^https?://[^/]+", "", sofia.url.split("#")[0])
    sofia.context.add_init_script(RECORDER)
    sofia.goto(thread_url)
    connected(sofia)
    expect(sofia.locator("#presence-why")).to_contain_text("only how many")

    # Ravi opens it and types before ticking the box, then ticks it, types on and posts.
    ravi = people(RAVI, thread_url)
    expect(sofia.locator("#presence")).to_contain_text("2 reading")
    box = ravi.locator("#composer-body")
    box.press_sequentially("Our own supplier ", delay=40)
    expect(sofia.locator("#typing")).to_contain_text("Someone is typing")  # from the first keystroke
    ravi.get_by_label("Post anonymously").check()
    time.sleep(2.2)  # the typing throttle: the next keystrokes send another typing event
    box.press_sequentially("deducted wages too; we fear the same.", delay=30)
    expect(sofia.locator("#typing")).to_contain_text("Someone is typing")
    ravi.locator("#composer-submit").click()
    expect(ravi.locator("#composer-status")).to_have_text("Your reply was posted.")
    reply = sofia.locator("article.post", has_text="we fear the same")
    expect(reply).to_contain_text("Anonymous supplier")
    expect(reply.locator(".post-author-anon .bi-incognito")).to_have_count(1)  # the application's own label
    time.sleep(5.5)  # the typing line clears itself 5 s after the last event: watch it go
    expect(sofia.locator("#typing")).to_have_text("")

    seen = sofia.evaluate("window.__seen")
    assert any("Someone is typing" in text for text in seen), "the recorder saw the typing line"
    assert any("we fear the same" in text for text in seen), "the recorder saw the live reply"
    for secret in SECRETS:
        leaks = [text for text in seen if secret.lower() in text.lower()]
        assert not leaks, f"{secret!r} appeared on the member's page: {leaks[:3]}"
    source = sofia.content()
    for secret in SECRETS:
        assert secret.lower() not in source.lower(), f"{secret!r} is in the member's page"
    assert reply.get_attribute("data-author-id") is None
    shot(sofia, "11-member-watching-an-anonymous-reply")


def test_the_mention_autocomplete_offers_readers_of_the_thread_from_two_characters(people, live_server):
    sofia = people(SOFIA, "/t/grievance-mechanisms")
    sofia.locator("#thread-list a.thread-title").first.click()
    connected(sofia)
    asked = []
    sofia.on("request", lambda request: asked.append(request.url) if "/api/v1/users" in request.url else None)
    box = sofia.locator("#composer-body")
    box.press_sequentially("Thanks @R", delay=60)
    time.sleep(0.5)
    assert asked == [], "one character asks nothing"
    box.press_sequentially("av", delay=60)
    menu = sofia.locator(".mention-menu")
    expect(menu).to_be_visible()
    expect(menu.get_by_role("option").first).to_contain_text("Ravi Kumar")
    assert all("thread=" in url for url in asked), asked  # the thread being written in is the context
    expect(menu.locator("bdi").first).to_have_text("Ravi Kumar")
