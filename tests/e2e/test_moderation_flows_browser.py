"""Moderation flows in real browsers (issue 15), each side watching live:

- merge: a reader at the old address lands on the posts where they are now, with a notice; a
  reader who had the old thread open is taken there;
- appeal by edit: a moderator hides a post; its author's open page shows why and the controls
  (Edit and send back, Appeal) without a reload; the author edits and sends it back; it is in
  the moderator's open queue; the moderator approves; the author's page shows it visible;
- appeal: hide -> the author appeals -> another moderator, whose appeals page is open, sees it
  arrive and overturns it -> the author's page shows the post visible, and the moderator who
  hid it sees the appeal settled on their own open appeals page;
- open pages follow the thread: its author's page of a held thread loses "awaiting review" when a
  moderator approves it; a reader's open page follows a rename (title, breadcrumb), a move
  (breadcrumb), a lock and an unlock (the composer), a close as duplicate (a banner leading to
  the original) and a move to a topic the reader may not read (the page says it left).
"""
from __future__ import annotations

import re
import uuid

import pytest

from tests.e2e.helpers import PageApi, connected, expect

pytestmark = pytest.mark.e2e

MODERATOR = "moderator@roundtable.example"  # moderates Grievance mechanisms in the demo
ADMIN = "admin@roundtable.example"
WRITER = "sofia@northwind.example"
READER = "daniel@lumen.example"
# Each journey has its own writer: the shared server's posting limits count per person.
EDITOR = "daniel@lumen.example"
APPELLANT = "hannah@atlasfoods.example"
SUPPLIER = "ravi@shakti.example"


def person(new_context, sign_in, email: str, path: str):
    page = new_context().new_page()
    sign_in(page, email)
    page.goto(path)
    connected(page)
    return page


def errors(console: list[str]) -> list[str]:
    return [line for line in console if "pageerror" in line or "Content Security Policy" in line]


def new_thread(page, title: str) -> str:
    page.goto("/t/grievance-mechanisms/new")
    page.locator("#thread-title").fill(title)
    page.locator("#thread-body").fill(f"Opening words of {title}")
    page.get_by_role("button", name="Start thread").click()
    # The thread's page, however long the server takes (a refusal would stay on the form, saying why).
    expect(page).to_have_url(re.compile(r"/threads/\d+"), timeout=20_000)
    return "/threads/" + re.search(r"/threads/(\d+)", page.url).group(1)


def post_reply(page, text: str) -> int:
    page.locator("#composer-body").fill(text)
    page.locator("#composer-submit").click()
    article = page.locator("article.post", has_text=text)
    expect(article).to_have_count(1)
    return int(article.get_attribute("data-post-id"))


def hide(moderator, post_id: int, reason: str) -> None:
    moderator.goto(f"/moderation/posts/{post_id}")
    moderator.get_by_label("Reason").first.fill(reason)
    moderator.get_by_role("button", name="Hide", exact=True).click()
    expect(moderator.locator(".alert-success")).to_contain_text("Hidden")


def test_merge_leads_readers_to_the_posts(new_context, sign_in):
    tag = uuid.uuid4().hex[:6]
    author = person(new_context, sign_in, WRITER, "/")
    source = new_thread(author, f"Merged away {tag}")
    target = new_thread(author, f"Merged into {tag}")
    author.goto(source)
    moving = post_reply(author, f"A reply that moves with the merge {tag}")
    open_reader = person(new_context, sign_in, READER, source)

    moderator = person(new_context, sign_in, MODERATOR, "/moderation/threads/" + source.rsplit("/", 1)[1])
    moderator.locator("#merge-target").fill(target.rsplit("/", 1)[1])
    moderator.get_by_role("button", name="Merge thread").click()
    expect(moderator.locator(".alert-success")).to_contain_text("Merged")

    # The reader who had the old thread open is taken to its posts (after a banner saying so),
    # no click needed.
    expect(open_reader).to_have_url(re.compile(re.escape(target) + r"\?.*merged_from="), timeout=15_000)
    expect(open_reader.locator(f"#post-{moving}")).to_contain_text(f"A reply that moves with the merge {tag}")
    expect(open_reader.locator("#merge-notice")).to_contain_text(f"Merged away {tag}")

    # A reader arriving at the old address later lands on the posts, with the notice.
    late = person(new_context, sign_in, READER, source)
    expect(late).to_have_url(re.compile(re.escape(target) + r"\?.*merged_from=.*#post-\d+$"))
    expect(late.locator(f"#post-{moving}")).to_be_visible()
    expect(late.locator("#merge-notice")).to_be_visible()
    assert errors(new_context.console) == []


def test_hidden_post_edited_sent_back_and_approved_each_side_live(new_context, sign_in):
    tag = uuid.uuid4().hex[:6]
    writer = person(new_context, sign_in, EDITOR, "/")
    thread = new_thread(writer, f"Edit and send back {tag}")
    writer.goto(thread)
    connected(writer)
    post_id = post_reply(writer, f"Call me on 555 0199 {tag}")

    moderator = person(new_context, sign_in, MODERATOR, "/")
    hide(moderator, post_id, "Please leave out phone numbers")

    # The author's open page: the post stays, says why and offers what to do (no reload).
    article = writer.locator(f"#post-{post_id}")
    expect(article).to_have_attribute("data-state", "hidden")
    expect(article.locator(".post-state-note")).to_contain_text("Please leave out phone numbers")
    expect(writer.locator("#live-announcer")).to_contain_text("A moderator hid your post")
    edit = article.get_by_role("link", name="Edit and send back")
    expect(edit).to_be_visible()
    expect(article.get_by_role("link", name="Appeal the decision")).to_be_visible()

    moderator.goto("/moderation?topic=grievance-mechanisms")
    connected(moderator)
    edit.click()
    writer.locator("#edit-body").fill(f"Please write to me through the forum {tag}")
    with writer.expect_navigation():
        writer.get_by_role("button", name="Save and send back to the moderators").click()
    connected(writer)
    expect(writer.locator(f"#post-{post_id}")).to_have_attribute("data-state", "held")

    # Back in the moderator's open queue, live; approved there.
    card = moderator.locator(f"#queue-post-{post_id}")
    expect(card).to_contain_text(f"Please write to me through the forum {tag}")
    card.get_by_role("button", name=re.compile("^Approve")).click()
    expect(moderator.locator(".alert-success")).to_contain_text("Approved")

    # The author's page follows: visible, the "awaiting review" notices gone.
    expect(writer.locator(f"#post-{post_id}")).to_have_attribute("data-state", "visible")
    expect(writer.locator(f"#post-{post_id} .state-badge")).to_have_count(0)
    expect(writer.locator('[data-flash="awaiting"]')).to_have_count(0)
    expect(writer.locator("#live-announcer")).to_contain_text("Your post was approved")
    assert errors(new_context.console) == []


def test_appeal_overturned_by_another_moderator_each_side_live(new_context, sign_in):
    tag = uuid.uuid4().hex[:6]
    writer = person(new_context, sign_in, APPELLANT, "/")
    thread = new_thread(writer, f"Appeal journey {tag}")
    writer.goto(thread)
    connected(writer)
    post_id = post_reply(writer, f"Our audit found overtime above the legal limit {tag}")

    priya = person(new_context, sign_in, MODERATOR, "/")
    hide(priya, post_id, "Unverified claim")
    article = writer.locator(f"#post-{post_id}")
    expect(article).to_have_attribute("data-state", "hidden")

    # Both moderators watch their appeals pages; the other one (Amara) decides.
    priya.goto("/moderation/appeals")
    connected(priya)
    amara = person(new_context, sign_in, ADMIN, "/moderation/appeals")

    with writer.expect_navigation():
        article.get_by_role("link", name="Appeal the decision").click()
    writer.locator("#appeal-note").fill("The audit report is public; the link is in my profile.")
    with writer.expect_navigation():
        writer.get_by_role("button", name="Send the appeal").click()
    connected(writer)
    expect(writer.locator(f"#post-{post_id} .post-state-note")).to_contain_text("You appealed this decision")

    card = amara.locator("#open-appeals .appeal-card", has_text=f"Appeal journey {tag}")
    expect(card).to_be_visible()  # arrived live
    expect(amara.locator("#live-announcer")).to_contain_text("New appeal")
    mine = priya.locator("#open-appeals .appeal-card", has_text=f"Appeal journey {tag}")
    expect(mine).to_contain_text("Another moderator decides this appeal")

    card.get_by_label("Overturn: show the post").check()
    card.get_by_label("Reason, sent to the author").fill("The report is public indeed")
    with amara.expect_navigation():
        card.get_by_role("button", name="Decide").click()
    expect(amara.locator(".alert-success")).to_contain_text("Appeal accepted")

    expect(writer.locator(f"#post-{post_id}")).to_have_attribute("data-state", "visible")
    expect(writer.locator(f"#post-{post_id} .post-state-note")).to_have_count(0)
    expect(mine.locator('[data-part="settled"]')).to_contain_text("overturned")
    expect(mine.locator('[data-part="settled"]')).to_contain_text("Amara Okafor")
    assert errors(new_context.console) == []


def test_a_post_deleted_by_a_moderator_stays_on_its_authors_page_saying_why(new_context, sign_in):
    tag = uuid.uuid4().hex[:6]
    writer = person(new_context, sign_in, WRITER, "/t/grievance-mechanisms")
    thread = writer.locator("main a[href^='/threads/']").first.get_attribute("href")
    writer.goto(re.sub(r"[?#].*$", "", thread) + "/last")
    connected(writer)
    post_id = post_reply(writer, f"Words a moderator will delete {tag}")
    reader = person(new_context, sign_in, READER, writer.url)
    expect(reader.locator(f"#post-{post_id}")).to_be_visible()

    moderator = person(new_context, sign_in, MODERATOR, f"/posts/{post_id}/delete")
    moderator.locator("#delete-reason").fill("Off-topic here")
    with moderator.expect_navigation():
        moderator.get_by_role("button", name="Delete post").click()

    expect(reader.locator(f"#post-{post_id}")).to_have_count(0)  # gone for readers
    article = writer.locator(f"#post-{post_id}")  # the author's page keeps it, saying why
    expect(article).to_have_attribute("data-state", "deleted")
    expect(article.locator(".post-state-note")).to_contain_text("Off-topic here")
    assert errors(new_context.console) == []


def new_topic(admin, name: str, slug: str, **choices) -> str:
    """An administrator creates a topic through the form; `choices`: radio name -> value."""
    admin.goto("/admin/topics/new")
    admin.locator("#f-name").fill(name)
    admin.locator("#f-slug").fill(slug)
    for field, value in choices.items():
        admin.locator(f"#f-{field}-{value}").check()
    with admin.expect_navigation():
        admin.get_by_role("button", name="Create topic").click()
    expect(admin.locator(".alert-success")).to_contain_text(name)
    return slug


def test_a_held_thread_approved_while_its_author_has_it_open(new_context, sign_in):
    tag = uuid.uuid4().hex[:6]
    amara = person(new_context, sign_in, ADMIN, "/")
    slug = new_topic(amara, f"Every post reviewed {tag}", f"reviewed-{tag}", moderation="all")

    author = person(new_context, sign_in, WRITER, f"/t/{slug}/new")
    author.locator("#thread-title").fill(f"Held until approved {tag}")
    author.locator("#thread-body").fill(f"Opening words waiting for a moderator {tag}")
    author.get_by_role("button", name="Start thread").click()
    expect(author).to_have_url(re.compile(r"/threads/\d+"), timeout=20_000)
    connected(author)
    awaiting = author.locator("#thread-awaiting")
    expect(awaiting).to_contain_text("awaiting review")
    opening = author.locator("article.post[data-opening=true]")
    expect(opening).to_have_attribute("data-state", "held")
    opening_id = int(opening.get_attribute("data-post-id"))

    PageApi(amara).post(f"/posts/{opening_id}/moderation", {"action": "approve"})

    # The author's open page: the banner goes, the opening post shows as visible, it is said.
    expect(awaiting).to_have_count(0)
    expect(author.locator(f"#post-{opening_id}")).to_have_attribute("data-state", "visible")
    expect(author.locator('[data-flash="awaiting"]')).to_have_count(0)
    expect(author.locator("#live-announcer")).to_contain_text("This thread was approved")
    expect(author.locator("#composer-body")).to_be_editable()
    expect(author.locator("#composer-submit")).to_be_enabled()
    assert errors(new_context.console) == []


def test_a_readers_open_page_follows_rename_move_lock_a_private_move_and_duplicate(new_context, sign_in):
    tag = uuid.uuid4().hex[:6]
    amara = person(new_context, sign_in, ADMIN, "/")
    private = new_topic(amara, f"Members only {tag}", f"members-{tag}", visibility="members")
    api = PageApi(amara)
    start = "/topics/grievance-mechanisms/threads"
    original = api.post(start, {"title": f"The original {tag}", "body": f"First said here {tag}"})["thread"]["id"]
    thread = api.post(start, {"title": f"Said twice {tag}", "body": f"Said again here {tag}"})["thread"]["id"]

    reader = person(new_context, sign_in, SUPPLIER, f"/threads/{thread}")
    crumb, topic_link = reader.locator("#thread-crumb"), reader.locator("#thread-topic-link")
    expect(topic_link).to_have_text("Grievance mechanisms")
    expect(reader.locator("#composer-submit")).to_be_enabled()

    # Renamed: the heading, the breadcrumb and the window's title follow.
    status, _ = api.call("PATCH", f"/threads/{thread}", {"title": f"Said twice, renamed {tag}"})
    assert status == 200
    expect(reader.locator("#thread-title")).to_have_text(f"Said twice, renamed {tag}")
    expect(crumb).to_have_text(f"Said twice, renamed {tag}")
    expect(reader).to_have_title(re.compile(f"^Said twice, renamed {tag}"))

    # Moved to another topic the reader may read: the breadcrumb leads there.
    api.post(f"/threads/{thread}/moderation", {"action": "move", "topic": "anti-corruption"})
    expect(topic_link).to_have_text("Anti-corruption")
    expect(topic_link).to_have_attribute("href", "/t/anti-corruption")
    expect(reader.locator("#live-announcer")).to_contain_text("moved to the topic")

    # Locked: the composer gives way to the locked notice (the text typed is kept); unlocked: back.
    reader.locator("#composer-body").fill(f"Half a thought {tag}")
    api.post(f"/threads/{thread}/moderation", {"action": "lock", "reason": "Cooling off"})
    expect(reader.locator("#composer-locked")).to_be_visible()
    expect(reader.locator("#thread-locked")).to_be_visible()
    expect(reader.locator("#composer-submit")).to_be_disabled()
    expect(reader.locator("#composer-body")).to_have_value(f"Half a thought {tag}")
    # Another reader opens it while it is locked: no composer, only the notice.
    late = person(new_context, sign_in, READER, f"/threads/{thread}")
    expect(late.locator("#composer-locked-notice")).to_contain_text("This thread is locked")
    expect(late.locator("#composer-form")).to_have_count(0)
    api.post(f"/threads/{thread}/moderation", {"action": "unlock"})
    expect(reader.locator("#composer-locked")).to_be_hidden()
    expect(reader.locator("#thread-locked")).to_be_hidden()
    expect(reader.locator("#composer-submit")).to_be_enabled()
    expect(reader.locator("#composer-body")).to_be_editable()
    notice = late.locator("#composer-locked-notice")
    expect(notice).to_contain_text("This thread is open again")
    with late.expect_navigation():
        notice.get_by_role("button", name="Reload").click()
    expect(late.locator("#composer-submit")).to_be_enabled()

    # Moved where the supplier may not read: the page leaves the thread's room and says so; the
    # text typed stays, and the composer no longer offers to send it (it is not "locked").
    api.post(f"/threads/{thread}/moderation", {"action": "move", "topic": private})
    expect(reader.locator('#live-status [data-banner="left"]')).to_be_visible()
    expect(topic_link).to_have_text("Anti-corruption")  # where it went is not told
    expect(reader.locator("#composer-submit")).to_be_disabled()
    expect(reader.locator("#composer-body")).to_have_value(f"Half a thought {tag}")
    expect(reader.locator("#composer-locked")).to_be_hidden()
    # Moved back: a reload follows it again.
    api.post(f"/threads/{thread}/moderation", {"action": "move", "topic": "anti-corruption"})
    reader.reload()
    expect(reader.locator("#composer-submit")).to_be_enabled()

    # Closed as a duplicate (of a thread that stayed in Grievance mechanisms): a banner leads there.
    api.post(f"/threads/{thread}/moderation", {"action": "duplicate", "target": original,
                                               "reason": "Same question"})
    banner = reader.locator('#live-status [data-banner="duplicate"]')
    expect(banner).to_contain_text("closed as a duplicate")
    expect(banner).to_contain_text(f"The original {tag}")  # named: this reader may read it
    expect(reader.locator("#composer-locked")).to_be_visible()  # a duplicate is locked too

    banner.get_by_role("button", name="Go to the original thread").click()
    expect(reader).to_have_url(re.compile(f"/threads/{original}$"))
    expect(reader.locator("#thread-title")).to_have_text(f"The original {tag}")
    assert errors(new_context.console) == []
