"""The search page (works without JavaScript), the navbar's search box, and the
similar-questions list on the new-thread page."""
from __future__ import annotations

import re


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_search_needs_a_signed_in_user(client):
    response = client.get("/search?q=anything")
    assert response.status_code in (302, 303) and "/login" in response.headers["Location"]


def test_the_navbar_has_a_labelled_search_box(login_as):
    page = _text(login_as("supplier").get("/"))
    form = re.search(r'<form[^>]*role="search"[^>]*>.*?</form>', page, re.S).group(0)
    assert 'action="/search"' in form and 'method="get"' in form
    assert '<label class="visually-hidden" for="nav-search">' in form and 'name="q"' in form


def test_results_with_highlights_filters_and_page_links(scene, login_as):
    thread, opening = scene.start("member", "grievance", "Yuzu sourcing question", "Where to buy yuzu?", kind="question")
    for i in range(25):
        scene.reply("member2", thread, f"Yuzu answer number {i}.")
    browser = login_as("supplier")
    page = _text(browser.get("/search?q=yuzu&kind=question&answered=no"))
    assert "26 results for “yuzu”, page 1 of 2" in page
    assert page.count('class="thread-row search-result"') == 20
    assert "<mark>Yuzu</mark> sourcing question" in page and "<mark>yuzu</mark>" in page
    assert '<option value="question" selected>' in page and '<option value="no" selected>' in page
    # Page links keep the query and the filters; the last page has the rest.
    link = re.search(r'href="([^"]*page=2[^"]*)" rel="next"', page).group(1).replace("&amp;", "&")
    assert "q=yuzu" in link and "kind=question" in link and "answered=no" in link
    second = _text(browser.get(link))
    assert second.count('class="thread-row search-result"') == 6 and "page 2 of 2" in second
    # A reply links to its page and anchor in the thread.
    assert re.search(rf'href="/threads/{thread}\?page=1#post-\d+"', page)


def test_no_results_and_refused_queries(scene, login_as):
    browser = login_as("supplier")
    empty = browser.get("/search")
    assert empty.status_code == 200 and "result" not in _text(empty).split("</form>")[-1]
    none = _text(browser.get("/search?q=nothingmatchesthis"))
    assert "No results for “nothingmatchesthis”" in none
    long = "word " * 50
    refused = browser.get("/search", query_string={"q": long})
    assert refused.status_code == 400
    page = _text(refused)
    assert "The search is too long" in page and 'aria-invalid="true"' in page
    assert f'value="{long}"' in page  # the text is kept
    bad_filter = browser.get("/search?q=yuzu&since=someday")
    assert bad_filter.status_code == 400 and "someday" in _text(bad_filter)
    hint = browser.get("/search?kind=question")
    assert hint.status_code == 200 and "Type something to search for" in _text(hint)


def test_user_html_in_posts_is_never_rendered(scene, login_as):
    scene.start("member", "grievance", "Kiwano <img src=x onerror=alert(1)>", "<script>alert('kiwano')</script> kiwano")
    page = _text(login_as("supplier").get("/search?q=kiwano"))
    assert "<img src=x" not in page and "<script>alert" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


def test_the_page_uses_no_inline_script_or_style(scene, login_as):
    scene.start("member", "grievance", "Pitaya notes", "Pitaya.")
    page = _text(login_as("supplier").get("/search?q=pitaya"))
    assert not re.search(r"<script(?![^>]*\b(src=|type=\"application/json\"))", page)  # JSON data: not executed
    assert "style=" not in page and "onclick" not in page


def test_labels_for_every_field(login_as):
    page = _text(login_as("supplier").get("/search?q=x"))
    form = page.split('action="/search" class="form-card')[1].split("</form>")[0]
    for field_id in re.findall(r'<(?:input|select)[^>]*\bid="([^"]+)"', form):
        assert f'for="{field_id}"' in form, field_id


def test_new_thread_page_has_the_suggestion_list(login_as):
    page = _text(login_as("supplier").get("/t/grievance/new"))
    box = re.search(r'<div id="similar-questions".*?</div>', page, re.S).group(0)
    assert 'data-similar-url="/api/v1/search/similar"' in box
    assert 'aria-live="polite"' in box and 'role="status"' in box
    assert '<ul id="similar-questions-list"' in box
    assert '<script type="module" src="/static/js/suggest.js"></script>' in page


def test_suggest_script_is_served_and_builds_links_safely(client):
    script = client.get("/static/js/suggest.js").get_data(as_text=True)
    assert "dataset.similarUrl" in script  # the URL comes from the page (url_for)
    assert "innerHTML" not in script and "textContent" in script
    assert "setTimeout" in script and "AbortController" in script  # debounced, stale answers dropped
