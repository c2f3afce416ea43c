"""The database's own full-text engine, on SQLite (FTS5) and on PostgreSQL (tsvector + GIN):
stemming, query syntax, ranking, safe snippets, filters and paging. Each test runs on whichever
database the suite runs on (TEST_DATABASE_URL); the first checks which engine that is."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from community import search
from community.errors import Invalid
from community.extensions import db
from community.models import Post, utcnow
from community.permissions import Guardian


def test_the_index_uses_the_databases_own_engine(app, scene):
    scene.start("member", "grievance", "Engine check", "Tamarillo words.")
    with app.app_context():
        dialect = db.engine.dialect.name
        if dialect == "sqlite":
            sql = db.session.scalar(text("SELECT sql FROM sqlite_master WHERE name = 'post_fts'"))
            assert "USING fts5" in sql and "porter" in sql
            plan = " ".join(str(r) for r in db.session.execute(text(
                "EXPLAIN QUERY PLAN SELECT rowid FROM post_fts WHERE post_fts MATCH 'tamarillo'")))
            assert "VIRTUAL TABLE INDEX" in plan
        else:
            assert dialect == "postgresql"
            index = db.session.scalar(text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_post_fts_document'"))
            assert "USING gin (document)" in index
            db.session.execute(text("SET LOCAL enable_seqscan = off"))  # a tiny table: make the planner show the index
            plan = "\n".join(db.session.scalars(text(
                "EXPLAIN SELECT post_id FROM post_fts WHERE document @@ websearch_to_tsquery('english', 'tamarillo')")))
            assert "ix_post_fts_document" in plan
            db.session.rollback()
        assert search.indexed(1)["body"] == "Tamarillo words."


def test_words_are_found_in_any_form(scene, found_ids):
    thread, opening = scene.start("member", "grievance", "Recruitment fees paid", "Agents charged the workers.")
    for q in ("fee", "fees", "FEES", "recruitment", "recruiting", "charge", "worker", "agent"):
        assert found_ids("supplier", q) == {opening}, q


def test_phrases_or_and_excluded_words(scene, found_ids):
    _t1, adjacent = scene.start("member", "grievance", "Recruitment fees in Nepal", "Adjacent words.")
    _t2, apart = scene.start("member", "grievance", "Fees for recruitment agents", "Words apart.")
    _t3, other = scene.start("member", "grievance", "Hotline design", "Another subject.")
    assert found_ids("supplier", "recruitment fees") == {adjacent, apart}
    assert found_ids("supplier", '"recruitment fees"') == {adjacent}
    assert found_ids("supplier", "nepal OR hotline") == {adjacent, other}
    assert found_ids("supplier", "fees -nepal") == {apart}
    assert found_ids("supplier", 'fees -"in nepal"') == {apart}
    assert found_ids("supplier", "the fees") == {adjacent, apart}  # a stop word does not narrow


@pytest.mark.parametrize("q", [
    '"unbalanced', "NEAR(a b)", "title:fees", "fees*", "^fees", "fees AND", "OR fees", "fees OR",
    "-", "--fees", "NOT fees", "fees NOT", "(fees", "fees)", "{title body}: fees", "'; DROP TABLE post; --",
    "fees & | ! :* <->", "\\", "a" * 200, "ﬁ ½ 🙂 fees", "OR", "AND", "NOT",
])
def test_any_query_is_either_searched_or_refused_clearly(app, world, scene, q):
    scene.start("member", "grievance", "Fees and more fees", "Some fees.")
    with app.app_context():
        try:
            page = search.search(Guardian(world.user("member")), q)
        except Invalid as refused:
            assert refused.field == "q"
        else:
            assert isinstance(page.hits, list)


def test_title_matches_rank_above_body_matches(scene, find):
    thread, in_body = scene.start("member", "grievance", "A question on housing", "Our jackfruit packing hall.")
    _other, in_title = scene.start("member", "grievance", "Jackfruit packing standards", "About the hall.")
    reply = scene.reply("member2", thread, "Jackfruit, jackfruit, and more on the hall.")
    ranked = find("supplier", "jackfruit")
    assert ranked[0] == ("thread", in_title)
    assert {p for _t, p in ranked} == {in_title, in_body, reply}


def test_snippets_are_escaped_plain_text_with_marked_matches(app, world, scene):
    body = ('Watch out: <img src=x onerror=alert(1)> and `<script>alert("x")</script>` near the '
            'guanabana crates. Tom & Jerry said "guanabana" twice.')
    _thread, opening = scene.start("member", "grievance", "Guanabana <b>crates</b>", body)
    with app.app_context():
        hit = search.search(Guardian(world.user("supplier")), "guanabana").hits[0]
        snippet, title = str(hit.snippet), str(hit.title)
    assert "<mark>" in snippet and "</mark>" in snippet and "<mark>" in title
    for markup in (snippet, title):
        stripped = markup.replace("<mark>", "").replace("</mark>", "")
        assert "<" not in stripped and ">" not in stripped, markup  # every other < is escaped
    assert "&lt;img src=x" in snippet or "img" not in snippet
    assert "&amp;" in snippet
    assert title.startswith("<mark>Guanabana</mark> &lt;b&gt;crates&lt;/b&gt;")


def test_marked_never_leaves_an_element_open():
    assert str(search.marked("a \x02b\x03 <c>")) == "a <mark>b</mark> &lt;c&gt;"
    assert str(search.marked("a \x02b <c>")) == "a b &lt;c&gt;"


def test_filters(app, scene, find, found_ids, world):
    question, q_opening = scene.start("supplier", "grievance", "Breadfruit question", "Breadfruit?", kind="question")
    answer = scene.reply("member", question, "Breadfruit answer.")
    open_question, open_opening = scene.start("supplier2", "grievance", "Breadfruit open question", "Breadfruit!",
                                              kind="question")
    _discussion, d_opening = scene.start("member", "grievance", "Breadfruit discussion", "Breadfruit.")
    _news, news = scene.start("member", "announcements", "Breadfruit announcement", "Breadfruit news.",
                              kind="announcement")
    scene.accept("supplier", question, answer)
    everything = {q_opening, answer, open_opening, d_opening, news}
    assert found_ids("member2", "breadfruit") == everything
    assert found_ids("member2", "breadfruit", topic="announcements") == {news}
    assert found_ids("member2", "breadfruit", kind="question") == {q_opening, answer, open_opening}
    assert found_ids("member2", "breadfruit", kind="announcement") == {news}
    assert found_ids("member2", "breadfruit", answered=True) == {q_opening, answer}
    assert found_ids("member2", "breadfruit", answered=False) == {open_opening}
    assert found_ids("member2", "breadfruit", org_kind="supplier") == {q_opening, open_opening}
    assert found_ids("member2", "breadfruit", org_kind="member") == {answer, d_opening, news}
    assert found_ids("member2", "breadfruit", author="@supplier2") == {open_opening}
    assert found_ids("member2", "breadfruit", author="Supplier2") == {open_opening}
    assert found_ids("member2", "breadfruit", type="post") == {answer}
    assert found_ids("member2", "breadfruit", type="thread") == everything - {answer}

    # Dates: move the discussion's opening post ten days back.
    def backdate():
        db.session.get(Post, d_opening).created_at = utcnow() - timedelta(days=10)
        db.session.commit()

    scene.run(backdate)
    today = utcnow().date()
    assert found_ids("member2", "breadfruit", until=today - timedelta(days=5)) == {d_opening}
    assert found_ids("member2", "breadfruit", since=today - timedelta(days=5)) == everything - {d_opening}
    assert found_ids("member2", "breadfruit", since=today, until=today) == everything - {d_opening}


def test_parse_filters_reads_the_query_string_and_refuses_nonsense():
    parsed = search.parse_filters({"topic": "grievance", "kind": "question", "answered": "no", "org_kind": "supplier",
                                   "author": "@ravi", "since": "2025-01-01", "until": "2025-12-31", "type": "post"})
    assert parsed == search.Filters(topic="grievance", kind="question", answered=False, org_kind="supplier",
                                    author="ravi", since=parsed.since, until=parsed.until, type="post")
    assert search.parse_filters(parsed.as_args()) == parsed
    assert search.parse_filters({"kind": "", "answered": " "}) == search.Filters()
    for bad, field in ({"kind": "poll"}, "kind"), ({"answered": "maybe"}, "answered"), \
            ({"org_kind": "ngo"}, "org_kind"), ({"since": "yesterday"}, "since"), ({"until": "2025-13-01"}, "until"), \
            ({"since": "2025-02-01", "until": "2025-01-01"}, "since"), ({"type": "user"}, "type"), \
            ({"author": "x" * 101}, "author"):
        with pytest.raises(Invalid) as refused:
            search.parse_filters(bad)
        assert refused.value.field == field


def test_paging_through_results(app, world, scene):
    thread, opening = scene.start("member", "grievance", "Paging thread", "Zucchini number zero.")
    ids = {opening} | {scene.reply("member2", thread, f"Zucchini number {i}.") for i in range(1, 25)}
    seen: list[int] = []
    offset = 0
    with app.app_context():
        guardian = Guardian(world.user("supplier"))
        while offset is not None:
            page = search.search(guardian, "zucchini", offset=offset, limit=10, count=True)
            assert page.total == 25
            seen += [hit.post.id for hit in page.hits]
            offset = page.next_offset
    assert len(seen) == 25 and set(seen) == ids


@pytest.mark.parametrize("q", ["", "   ", None, "!!!", "x" * 201])
def test_empty_or_oversized_queries_are_refused(app, world, q):
    with app.app_context(), pytest.raises(Invalid) as refused:
        search.search(Guardian(world.user("member")), q)
    assert refused.value.field == "q"


# --- at scale: common words are ranked among the latest matches -------------------------------
def test_a_very_common_word_is_ranked_among_the_latest_matches(app, world, scene, find, login_as, monkeypatch):
    monkeypatch.setattr(search.find, "CANDIDATES", 3)
    thread, opening = scene.start("supplier", "grievance", "Wages", "Wages and wages and wages.")
    replies = [scene.reply("member", thread, f"Wages, reply {i}.") for i in range(4)]
    found = [post_id for _type, post_id in find("member2", "wages")]
    assert sorted(found) == sorted(replies[-3:])  # the three latest matches, ranked; the rest left out
    with app.app_context():
        page = search.search(Guardian(world.user("member2")), "wages", count=True)
        assert page.total == 3 and page.capped
        # Fewer matches than CANDIDATES (the filter leaves one): everything ranked, nothing capped.
        only = search.search(Guardian(world.user("member2")), "wages", search.Filters(type="thread"), count=True)
        assert [hit.post.id for hit in only.hits] == [opening] and not only.capped
    html = login_as("member2").get("/search?q=wages").get_data(as_text=True)
    assert "More than 3 results for “wages”" in html and 'id="search-capped"' in html


def test_a_filter_finds_older_matches_past_the_newest_ones(app, world, scene, find, monkeypatch):
    """The candidates are the latest matches the filters let through, not the latest matches."""
    monkeypatch.setattr(search.find, "CANDIDATES", 2)
    old_thread, old_opening = scene.start("supplier", "grievance", "Old wages", "Wages long ago.", kind="question")
    thread, _ = scene.start("member", "grievance", "New wages", "Wages now.")
    for i in range(3):
        scene.reply("member2", thread, f"Wages again {i}.")
    assert find("member", "wages", kind="question") == [("thread", old_opening)]
