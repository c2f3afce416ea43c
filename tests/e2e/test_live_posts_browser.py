"""One way to show a post live, in real browsers: a reply reaches a Spanish reader, an Arabic
reader and a moderator as data over the socket, each page renders it from its own blanks
(the post partial, in its language, with its reader's controls: static/js/posts.js), nobody's
page asks the server for anything, and each shows the same markup as after a reload.
"""
from __future__ import annotations

import re

import pytest

from tests.e2e.helpers import PageApi, _signed_in_states, connected, expect, people, unique  # noqa: F401 (fixtures)

pytestmark = pytest.mark.e2e

DANIEL = "daniel@lumen.example"         # member brand: writes the replies
SOFIA = "sofia@northwind.example"       # member brand: reads in Spanish
OMAR = "omar@gulfpack.example"          # supplier: reads in Arabic
PRIYA = "moderator@roundtable.example"  # moderates Grievance mechanisms: reads in English
RAVI = "ravi@shakti.example"            # supplier: writes anonymously

# The article as a tree: tag, attributes, children; whitespace collapsed. What legitimately
# differs between two renders is left out: the CSRF token (signed anew for every page), the
# three-second "new" highlight, and the server's fallback text inside <relative-time> (shown
# only without JavaScript: the element's own rendering, in its shadow root, is compared).
SHAPE_JS = """(el) => {
  const walk = (node) => {
    if (node.nodeType === Node.TEXT_NODE) {
      const text = node.data.replace(/\\s+/g, ' ').trim();
      return text || null;
    }
    if (node.nodeType !== Node.ELEMENT_NODE) return null;
    const attrs = {};
    for (const a of node.attributes) attrs[a.name] = a.value;
    if (node.localName === 'input' && attrs.name === 'csrf_token') attrs.value = attrs.value ? '<token>' : '';
    if (attrs.class) attrs.class = attrs.class.split(/\\s+/).filter((c) => c && c !== 'post--new').sort().join(' ');
    let children = Array.from(node.childNodes).map(walk).filter((c) => c !== null);
    if (node.localName === 'relative-time') children = [(node.shadowRoot ? node.shadowRoot.textContent : '').trim()];
    return [node.localName, attrs, children];
  };
  return walk(el);
}"""

READ_MARK = re.compile(r"/api/v1/threads/\d+/read$")


def _record_requests(page) -> list[str]:
    """Every request the page makes from now on, but the socket's own (websocket, or long polling)
    and the read mark it sends as the new post scrolls into view (issue 17: it carries nothing
    back to show; the post itself must come with the event)."""
    seen: list[str] = []
    page.on("request", lambda request: seen.append(request.url)
            if "/socket.io/" not in request.url
            and not (request.method == "POST" and READ_MARK.search(request.url)) else None)
    return seen


def _reader(people, email: str, path: str, locale: str):
    page = people(email, path, locale=locale)
    expect(page.locator("html")).to_have_attribute("lang", locale)
    return page


def test_a_reply_reaches_readers_in_their_languages_with_no_extra_request(people, live_server):
    daniel = people(DANIEL, "/t/grievance-mechanisms")
    created = PageApi(daniel).post("/topics/grievance-mechanisms/threads", {
        "title": unique("Paying wages on time during a slow season"), "kind": "question",
        "body": "How do you make sure wages are paid on time when orders drop for a season?"})
    path = f"/threads/{created['thread']['id']}"
    daniel.goto(path)
    connected(daniel)

    readers = {"es": _reader(people, SOFIA, path, "es"), "ar": _reader(people, OMAR, path, "ar"),
               "en": _reader(people, PRIYA, path, "en")}
    requests = {lang: _record_requests(page) for lang, page in readers.items()}

    text = unique("We agreed a wage fund with our buyers: it pays the workers first when orders drop")
    daniel.locator("#composer-body").fill(f"{text}, and **nobody** waits for their money.")
    daniel.locator("#composer-submit").click()
    expect(daniel.locator("#composer-status")).to_have_text("Your reply was posted.")
    own = daniel.locator("article.post", has_text=text)
    expect(own).to_have_count(1)
    expect(own.locator("a[href$='/edit']")).to_have_count(1)        # the author's own controls

    live = {}
    for lang, page in readers.items():
        article = page.locator("article.post", has_text=text)
        expect(article).to_have_count(1)
        expect(article.locator(".post-body strong")).to_have_text("nobody")
        expect(article.locator(".post-author-name")).to_have_text("Daniel Brooks")
        expect(article.locator("relative-time")).to_have_attribute("datetime", re.compile(r"Z$"))
        live[lang] = page.evaluate(SHAPE_JS, article.element_handle())

    # in the reader's language, with the reader's controls
    es, ar, en = (readers[k].locator("article.post", has_text=text) for k in ("es", "ar", "en"))
    expect(es.locator(".js-reply")).to_contain_text("Responder")
    expect(es.locator(".post-language")).to_contain_text("English")  # the language, as it calls itself
    expect(ar.locator(".post-language")).to_contain_text("English")
    expect(en.locator(".post-language")).to_have_count(0)             # the page's own language
    expect(es.locator("a[href^='/moderation/posts/']")).to_have_count(0)
    expect(en.locator("a[href^='/moderation/posts/']")).to_have_count(1)  # the moderator's controls
    expect(en.locator(".js-accept-form")).to_have_count(1)
    expect(es.locator("a[href$='/edit']")).to_have_count(0)

    for lang, seen in requests.items():
        assert seen == [], f"the {lang} reader's page asked the server for {seen}"

    # the same markup as the page renders on a reload
    for lang, page in readers.items():
        page.reload()
        article = page.locator("article.post", has_text=text)
        expect(article).to_have_count(1)
        expect(article.locator("relative-time")).not_to_have_text("")
        again = page.evaluate(SHAPE_JS, article.element_handle())
        assert again == live[lang], f"the {lang} reader's live post differs from the reloaded one"


def test_an_anonymous_reply_is_the_same_live_and_after_a_reload(people, live_server):
    ravi = people(RAVI, "/t/grievance-mechanisms")
    created = PageApi(ravi).post("/topics/grievance-mechanisms/threads", {
        "title": unique("Reporting a recruitment fee without being named"),
        "body": "Can a worker report a recruitment fee without being named?"})
    path = f"/threads/{created['thread']['id']}"
    ravi.goto(path)
    connected(ravi)
    readers = {"es": _reader(people, SOFIA, path, "es"), "en": _reader(people, PRIYA, path, "en")}
    requests = {lang: _record_requests(page) for lang, page in readers.items()}

    text = unique("Our workers paid a recruitment agent in their home village before they came")
    ravi.locator("#composer-body").fill(text)
    ravi.get_by_label("Post anonymously").check()
    ravi.locator("#composer-submit").click()
    expect(ravi.locator("#composer-status")).to_have_text("Your reply was posted.")
    expect(ravi.locator("article.post", has_text=text)).to_contain_text("(you)")

    live = {}
    for lang, page in readers.items():
        article = page.locator("article.post", has_text=text)
        expect(article).to_have_count(1)
        expect(article.locator(".post-author-anon")).to_have_count(1)
        expect(article).not_to_contain_text("Ravi")
        expect(article).not_to_contain_text("Shakti")
        live[lang] = page.evaluate(SHAPE_JS, article.element_handle())
        assert "data-author-id" not in str(live[lang])
    # the label in the reader's language
    expect(readers["es"].locator("article.post", has_text=text).locator(".post-author-name")).not_to_have_text(
        "Anonymous supplier")
    expect(readers["en"].locator("article.post", has_text=text).locator(".post-author-name")).to_have_text(
        "Anonymous supplier")
    for lang, seen in requests.items():
        assert seen == [], f"the {lang} reader's page asked the server for {seen}"

    for lang, page in readers.items():
        page.reload()
        again = page.locator("article.post", has_text=text)
        expect(again).to_have_count(1)
        assert page.evaluate(SHAPE_JS, again.element_handle()) == live[lang], lang
