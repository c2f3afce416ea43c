"""The cache of rendered posts on thread pages (community/views/rendering.py post_html) never
serves a copy that is stale or meant for someone else."""
from __future__ import annotations

import re

import pytest

from community.extensions import db
from community.models import Post, User
from community.views import rendering as views_main
from tests.views.threads_support import answer, article, html_of, moderate_post, moderate_thread, start


@pytest.fixture(autouse=True)
def fresh_cache(app):
    views_main._fragments = views_main._blanks = None  # ids restart with every test: start empty
    yield
    views_main._fragments = views_main._blanks = None


def page(login_as, who, thread_id):
    return html_of(login_as(who).get(f"/threads/{thread_id}"))


def test_the_cache_is_used_and_shared_by_readers_in_the_same_relation(app, world, login_as):
    thread, opening = start(app, world, "supplier", "grievance", body="Cached words")
    first = article(page(login_as, "member", thread), opening)
    cache = views_main._fragments
    assert cache is not None and len(cache) == 1
    second = article(page(login_as, "member2", thread), opening)
    assert len(cache) == 1  # the same entry: both are readers who may reply, neither wrote it
    assert re.sub(r'value="[^"]+"', "", first) == re.sub(r'value="[^"]+"', "", second)


def test_edits_hides_and_thread_changes_show_at_once(app, world, login_as):
    thread, opening = start(app, world, "supplier", "grievance", kind="question", body="First words")
    reply = answer(app, world, "member", thread, "An answer")
    assert "First words" in page(login_as, "member2", thread)
    from community.actions.posts import edit_post

    with app.app_context():
        edit_post(world.user("supplier"), db.session.get(Post, opening), "Second words")
    html = page(login_as, "member2", thread)
    assert "Second words" in html and "First words" not in html
    moderate_post(app, world, "moderator", reply, "hide", "Off topic")
    assert "An answer" not in page(login_as, "member2", thread)
    assert "post--hidden" in article(page(login_as, "member", thread), reply)  # its author still sees it
    moderate_thread(app, world, "moderator", thread, "lock", "Done")
    assert "js-reply" not in page(login_as, "member2", thread)


def test_each_reader_gets_their_own_controls_and_csrf_token(app, world, login_as):
    thread, opening = start(app, world, "supplier", "grievance", kind="question")
    reply = answer(app, world, "member", thread, "An answer")
    other = page(login_as, "member2", thread)
    author = page(login_as, "member", thread)
    asker = page(login_as, "supplier", thread)
    assert f"/posts/{reply}/edit" in article(author, reply) and f"/posts/{reply}/edit" not in article(other, reply)
    assert f"/posts/{reply}/flag" in article(other, reply) and f"/posts/{reply}/flag" not in article(author, reply)
    assert "Accept answer" in article(asker, reply) and "Accept answer" not in article(other, reply)
    for html in (other, author, asker):
        token = re.search(r'<meta name="csrf-token" content="([^"]+)"', html).group(1)
        in_posts = set(re.findall(r'name="csrf_token" value="([^"]+)"', article(html, reply)))
        assert in_posts <= {token}
    assert "__rt_csrf_slot__" not in other + author + asker


def test_an_anonymous_author_is_named_only_after_a_reveal_even_from_the_cache(app, world, login_as):
    thread, opening = start(app, world, "supplier", "grievance", anonymous=True, body="Who am I")
    as_moderator = article(page(login_as, "moderator", thread), opening)
    as_reader = article(page(login_as, "member", thread), opening)
    assert "Textiles Ltd" not in as_moderator  # until they reveal it
    assert "Supplier" not in re.sub(r"Anonymous supplier", "", as_reader)
    moderator = login_as("moderator")
    assert moderator.post(f"/moderation/posts/{opening}/reveal", data={"reason": "A threat in it"}).status_code == 302
    assert "revealed to you" in article(moderator.get(f"/threads/{thread}").get_data(as_text=True), opening)
    # the cached copies of others never carry it
    assert "Textiles Ltd" not in article(page(login_as, "admin", thread), opening)
    assert "Supplier" not in re.sub(r"Anonymous supplier", "", article(page(login_as, "member", thread), opening))


def test_a_renamed_author_and_a_new_language_show_at_once(app, world, login_as):
    thread, opening = start(app, world, "supplier", "grievance")
    assert "Supplier" in article(page(login_as, "member", thread), opening)
    with app.app_context():
        db.session.get(User, world.ids["supplier"]).name = "Renamed Person"
        db.session.commit()
    assert "Renamed Person" in article(page(login_as, "member", thread), opening)
    client = login_as("member")
    client.post("/language", data={"lang": "es", "next": "/"})
    spanish = html_of(client.get(f"/threads/{thread}"))
    assert 'lang="es"' in spanish and "Responder" in article(spanish, opening)


def test_the_cache_can_be_turned_off(app, world, login_as):
    app.config["POST_FRAGMENT_CACHE_SIZE"] = 0
    thread, opening = start(app, world, "supplier", "grievance", body="Uncached words")
    assert "Uncached words" in page(login_as, "member", thread)
    assert views_main._fragments is None


def test_the_live_blanks_are_each_readers_own(app, world, login_as):
    from tests.views.test_live_posts import blanks

    thread, _ = start(app, world, "supplier", "grievance", body="Blank words")
    for who in ("member", "member2", "member"):
        mine = blanks(page(login_as, who, thread))["mine-named-visible"]
        assert f'data-author-id="{world.ids[who]}"' in mine, who
    assert views_main._blanks is not None and len(views_main._blanks) > 0
    # A reader who becomes a moderator of the topic gets a moderator's blanks at once.
    before = blanks(page(login_as, "member", thread))["other-named-visible"]
    from community.models import TopicModerator

    with app.app_context():
        db.session.add(TopicModerator(topic_id=world.topic_ids["grievance"], user_id=world.ids["member"]))
        db.session.commit()
    after = blanks(page(login_as, "member", thread))["other-named-visible"]
    assert before != after and "/moderation/posts/" in after
