"""Search in our suppliers' languages (issue #17): a post is indexed in its language's own
configuration where PostgreSQL has one; a word of a language written without spaces
(Chinese, Thai) is found inside a sentence, two-character words too; English stays sane.
Each test runs on whichever database the suite runs on."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import text

from community import search
from community.extensions import db
from community.permissions import Guardian
from community.search import scripts


@pytest.fixture
def find_page(app, world):
    """find_page("member", "word") -> .hits with post ids and the snippet and title as strings."""

    def _find(who: str, q: str, **filters):
        with app.app_context():
            page = search.search(Guardian(world.user(who)), q, search.Filters(**filters), limit=100)
            return SimpleNamespace(hits=[SimpleNamespace(post_id=h.post.id, snippet=str(h.snippet), title=str(h.title))
                                         for h in page.hits])

    return _find


def test_a_chinese_word_inside_a_sentence_is_found(scene, found_ids):
    _t, zh = scene.start("member", "grievance", "工厂加班问题",
                         "我们的工厂在深圳，工人每个月加班超过三十六小时，工资没有按时发放。", language="zh")
    _t2, other = scene.start("member", "grievance", "Overtime in Shenzhen", "Workers and wages in English.")
    assert found_ids("supplier", "工资") == {zh}          # two characters: below any trigram
    assert found_ids("supplier", "加班超过") == {zh}       # four: through the trigram index
    assert found_ids("supplier", "深圳") == {zh}
    assert found_ids("supplier", "上海") == set()
    assert found_ids("supplier", "工资 overtime") == set()  # every part of the query must match
    assert found_ids("supplier", "overtime") == {other}


def test_a_thai_word_inside_a_sentence_is_found(scene, found_ids):
    _t, th = scene.start("member", "grievance", "ค่าจ้างล่าช้า",
                         "โรงงานของเราจ่ายค่าจ้างช้ากว่ากำหนดทุกเดือนและคนงานทำงานล่วงเวลามาก", language="th")
    assert found_ids("supplier", "ค่าจ้าง") == {th}
    assert found_ids("supplier", "คนงาน") == {th}
    assert found_ids("supplier", "โรงเรียน") == set()


def test_a_chinese_word_in_a_post_of_another_language_is_found(scene, found_ids):
    _t, mixed = scene.start("member", "grievance", "Supplier list",
                            "The factory 东莞制衣厂 answered our audit.", language="en")
    assert found_ids("supplier", "制衣") == {mixed}
    assert found_ids("supplier", "audit") == {mixed}


def test_results_found_by_substring_are_marked(scene, find_page):
    scene.start("member", "grievance", "工厂加班问题", "我们的工厂在深圳，工人每个月加班超过三十六小时。",
                language="zh")
    page = find_page("supplier", "加班")
    [hit] = page.hits
    assert "<mark>加班</mark>" in str(hit.snippet)
    assert "<mark>加班</mark>" in str(hit.title)


def test_english_relevance_stays_sane(scene, found_ids, find_page):
    _t1, title = scene.start("member", "grievance", "Recruitment fees in Malaysia", "Paid before leaving home.")
    _t2, body = scene.start("member", "grievance", "Agents", "Some agents mention recruitment fees once.")
    _t3, none = scene.start("member", "grievance", "Hotline", "Nothing about it.")
    assert found_ids("supplier", "recruitment fees") == {title, body}
    assert [h.post_id for h in find_page("supplier", "recruitment fees").hits][0] == title
    assert found_ids("supplier", "fee") == {title, body}


def test_spanish_posts_are_stemmed_in_spanish_on_postgresql(app, scene, found_ids):
    _t, es = scene.start("member", "grievance", "Horas extraordinarias",
                         "Los trabajadores de la fábrica denuncian los salarios impagados.", language="es")
    assert found_ids("supplier", "salarios") == {es}
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            return  # SQLite's porter tokenizer stems English only
        assert db.session.scalar(text("SELECT config::text FROM post_fts WHERE post_id = :id"), {"id": es}) == "spanish"
    # Read in Spanish for a Spanish searcher (the page's language) or with lang=es: the stem of
    # "trabajadores"; an English reader's query is read in English and as written.
    assert found_ids("supplier", "trabajador", lang="es") == {es}
    assert found_ids("supplier", "salario", lang="es") == {es}


def test_the_index_marks_posts_for_substring_search(app, scene):
    _t, zh = scene.start("member", "grievance", "工厂工资问题", "工人工资。", language="zh")
    _t2, en = scene.start("member", "grievance", "Wages", "Only English here.")
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            ids = set(db.session.scalars(text(f"SELECT rowid FROM {scripts.TRIGRAM_TABLE}")))
            assert ids == {zh}
            grams = db.session.scalar(text(f"SELECT grams FROM {scripts.BIGRAM_TABLE} WHERE rowid = :id"), {"id": zh})
            assert "工资" in grams.split()
        else:
            rows = dict(db.session.execute(text("SELECT post_id, unspaced FROM post_fts")).all())
            assert rows[zh] is True and rows[en] is False
            grams = db.session.scalar(text("SELECT grams FROM post_fts WHERE post_id = :id"), {"id": zh})
            assert "工资" in grams.split()
            index = db.session.scalar(text("SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_post_fts_unspaced'"))
            assert "gin_trgm_ops" in index
        assert search.indexed(zh)["body"] == "工人工资。"


def test_bigrams():
    assert scripts.bigrams("工人工资 and 厂") == "工人 人工 工资 厂"


def test_query_splitting():
    words, terms = scripts.split_query("wages 工资 加班")
    assert words.split() == ["wages"] and terms == ["工资", "加班"]
    assert scripts.pg_config("es") == "spanish"
    assert scripts.pg_config("zh") == "simple"
    assert scripts.pg_config(None) == "english"
    assert scripts.unspaced("en", "東莞") and not scripts.unspaced("en", "plain")
