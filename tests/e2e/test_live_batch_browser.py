"""A burst of chat lines in a real browser: the server sends the first at once and the rest as
`batch` events (one per 50 ms tick); the page shows every line, once, in order."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from tests.e2e.helpers import Api, _signed_in_states, connected, expect, page_errors, people, unique  # noqa: F401

pytestmark = pytest.mark.e2e

HANNAH = "hannah@atlasfoods.example"  # member, hosts live sessions
RAVI = "ravi@shakti.example"  # supplier

# Every chat list change that added nodes, and how many in one go (a batch adds several at once).
WATCH_ADDS = """
window.__adds = [];
new MutationObserver((records) => {
  for (const r of records) if (r.addedNodes.length) window.__adds.push(r.addedNodes.length);
}).observe(document.querySelector("#chat-list"), { childList: true });
"""


def test_a_burst_of_chat_lines_all_appear_in_order(people, live_server):
    api = Api(live_server, HANNAH)
    now = datetime.now(UTC)
    session = api.post("/topics/grievance-mechanisms/live", {
        "title": unique("Burst of chat"), "starts_at": (now - timedelta(minutes=1)).isoformat(),
        "ends_at": (now + timedelta(hours=1)).isoformat()})["session"]
    api.post(f"/live/{session['id']}/start", {})
    ravi = people(RAVI, f"/live/{session['id']}")
    connected(ravi)
    expect(ravi.locator("#live-state")).to_have_text("Live now")
    ravi.evaluate(WATCH_ADDS)
    tag = unique("burst")
    lines = [f"{tag} line {i:02d}" for i in range(30)]

    def send(text: str) -> int:
        return api.post(f"/live/{session['id']}/chat", {"body": text})["message"]["id"]

    with ThreadPoolExecutor(max_workers=4) as pool:  # several at once: faster than a tick
        ids = list(pool.map(send, lines))
    in_order = [text for _id, text in sorted(zip(ids, lines, strict=True))]
    items = ravi.locator(f"#chat-list .live-chat-body:has-text('{tag}')")
    expect(items).to_have_count(30, timeout=15_000)
    assert [t.strip() for t in items.all_inner_texts()] == in_order
    shown_ids = ravi.locator("#chat-list li").evaluate_all("lis => lis.map(li => Number(li.dataset.messageId))")
    assert shown_ids == sorted(shown_ids) and len(set(shown_ids)) == len(shown_ids)
    adds = ravi.evaluate("window.__adds")
    print(f"chat list updates: {len(adds)} for 30 lines, nodes per update {adds}")
