"""Sessions in real browsers: "Sign out everywhere" on one device cuts another browser's live
page at once (its socket closes, the page says so), and that browser is signed out."""
from __future__ import annotations

import re

import pytest

from tests.e2e.helpers import connected, expect

pytestmark = pytest.mark.e2e

DANIEL = "daniel@lumen.example"


def test_sign_out_everywhere_cuts_another_browsers_live_page(new_context, sign_in):
    laptop = new_context().new_page()
    sign_in(laptop, DANIEL)
    laptop.goto("/t/grievance-mechanisms")
    connected(laptop)

    phone = new_context(user_agent="Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
                                   "(KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1").new_page()
    sign_in(phone, DANIEL)
    phone.goto("/settings/sessions")
    sessions = phone.locator("#sessions li")
    expect(sessions.nth(1)).to_be_visible()  # the laptop too (and any left by earlier tests on this server)
    expect(phone.locator("#sessions")).to_contain_text("iPhone")
    expect(phone.locator("#sessions li", has_text="this device")).to_contain_text("iPhone")

    with phone.expect_navigation():
        phone.get_by_role("button", name="Sign out everywhere").click()
    expect(phone).to_have_url(re.compile(r"/login"))

    # The laptop's live page learns at once, without a reload, and stops reconnecting.
    banner = laptop.locator("[data-banner='session']")
    expect(banner).to_contain_text("Sign in again")
    expect(laptop.locator("#connection-state")).to_have_attribute("data-state", "offline")
    laptop.wait_for_timeout(1500)
    expect(laptop.locator("#connection-state")).to_have_attribute("data-state", "offline")
    # And its cookie is worth nothing now.
    laptop.goto("/t/grievance-mechanisms")
    expect(laptop).to_have_url(re.compile(r"/login"))
