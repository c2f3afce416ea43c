"""Smoke test in a real browser against the real server: sign-in, the topic list, the live socket."""
from __future__ import annotations

import re

import pytest

from tests.e2e.helpers import expect

pytestmark = pytest.mark.e2e

DEMO_MEMBER = "sofia@northwind.example"


def _page_errors(console: list[str]) -> list[str]:
    """Uncaught script errors and Content-Security-Policy violations (inline script/style)."""
    return [line for line in console if "pageerror" in line or "Content Security Policy" in line]


def test_home_page_redirects_to_login(page):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.get_by_label("Email", exact=True)).to_be_visible()


def test_demo_member_signs_in_and_sees_the_topics(page, sign_in, new_context):
    sign_in(page, DEMO_MEMBER)
    expect(page).not_to_have_url(re.compile(r"/login"))
    main = page.locator("main")
    for name in ("Forced and migrant labour", "Grievance mechanisms", "Anti-corruption",
                 "Land use and land rights", "Working conditions and wages", "India", "Middle East"):
        expect(main.get_by_role("link", name=name, exact=True).first).to_be_visible()
    assert _page_errors(new_context.console) == []


def test_live_socket_connects(page, sign_in, new_context):
    sign_in(page, DEMO_MEMBER)
    expect(page.locator("#connection-state")).to_have_text(re.compile(r"^\s*connected\s*$", re.I))
    assert _page_errors(new_context.console) == []


def test_signed_out_visitor_gets_no_socket(page):
    """The socket script loads for signed-in people only; the login page has no badge."""
    page.goto("/login")
    expect(page.locator("#connection-state")).to_have_count(0)
