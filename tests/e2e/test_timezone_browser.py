"""A person's time zone in a real browser (issue #15): signing in from a browser in New York
gives an account with no zone that zone (the sign-in form's hidden field, js/device_zone.js);
on the settings page, after choosing another zone, "Use this device's time zone" picks the
browser's again, and saved, it is the one selected after a reload."""
from __future__ import annotations

import uuid

from tests.e2e.helpers import expect, page_errors

PASSWORD = "plum-kettle-harbour-42"


def test_the_device_zone_fills_an_unset_zone_and_the_button_picks_it(live_server, new_context, sign_in):
    email = f"tz-{uuid.uuid4().hex[:8]}@lumen.example"
    live_server.cli("users", "create", "--email", email, "--name", "Nadia Zone", "--password", PASSWORD,
                    "--role", "supplier", "--org", "Lumen Components")
    context = new_context(timezone_id="America/New_York")
    page = context.new_page()
    sign_in(page, email, PASSWORD)

    page.goto("/settings/profile")
    zone = page.locator("#f-timezone")
    # No zone yet: the one this browser reported at sign-in was kept.
    expect(zone).to_have_value("America/New_York")

    zone.select_option("Asia/Tokyo")
    with page.expect_navigation():
        page.get_by_role("button", name="Save the time zone").click()
    expect(page.locator(".alert-success")).to_contain_text("Your time zone is saved: Asia/Tokyo.")
    expect(zone).to_have_value("Asia/Tokyo")
    expect(zone.locator("option[value='Asia/Tokyo']")).to_have_text("Asia/Tokyo (UTC+09:00)")

    device = page.locator("#device-zone")
    expect(device).to_be_visible()
    expect(device).to_have_text("Use this device’s time zone (America/New_York)")
    device.click()
    expect(zone).to_have_value("America/New_York")
    expect(zone).to_be_focused()
    with page.expect_navigation():
        page.get_by_role("button", name="Save the time zone").click()
    page.reload()
    expect(zone).to_have_value("America/New_York")
    assert page.locator("html").get_attribute("time-zone") == "America/New_York"
    assert page_errors(new_context.console) == []
