"""In the browser: a reply refused for going too fast keeps its text, the composer says when
it can be sent (counting down) and lets it be sent then."""
from __future__ import annotations

import json

from tests.e2e.helpers import Api, expect, person, unique

RAVI = "ravi@shakti.example"
SOFIA = "sofia@northwind.example"


def test_a_rate_limited_reply_keeps_its_text_and_counts_down(new_context, sign_in, server_factory):
    # One reply per 10 s: Ravi's second reply comes within it however slow the machine (the
    # thread is Sofia's, so nothing of Ravi's counted before his first reply).
    rule = "1/10seconds"
    server = server_factory("limits", seed=True, env={"RATE_LIMITS": json.dumps(
        {"post": rule, "post:supplier": rule, "post:newcomer": rule})})
    thread = Api(server, SOFIA).post("/topics/grievance-mechanisms/threads", {
        "title": unique("Counting down a refused reply"), "body": "Replies below.", "kind": "discussion"})["thread"]
    ravi = person(new_context, sign_in, RAVI, f"/threads/{thread['id']}", base_url=server.url)
    composer, submit, status = ravi.locator("#composer-body"), ravi.locator("#composer-submit"), ravi.locator("#composer-status")
    composer.fill("A first reply, posted")
    submit.click()
    expect(status).to_have_text("Your reply was posted.")
    kept = "A second reply, too soon: keep me"
    composer.fill(kept)
    submit.click()
    expect(ravi.locator("#composer-error")).to_contain_text("faster than this site allows")
    expect(composer).to_have_value(kept)
    expect(submit).to_be_disabled()
    expect(status).to_contain_text("You can send it in")
    expect(status).to_have_text("You can send it now.", timeout=15_000)
    expect(submit).to_be_enabled()
    submit.click()
    expect(status).to_have_text("Your reply was posted.")
    expect(ravi.locator(".post-body", has_text=kept)).to_be_visible()
