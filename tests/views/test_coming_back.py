"""Coming back (issue 17): the home page's lists and counts, the thread page that opens at the
first unread post and records what it showed (no JavaScript needed), "Mark all read", and
unread badges in a topic's list."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from community.extensions import db
from community.models import Thread, ThreadRead, utcnow
from community.models.base import iso
from tests.views.threads_support import answer, assert_csp_clean, html_of, start, text_of


def csrf_of(html: str) -> str:
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', html).group(1)


def _mark(app, world, who, thread_id):
    with app.app_context():
        row = db.session.get(ThreadRead, (world.ids[who], thread_id))
        return row.last_read_post_id if row else None


# --- the thread page ---------------------------------------------------------------------------
def test_a_shown_page_is_read_and_the_next_visit_opens_at_the_first_new_post(app, world, login_as):
    app.config["POSTS_PER_PAGE"] = 2
    thread_id, opening = start(app, world, "supplier", "grievance", title="Recruitment fees again")
    first = answer(app, world, "supplier2", thread_id, "First answer")
    member = login_as("member")
    html = html_of(member.get(f"/threads/{thread_id}"))
    assert 'id="new-since"' not in html  # a first visit starts at the top, with no line
    assert _mark(app, world, "member", thread_id) == first
    later = [answer(app, world, "supplier2", thread_id, f"Later answer {i}") for i in range(3)]
    # page 1 holds `first` and later[0]; the first new post is later[0]
    html = html_of(member.get(f"/threads/{thread_id}"))
    assert "New since your last visit" in html
    assert html.index('id="new-since"') < html.index(f'id="post-{later[0]}"')
    assert html.index(f'id="post-{first}"') < html.index('id="new-since"')
    assert_csp_clean(html)
    assert _mark(app, world, "member", thread_id) == later[0]
    # the next visit opens on page 2, where later[1] is
    html = html_of(member.get(f"/threads/{thread_id}"))
    assert f'id="post-{later[1]}"' in html and f'id="post-{first}"' not in html
    assert html.index('id="new-since"') < html.index(f'id="post-{later[1]}"')
    assert _mark(app, world, "member", thread_id) == later[2]
    # all read: page 1 again, no line; the mark never goes back
    html = html_of(member.get(f"/threads/{thread_id}"))
    assert 'id="new-since"' not in html and f'id="post-{first}"' in html
    assert _mark(app, world, "member", thread_id) == later[2]
    assert opening


def test_unread_link_redirects_to_the_first_new_post(app, world, login_as):
    app.config["POSTS_PER_PAGE"] = 2
    thread_id, _opening = start(app, world, "supplier", "grievance")
    replies = [answer(app, world, "supplier2", thread_id, f"Answer {i}") for i in range(2)]
    member = login_as("member")
    # never opened: the top of the thread
    assert member.get(f"/threads/{thread_id}/unread").headers["Location"].endswith(f"/threads/{thread_id}")
    member.get(f"/threads/{thread_id}?page=1")
    newer = [answer(app, world, "supplier2", thread_id, f"Newer {i}") for i in range(2)]
    location = member.get(f"/threads/{thread_id}/unread").headers["Location"]
    assert location.endswith(f"/threads/{thread_id}?page=2#new-since")
    member.get(f"/threads/{thread_id}?page=2")
    member.get(f"/threads/{thread_id}?page=3")
    # all read: to the last page
    assert member.get(f"/threads/{thread_id}/unread").headers["Location"].endswith(f"/threads/{thread_id}/last")
    assert replies and newer
    assert login_as("supplier2").get(f"/threads/{thread_id}/unread").status_code == 302
    secret, _o = start(app, world, "supplier", "textiles-circle")
    assert login_as("supplier2").get(f"/threads/{secret}/unread").status_code == 404


def test_own_posts_are_never_new(app, world, login_as):
    thread_id, _opening = start(app, world, "supplier", "grievance")
    member = login_as("member")
    member.get(f"/threads/{thread_id}")
    answer(app, world, "member", thread_id, "My own reply")
    html = html_of(member.get(f"/threads/{thread_id}"))
    assert 'id="new-since"' not in html


# --- the topic page ------------------------------------------------------------------------------
def test_topic_list_shows_unread_and_new_and_marks_all_read(app, world, login_as):
    read_id, _ = start(app, world, "supplier", "grievance", title="A thread the member opened")
    new_id, _ = start(app, world, "supplier2", "grievance", title="A thread nobody opened")
    member = login_as("member")
    member.get(f"/threads/{read_id}")
    answer(app, world, "supplier2", read_id, "News 1")
    answer(app, world, "supplier2", read_id, "News 2")
    html = html_of(member.get("/t/grievance"))
    row = re.search(rf'<li class="thread-row[^"]*" data-thread-id="{read_id}">.*?</li>', html, re.S).group(0)
    assert "2 unread" in row and f'href="/threads/{read_id}/unread"' in row
    row = re.search(rf'<li class="thread-row[^"]*" data-thread-id="{new_id}">.*?</li>', html, re.S).group(0)
    assert ">New<" in row
    assert 'action="/t/grievance/read"' in html
    response = member.post("/t/grievance/read", data={})
    assert response.status_code == 302 and response.headers["Location"].endswith("/t/grievance")
    html = html_of(member.get("/t/grievance"))
    assert "unread" not in text_of(html).lower().replace("mark all read", "")
    assert 'action="/t/grievance/read"' not in html
    assert "Everything in Grievance mechanisms is marked read." in html


# --- the home page -------------------------------------------------------------------------------
def test_home_opens_on_unread_with_counts_on_topic_cards(app, world, login_as):
    opened, _ = start(app, world, "supplier", "grievance", title="Opened thread title")
    member = login_as("member")
    member.get(f"/threads/{opened}")
    answer(app, world, "supplier2", opened, "A new reply")
    fresh, _ = start(app, world, "supplier2", "grievance", title="Fresh thread title")
    start(app, world, "member", "grievance", title="Thread by the member")
    html = html_of(member.get("/"))
    assert_csp_clean(html)
    tabs = re.search(r'<ul class="nav nav-tabs home-tabs">.*?</ul>', html, re.S).group(0)
    assert 'aria-current="page">Unread' in tabs and 'id="home-unread-count">2<' in tabs
    listing = re.search(r'<ol class="home-list.*?</ol>', html, re.S).group(0)
    assert "Opened thread title" in listing and "Fresh thread title" in listing
    assert "Thread by the member" not in listing
    assert "1 unread" in listing and ">New<" in listing
    assert f'href="/threads/{opened}/unread"' in listing
    card = re.search(r'<li class="topic-card" data-topic-slug="grievance">.*?</li>', html, re.S).group(0)
    assert "1 unread" in card and "1 new" in card
    # Latest has every thread, named authors linked to their profiles
    latest = html_of(member.get("/?tab=latest"))
    listing = re.search(r'<ol class="home-list.*?</ol>', latest, re.S).group(0)
    assert "Thread by the member" in listing
    assert f'href="/users/{world.ids["supplier2"]}"' in listing and 'class="avatar"' in listing
    # mark all read: the Unread tab is empty, and the page opens on Latest
    assert member.post("/read", data={}).status_code == 302
    html = html_of(member.get("/"))
    assert 'aria-current="page">Latest' in html and 'id="home-unread-count"' not in html
    assert "You are up to date" in html_of(member.get("/?tab=unread"))


def test_home_lists_page_without_javascript(app, world, login_as):
    app.config["HOME_LIST_SIZE"] = 2
    for i in range(3):
        start(app, world, "supplier", "grievance", title=f"Paged thread number {i}")
    member = login_as("member")
    html = html_of(member.get("/?tab=latest"))
    more = re.search(r'href="(/\?tab=latest&amp;cursor=[^"]+)" rel="next"', html).group(1).replace("&amp;", "&")
    second = html_of(member.get(more))
    assert "Paged thread number 0" in second and "Paged thread number 2" not in second
    assert 'rel="next"' not in second
    assert "Paged thread number 2" in html_of(member.get("/?tab=latest&cursor=garbage"))


def test_home_unanswered_tab_names_no_anonymous_asker(app, world, login_as):
    thread_id, _ = start(app, world, "supplier2", "grievance", title="Anonymous waiting question",
                         kind="question", anonymous=True)
    old_id, _ = start(app, world, "supplier", "grievance", title="Named waiting question", kind="question")
    with app.app_context():
        db.session.get(Thread, old_id).created_at = utcnow() - timedelta(days=2)
        db.session.commit()
    html = html_of(login_as("moderator").get("/?tab=unanswered"))
    listing = re.search(r'<ol class="home-list.*?</ol>', html, re.S).group(0)
    assert listing.index("Named waiting question") < listing.index("Anonymous waiting question")
    assert "Anonymous supplier" in text_of(listing) and "asked" in text_of(listing)
    with app.app_context():  # the time waiting: a <relative-time> the browser words ("2 days ago")
        created = db.session.get(Thread, old_id).created_at
    waiting = re.search(r'<span class="thread-waiting">.*?</span>', listing, re.S).group(0)
    assert f'datetime="{iso(created)}"' in waiting
    for secret in ("Supplier2", "Rubber Works", f'/users/{world.ids["supplier2"]}'):
        assert secret not in listing
    assert "Watch a topic" in html_of(login_as("member").get("/?tab=unanswered"))
    assert thread_id


@pytest.mark.parametrize("tab", ["latest", "unread", "unanswered", "mine", "bogus"])
def test_every_tab_renders(app, world, login_as, tab):
    start(app, world, "supplier", "grievance", title="Some question", kind="question")
    response = login_as("supplier").get(f"/?tab={tab}")
    assert response.status_code == 200
    assert_csp_clean(html_of(response))


@pytest.mark.parametrize("viewer", ["member", "moderator", "supplier2"])
def test_names_link_to_profiles_but_anonymous_labels_never_do(app, world, login_as, viewer):
    start(app, world, "supplier2", "grievance", title="Asked without a name", anonymous=True)
    start(app, world, "supplier", "grievance", title="Asked with a name")
    anonymous_thread = start(app, world, "supplier2", "grievance", title="Another without a name", anonymous=True)[0]
    answer(app, world, "supplier", anonymous_thread, "A named answer")
    for path in ("/t/grievance", "/?tab=latest", f"/threads/{anonymous_thread}"):
        html = html_of(login_as(viewer).get(path))
        # (the navigation links the viewer's own profile, and so do the blanks of their own named posts)
        content = re.sub(r"<template.*?</template>", "", html.split('id="main"', 1)[1], flags=re.S)
        assert f'href="/users/{world.ids["supplier"]}"' in content, path
        assert f'/users/{world.ids["supplier2"]}' not in content, (viewer, path)
    # a named author's post carries their avatar inside the profile link
    html = html_of(login_as(viewer).get(f"/threads/{anonymous_thread}"))
    link = re.search(rf'<a class="person-link post-author-link" href="/users/{world.ids["supplier"]}">.*?</a>',
                     html, re.S).group(0)
    assert '<svg class="avatar"' in link and "Supplier" in link


def test_with_scripts_the_page_leaves_recording_to_them(app, world, login_as):
    """Where the page's scripts run (cookie rt_js), they record posts as they scroll into view
    (POST /api/v1/threads/<id>/read): showing the page records nothing; the page says where
    the reader stood (data-last-read-post-id) and still marks the first new post."""
    thread_id, _opening = start(app, world, "supplier", "grievance", title="Read as it scrolls")
    first = answer(app, world, "supplier2", thread_id, "First answer")
    member = login_as("member")
    member.get(f"/threads/{thread_id}")
    assert _mark(app, world, "member", thread_id) == first
    later = answer(app, world, "supplier2", thread_id, "Later answer")
    member.set_cookie("rt_js", "1")
    html = html_of(member.get(f"/threads/{thread_id}"))
    assert f'data-last-read-post-id="{first}"' in html
    assert html.index('id="new-since"') < html.index(f'id="post-{later}"')
    assert _mark(app, world, "member", thread_id) == first  # not recorded by showing it
    response = member.post(f"/api/v1/threads/{thread_id}/read", json={"post_id": later},
                           headers={"X-CSRFToken": csrf_of(html)})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert _mark(app, world, "member", thread_id) == later
