"""In the browser: a reply refused for going too fast keeps its text, the composer says when
it can be sent (counting down) and lets it be sent then."""
from __future__ import annotations

import json

from tests.e2e.helpers import Api, person, unique

try:
    from playwright.sync_api import expect
except ImportError:  # pragma: no cover - the e2e conftest skips without Playwright
    expect = None

RAVI = "ravi@shakti.example"


def test_a_rate_limited_reply_keeps_its_text_and_counts_down(new_context, sign_in, server_factory):
    rule = "2/5seconds"
    server = server_factory("limits", seed=True, env={"RATE_LIMITS": json.dumps(
        {"post": rule, "post:supplier": rule, "post:newcomer": rule})})
    api = Api(server, RAVI)
    thread = api.post("/topics/grievance-mechanisms/threads", {"title": unique("Counting down a refused reply"),
                                                               "body": "Replies below.", "kind": "discussion"})["thread"]
    ravi = person(new_context, sign_in, RAVI, f"/threads/{thread['id']}", base_url=server.url)
    composer, submit, status = ravi.locator("#composer-body"), ravi.locator("#composer-submit"), ravi.locator("#composer-status")
    composer.fill("One more reply, kept when refused")  # the opening post already counted once
    submit.click()
    expect(status).to_have_text("Your reply was posted.")
    kept = "A third reply, too soon: keep me"
    composer.fill(kept)
    submit.click()
    expect(ravi.locator("#composer-error")).to_contain_text("faster than this site allows")
    expect(composer).to_have_value(kept)
    expect(submit).to_be_disabled()
    expect(status).to_contain_text("You can send it in")
    expect(status).to_have_text("You can send it now.", timeout=10_000)
    expect(submit).to_be_enabled()
    submit.click()
    expect(status).to_have_text("Your reply was posted.")
    expect(ravi.locator(".post-body", has_text=kept)).to_be_visible()
