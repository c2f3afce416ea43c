"""Search in a real browser against the real eventlet server, on the seeded demo (fixtures from
tests/e2e/conftest.py):

- typing a new question's title shows similar questions, answered first, in a polite live
  region, as links, without a script error or a Content-Security-Policy violation;
- the navbar's search box leads to the results page, which axe-core finds no serious problem in.
"""
from __future__ import annotations

import pytest

from tests.e2e.helpers import expect, page_errors, person, run_axe

pytestmark = pytest.mark.e2e

RAVI = "ravi@shakti.example"  # a supplier in the demo
RECRUITMENT_QUESTION = "How are you verifying that migrant workers paid no recruitment fees?"


def test_similar_questions_appear_while_a_supplier_types_a_title(new_context, sign_in):
    page = person(new_context, sign_in, RAVI, "/t/forced-labour/new", live=False)
    title = page.get_by_label("Title", exact=True)
    title.press_sequentially("recruitment fees paid by workers", delay=15)
    status = page.locator("#similar-questions-status")
    expect(status).to_contain_text("already asked")
    assert status.get_attribute("aria-live") == "polite"
    links = page.locator("#similar-questions-list a")
    expect(links.first).to_contain_text(RECRUITMENT_QUESTION)
    assert links.first.get_attribute("href").startswith("/threads/")
    assert links.first.get_attribute("target") == "_blank"
    expect(page.locator("#similar-questions-list li").first).to_contain_text("Answered")
    # Typing never lost focus to the suggestions.
    assert page.evaluate("document.activeElement.id") == "thread-title"
    # Clearing the title clears the list.
    title.fill("")
    title.press("Backspace")
    expect(page.locator("#similar-questions-list")).to_be_hidden()
    assert page_errors(new_context.console) == []


def test_the_navbar_search_leads_to_accessible_results(new_context, sign_in):
    page = person(new_context, sign_in, RAVI, "/", live=False)
    page.get_by_label("Search threads and posts").fill("recruitment fees")
    with page.expect_navigation():
        page.get_by_label("Search threads and posts").press("Enter")
    assert "/search?q=recruitment+fees" in page.url
    expect(page.locator("h2#search-results-heading")).to_contain_text("results for “recruitment fees”")
    expect(page.locator(".search-result mark").first).to_be_visible()
    problems = run_axe(page)
    assert problems == [], problems
    assert page_errors(new_context.console) == []
