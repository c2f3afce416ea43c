"""The end of a live session in real browsers: nothing is dropped.

A question still waiting for approval when the host ends the session is listed, live, as
"Not reached" on every open page and in the archive; a chat message being typed stays on
the page with a link to the follow-up discussion, whose reply box opens with it; the host
answers the question late in the follow-up and the asker hears of it.
"""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from tests.e2e.helpers import _signed_in_states, connected, expect, page_errors, people, shot, unique  # noqa: F401

pytestmark = pytest.mark.e2e

HANNAH = "hannah@atlasfoods.example"  # member, hosts live sessions
RAVI = "ravi@shakti.example"  # supplier
MEILING = "meiling@penang-assembly.example"  # supplier
MODERATOR = "moderator@roundtable.example"  # moderates grievance-mechanisms


SPEECH_RECORDER = """
window.__spoken = [];
window.speechSynthesis.speak = (utterance) => window.__spoken.push(utterance.text);
"""


def unread(page) -> int:
    text = page.locator("#notification-count").inner_text().strip()
    return int(text) if text.isdigit() else 0


def test_a_waiting_question_reaches_the_archive_and_a_late_answer_the_asker(new_context, people, live_server):
    host = people(HANNAH)
    title = unique("Recruitment fees: ask the brands")
    host.goto("/t/grievance-mechanisms/live/new")
    host.get_by_label("Title").fill(title)
    now = datetime.now(UTC)  # the demo hosts' time zone is UTC
    host.locator("#live-starts").fill((now - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M"))
    host.locator("#live-ends").fill((now + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    host.locator("#live-approve").check()
    with host.expect_navigation():
        host.get_by_role("button", name="Schedule session").click()
    session_path = host.url.replace(live_server.url, "")
    with host.expect_navigation():
        host.get_by_role("button", name="Start the session").click()
    connected(host)

    ravi = people(RAVI, session_path)
    mei = people(MEILING, session_path)
    for page in (ravi, mei):
        expect(page.locator("#live-state")).to_have_text("Live now")
        expect(page.locator("#chat-announce")).not_to_be_checked()  # speech only when asked

    # Ravi asks for the chat to be read aloud: it is spoken (the browser's speech synthesis).
    ravi.add_init_script(SPEECH_RECORDER)
    ravi.reload()
    connected(ravi)
    ravi.locator("#chat-announce").check()
    hello = unique("Hello from the brands' side!")
    host.locator("#chat-body").fill(hello)
    host.locator("#chat-submit").click()
    expect(ravi.locator("#chat-list")).to_contain_text(hello)
    ravi.wait_for_function("text => window.__spoken.some((s) => s.includes(text))", arg=hello, timeout=5_000)
    assert mei.evaluate("() => window.__spoken === undefined")  # nothing stubbed, nothing asked
    ravi.locator("#chat-announce").uncheck()

    # Ravi asks; the question waits for the host's approval (his page and the host's list it).
    question = unique("Who pays the agent's fee when a worker is recruited abroad?")
    ravi.locator("#ask-body").fill(question)
    ravi.locator("#ask-submit").click()
    expect(ravi.locator("#ask-status")).to_contain_text("waiting for a host's approval")
    item = host.locator("#pending-list > li", has_text=question)
    expect(item).to_have_count(1)
    qid = item.get_attribute("data-question-id")
    # The end form lists it too, though it arrived after the page was shown.
    host.locator("#live-end summary").click()
    expect(host.locator(f'#live-end-pending .live-end-question[data-question-id="{qid}"]')).to_contain_text(question)
    expect(host.locator(f"#decision-{qid}-leave")).to_be_checked()

    # Mei Ling's question is held by one of the topic's watched words: it waits for a host
    # even after the end (never published unread).
    moderator = people(MODERATOR, "/moderation/topics/grievance-mechanisms/words", live=False)
    word = unique("kickback").replace(" ", "")
    moderator.locator("#word").fill(word)
    moderator.locator("#word-action").select_option("hold")
    with moderator.expect_navigation():
        moderator.get_by_role("button", name="Add").click()
    held_text = f"Is a {word} to the labour agent ever declared?"
    mei.locator("#ask-body").fill(held_text)
    mei.locator("#ask-submit").click()
    expect(mei.locator("#ask-status")).to_contain_text("waiting for a host's approval")
    held = host.locator("#pending-list > li", has_text=held_text)
    expect(held).to_have_count(1)
    held_id = held.get_attribute("data-question-id")

    # Mei Ling is typing in the chat when the host ends the session (leaving both questions).
    typed = unique("Half a thought about agents in Kathmandu")
    mei.locator("#chat-body").fill(typed)
    with host.expect_navigation():
        host.get_by_role("button", name="Yes, end it now").click()

    for page in (ravi, mei):
        expect(page.locator("#live-state")).to_have_text("Ended")
        expect(page.locator("#live-follow-up-link")).to_be_visible()
        # Listed as the archive lists it, live: not reached.
        listed = page.locator(f"#question-list > #q-{qid}")
        expect(listed).to_contain_text(question)
        expect(listed.locator(".live-badge--not-reached")).to_be_visible()
    # The held question still waits, for the hosts only; approved now, it is listed as not
    # reached for everyone (and carried into the follow-up).
    expect(ravi.locator(f"#q-{held_id}")).to_have_count(0)
    approve = host.locator(f"#pending-list > #q-{held_id}").get_by_role("button", name=re.compile("^Approve"))
    expect(approve).to_be_visible()
    approve.click()
    for page in (host, ravi, mei):
        listed = page.locator(f"#question-list > #q-{held_id}")
        expect(listed).to_contain_text(held_text)
        expect(listed.locator(".live-badge--not-reached")).to_be_visible()
    # The host may download the questions (CSV); participants are not offered it.
    expect(host.locator("#live-export-link")).to_be_visible()
    expect(mei.locator("#live-export-link")).to_have_count(0)

    # Mei Ling's text is kept, readable, with where to post it now.
    kept = mei.locator("#live-kept-chat")
    expect(kept).to_be_visible()
    expect(kept.locator("textarea")).to_have_value(typed)
    # "Not answered" arrives as a toast: it does not cover the kept text.
    told = mei.locator(".rt-toast-container .toast", has_text="not answered")
    expect(told).to_be_visible()
    kept.scroll_into_view_if_needed()
    a, b = told.bounding_box(), kept.bounding_box()
    assert (a["y"] + a["height"] <= b["y"] or b["y"] + b["height"] <= a["y"]
            or a["x"] + a["width"] <= b["x"] or b["x"] + b["width"] <= a["x"]), (a, b)
    shot(mei, "live-end-kept-chat")
    follow_up_href = kept.locator("a.live-kept-link").get_attribute("href")
    follow_up_id = re.search(r"/threads/(\d+)", follow_up_href).group(1)

    # The archive lists the question under "Not reached", linking the follow-up.
    with ravi.expect_navigation():
        ravi.locator("#live-archive-link").click()
    expect(ravi.locator("h1")).to_contain_text(title)
    body = ravi.locator("main")
    expect(body).to_contain_text("Not reached")
    expect(body).to_contain_text(question)
    connected(ravi)
    before = unread(ravi)  # he was told where his question went; now the late answer

    # Mei Ling follows the link: the reply box starts with what she was typing.
    with mei.expect_navigation():
        kept.locator("a.live-kept-link").click()
    expect(mei.locator("#composer-body")).to_have_value(typed)

    # The host answers the carried question late, in the follow-up; Ravi is told.
    host.goto(f"/threads/{follow_up_id}")
    connected(host)
    carried = host.locator("article.post", has_text=question)
    expect(carried).to_have_count(1)
    carried.locator(".js-reply").first.click()
    late = unique("The employer pays it: the Employer Pays Principle, in every contract.")
    host.locator("#composer-body").fill(late)
    host.locator("#composer-submit").click()
    expect(host.locator("#composer-status")).to_have_text("Your reply was posted.")
    ravi.wait_for_function(
        "before => Number(document.getElementById('notification-count').textContent.trim() || 0) > before",
        arg=before, timeout=10_000)
    ravi.goto(f"/threads/{follow_up_id}")
    expect(ravi.locator("article.post", has_text=late)).to_have_count(1)
    shot(ravi, "live-end-late-answer")
    assert page_errors(new_context.console) == []


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_the_scripts_word_a_sessions_archive_title_as_the_pages_do(app, people, lang):
    """threadTitle() of static/js/titles.js (announcements of new threads, similar questions, the
    duplicate banner) words a live session's archive and follow-up like community/titles.py."""
    from flask_babel import force_locale

    from community.titles import worded

    ravi = people(RAVI, f"/t/grievance-mechanisms/new?lang={lang}")
    assert ravi.evaluate("document.documentElement.lang") == lang
    written = ravi.evaluate("""async () => {
      const { threadTitle } = await import("/static/js/titles.js");
      return [threadTitle({ title: "Live session archive: Hotlines", title_kind: "live_archive", title_subject: "Hotlines" }),
              threadTitle({ title: "Follow-up: Hotlines", title_kind: "live_follow_up", title_subject: "Hotlines" }),
              threadTitle({ title: "A person's own words", title_kind: null, title_subject: null })];
    }""")
    with app.test_request_context(), force_locale(lang):
        expected = [str(worded("live_archive", "Hotlines")), str(worded("live_follow_up", "Hotlines"))]
    assert written == expected + ["A person's own words"]
    if lang != "en":
        assert "Live session archive" not in written[0]
