"""A common unspaced word at scale (issue #17): its newest matches are read newest first (SQLite
from its bigram/trigram tables, PostgreSQL through the unspaced posts by id within a window, or
the GIN indexes when the matches are sparser than that), and the answer is the same whichever
way: the newest CANDIDATES findable matches, ranked, a title match first. The page links each
reply hit to its page in one query. On either database."""
from __future__ import annotations

import re

from community import search
from community.actions.moderation import moderate_post
from community.extensions import db
from community.models import Post
from community.permissions import Guardian
from community.views.main import page_of, pages_of


def _page(app, world, who, q, **filters):
    with app.app_context():
        return search.search(Guardian(world.user(who)), q, search.Filters(**filters), limit=100, count=True)


def test_a_common_chinese_word_ranks_its_newest_matches(app, world, scene, monkeypatch):
    monkeypatch.setattr(search.find, "CANDIDATES", 3)
    thread, opening = scene.start("supplier", "grievance", "工资问题调查", "工人的工资没有按时发放。", language="zh")
    replies = [scene.reply("member", thread, f"第{i}个月的工资还没有发。", language="zh") for i in range(5)]
    scene.start("member", "grievance", "Wages in English", "No Chinese here.")
    page = _page(app, world, "member2", "工资")
    assert [h.post.id for h in page.hits] == replies[-3:][::-1]  # the three newest, newest first at equal rank
    assert page.total == 3 and page.capped
    assert _page(app, world, "member2", "按时发放").hits[0].post.id == opening  # through the trigrams
    both = _page(app, world, "member2", "工资 发放")
    assert {h.post.id for h in both.hits} == {opening}
    # The title bonus: with room for every match, the opening post (its title holds the word) is first.
    monkeypatch.setattr(search.find, "CANDIDATES", 50)
    ranked = _page(app, world, "member2", "工资")
    assert ranked.hits[0].post.id == opening and not ranked.capped
    assert {h.post.id for h in ranked.hits} == {opening, *replies}


def test_filters_apply_before_the_newest_are_taken(app, world, scene, monkeypatch):
    """The candidates are the newest matches the searcher may find with the filters, whichever
    way they are read: an old question is found past newer discussions."""
    monkeypatch.setattr(search.find, "CANDIDATES", 2)
    _old, old_opening = scene.start("supplier", "grievance", "旧的工资问题", "工资拖欠。", kind="question", language="zh")
    thread, _ = scene.start("member", "grievance", "新的讨论话题", "工资和加班。", language="zh")
    for i in range(4):
        scene.reply("member2", thread, f"工资{i}。", language="zh")
    page = _page(app, world, "member", "工资", kind="question")
    assert [h.post.id for h in page.hits] == [old_opening]


def test_sparse_matches_beyond_the_window_are_still_found(app, world, scene, monkeypatch):
    """PostgreSQL: when the newest unspaced posts hold too few matches (a window of
    CANDIDATES * DENSE_WINDOW of them), the matches are fetched through the GIN indexes: the
    same answer. (SQLite reads its substring tables either way.)"""
    monkeypatch.setattr(search.find, "CANDIDATES", 2)
    monkeypatch.setattr(search.find, "DENSE_WINDOW", 1)
    thread, _ = scene.start("member", "grievance", "工厂里的情况", "工资。", language="zh")
    first = scene.reply("member", thread, "工资拖欠。", language="zh")
    second = scene.reply("member", thread, "工资没有发。", language="zh")
    for i in range(3):  # newer unspaced posts without the word fill the window
        scene.reply("member2", thread, f"加班{i}小时。", language="zh")
    page = _page(app, world, "supplier", "工资")
    assert [h.post.id for h in page.hits] == [second, first] and page.capped


def test_the_search_page_links_each_reply_to_its_page_in_one_query(app, world, scene, login_as, monkeypatch):
    """pages_of answers what page_of does a post at a time, in the Guardian's scope: a hidden
    reply counts for the topic's moderator, not for a member."""
    app.config["POSTS_PER_PAGE"] = 2
    thread, opening = scene.start("supplier", "grievance", "Zucchini prices", "Zucchini opening.")
    replies = [scene.reply("member", thread, f"Zucchini reply {i}.") for i in range(5)]
    with app.app_context():
        moderate_post(world.user("moderator"), db.session.get(Post, replies[0]), "hide", reason="Off topic")
    with app.app_context():
        posts = [db.session.get(Post, i) for i in [opening, *replies[1:]]]
        for who in ("member2", "moderator"):
            guardian = Guardian(world.user(who))
            assert pages_of(posts, guardian) == {p.id: page_of(p, guardian) for p in posts}
        assert pages_of(posts, Guardian(world.user("member2")))[replies[4]] == 2  # 3 visible before it
        assert pages_of(posts, Guardian(world.user("moderator")))[replies[4]] == 3  # the hidden one too
    html = login_as("member2").get("/search?q=zucchini").get_data(as_text=True)
    assert re.search(rf'href="/threads/{thread}\?page=2#post-{replies[4]}"', html)
