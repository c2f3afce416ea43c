"""Posts carry the language they are written in (chosen or detected); readers filter by it.

Detection (community/language.py, py3langid restricted to the languages we list), the
author's explicit choice through the actions, the forms, the JSON API and the socket, the
post object's "language", the badge and `lang` attribute of the post partial, and the
?lang= filters of the thread page (replies) and the topic page (threads by opening post).
"""
from __future__ import annotations

import html
import json
import re

import pytest

from community.errors import Invalid
from community.extensions import db
from community.language import POST_LANGUAGES, detect, prose
from community.models import Post, Thread
from tests.views.threads_support import answer, start

SPANISH = "¿Cómo documentan las horas extra en la fábrica?"
FRENCH = "Nous avons besoin d'aide pour l'audit social de nos usines."
ARABIC = "كيف توثقون ساعات العمل الإضافية في المصنع؟"
CHINESE = "你们如何记录工厂的加班时间？"
ENGLISH = "How do you document overtime at the factory?"


# --- detection -------------------------------------------------------------------------------
@pytest.mark.parametrize("text, code", [
    (SPANISH, "es"), ("Necesitamos ayuda con la auditoría", "es"),
    (FRENCH, "fr"), ("Comment gérez-vous les heures supplémentaires ?", "fr"),
    (ARABIC, "ar"), ("نحتاج مساعدة في التدقيق", "ar"),
    (CHINESE, "zh"), ("我们需要审核方面的帮助", "zh"),
    (ENGLISH, "en"), ("We need help with the audit.", "en"),
])
def test_detects_the_five_languages_on_short_texts(text, code):
    assert detect(text) == code


@pytest.mark.parametrize("text", ["ok", "+1", "", "   ", "👍", "https://example.com/policy.pdf", "@maria.lopez"])
def test_too_little_text_gets_no_language_rather_than_a_guess(text):
    assert detect(text) is None


def test_quotes_code_links_and_mentions_are_not_the_authors_words():
    body = ("> **Ana** wrote:\n> We use a paper register at the gate.\n\n"
            "Nosotros usamos una hoja de cálculo compartida con el sindicato. @ana.garcia\n"
            "```\nSELECT hours FROM overtime WHERE week = 12\n```\nVer https://example.com/guide")
    assert "paper register" not in prose(body) and "SELECT" not in prose(body)
    assert detect(body) == "es"


def test_detection_only_answers_listed_languages():
    assert detect("Wir brauchen Hilfe bei der Prüfung unserer Fabriken.") in (None, *POST_LANGUAGES)


# --- actions -----------------------------------------------------------------------------------
def _language(app, post_id: int) -> str | None:
    with app.app_context():
        return db.session.get(Post, post_id).language


def test_a_reply_gets_the_detected_language(app, world):
    thread_id, opening_id = start(app, world, "member", "grievance", "Overtime records", ENGLISH)
    assert _language(app, opening_id) == "en"
    assert _language(app, answer(app, world, "supplier", thread_id, SPANISH)) == "es"
    assert _language(app, answer(app, world, "supplier2", thread_id, "ok")) is None


def test_the_authors_choice_wins_over_detection(app, world):
    thread_id, opening_id = start(app, world, "member", "grievance", "Auditoría social", "Short note", language="es")
    assert _language(app, opening_id) == "es"
    # Written in English words, but the author says it is French: their choice is kept.
    reply_id = answer(app, world, "supplier", thread_id, ENGLISH, language="fr")
    assert _language(app, reply_id) == "fr"
    assert _language(app, answer(app, world, "supplier", thread_id, ARABIC, language="auto")) == "ar"


def test_an_unknown_language_is_refused_with_the_field(app, world):
    from community.actions.posts import reply

    thread_id, _ = start(app, world, "member", "grievance")
    with app.app_context(), pytest.raises(Invalid) as refused:
        reply(world.user("supplier"), db.session.get(Thread, thread_id), SPANISH, language="klingon")
    assert refused.value.field == "language"


def test_an_edit_detects_a_language_that_was_unknown(app, world):
    from community.actions.posts import edit_post

    thread_id, _ = start(app, world, "member", "grievance")
    reply_id = answer(app, world, "supplier", thread_id, "ok")
    assert _language(app, reply_id) is None
    with app.app_context():
        edit_post(world.user("supplier"), db.session.get(Post, reply_id), FRENCH)
    assert _language(app, reply_id) == "fr"


# --- JSON API and socket -------------------------------------------------------------------------
def _api(client, headers, method, path, body=None):
    return client.open("/api/v1" + path, method=method, headers={**headers, "Content-Type": "application/json"},
                       data=json.dumps(body) if body is not None else None)


def test_the_api_takes_an_optional_language_and_returns_it(app, world, client, token_for):
    headers = token_for("supplier")
    created = _api(client, headers, "POST", "/topics/grievance/threads",
                   {"title": "Horas extra", "body": SPANISH, "kind": "question"})
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["post"]["language"] == "es"
    thread_id = created.get_json()["thread"]["id"]

    chosen = _api(client, headers, "POST", f"/threads/{thread_id}/posts", {"body": ENGLISH, "language": "zh"})
    assert chosen.status_code == 201 and chosen.get_json()["post"]["language"] == "zh"
    detected = _api(client, headers, "POST", f"/threads/{thread_id}/posts", {"body": FRENCH})
    assert detected.get_json()["post"]["language"] == "fr"
    unknown = _api(client, headers, "POST", f"/threads/{thread_id}/posts", {"body": "ok"})
    assert unknown.get_json()["post"]["language"] is None

    refused = _api(client, headers, "POST", f"/threads/{thread_id}/posts", {"body": FRENCH, "language": "xx"})
    assert refused.status_code == 400
    assert refused.get_json()["error"]["code"] == "invalid" and refused.get_json()["error"]["field"] == "language"

    posts = _api(client, token_for("member"), "GET", f"/threads/{thread_id}").get_json()["posts"]
    assert [p["language"] for p in posts] == ["es", "zh", "fr", None]


def test_a_reply_over_the_socket_carries_its_language(app, world, socket_for):
    thread_id, _ = start(app, world, "member", "grievance")
    sock = socket_for("supplier")
    ack = sock.emit("post", {"thread_id": thread_id, "body": ENGLISH, "language": "ar"}, callback=True)
    assert ack["ok"] and ack["post"]["language"] == "ar"
    ack = sock.emit("post", {"thread_id": thread_id, "body": CHINESE}, callback=True)
    assert ack["ok"] and ack["post"]["language"] == "zh"


# --- forms ---------------------------------------------------------------------------------------
def _html(response) -> str:
    return response.get_data(as_text=True)


def test_both_composers_offer_the_language_with_detection_by_default(app, world, login_as):
    thread_id, _ = start(app, world, "member", "grievance")
    supplier = login_as("supplier")
    for page, select_id in ((_html(supplier.get(f"/threads/{thread_id}")), "composer-language"),
                            (_html(supplier.get("/t/grievance/new")), "thread-language")):
        select = re.search(rf'<select id="{select_id}" name="language"[\s\S]*?</select>', page)
        assert select, select_id
        assert f'<label for="{select_id}"' in page
        first = re.search(r"<option ([^>]*)>([^<]*)</option>", select.group(0))
        assert first.group(1) == 'value=""' and first.group(2) == "Detect automatically"
        assert '<option value="es" lang="es">Español</option>' in select.group(0)


def test_the_forms_store_the_chosen_language(app, world, login_as):
    supplier = login_as("supplier")
    response = supplier.post("/t/grievance/new", data={"title": "Registro de horas", "body": ENGLISH,
                                                       "kind": "discussion", "language": "es"})
    assert response.status_code == 302
    thread_id = int(re.search(r"/threads/(\d+)", response.headers["Location"]).group(1))
    with app.app_context():
        opening = db.session.scalar(db.select(Post).where(Post.thread_id == thread_id, Post.is_opening.is_(True)))
        assert opening.language == "es"
    assert supplier.post(f"/threads/{thread_id}/reply", data={"body": ENGLISH, "language": "fr"}).status_code == 302
    assert supplier.post(f"/threads/{thread_id}/reply", data={"body": ARABIC, "language": ""}).status_code == 302
    with app.app_context():
        replies = db.session.scalars(db.select(Post.language).where(
            Post.thread_id == thread_id, Post.is_opening.is_(False)).order_by(Post.id)).all()
    assert replies == ["fr", "ar"]


def test_a_refused_reply_keeps_the_chosen_language(app, world, login_as):
    thread_id, _ = start(app, world, "member", "grievance")
    page = _html(login_as("supplier").post(f"/threads/{thread_id}/reply", data={"body": "", "language": "fr"}))
    assert '<option value="fr" lang="fr" selected>Français</option>' in page


# --- the post partial ---------------------------------------------------------------------------
def test_a_post_in_another_language_than_the_page_shows_a_badge(app, world, login_as):
    thread_id, opening_id = start(app, world, "member", "grievance", "Overtime", ENGLISH)
    spanish_id = answer(app, world, "supplier", thread_id, SPANISH)
    page = _html(login_as("member").get(f"/threads/{thread_id}"))
    spanish = re.search(rf'<article id="post-{spanish_id}"[\s\S]*?</article>', page).group(0)
    english = re.search(rf'<article id="post-{opening_id}"[\s\S]*?</article>', page).group(0)
    assert 'data-language="es"' in spanish
    assert '<span lang="es">Español</span>' in spanish and "post-language" in spanish
    assert '<div class="post-body" lang="es" dir="auto">' in spanish  # screen readers switch voice
    assert "post-language" not in english  # the page is English: no badge needed


def test_the_badge_follows_the_pages_language(app, world, login_as):
    thread_id, opening_id = start(app, world, "member", "grievance", "Horas extra", SPANISH)
    member = login_as("member")
    member.set_cookie("lang", "es")
    page = _html(member.get(f"/threads/{thread_id}"))
    opening = re.search(rf'<article id="post-{opening_id}"[\s\S]*?</article>', page).group(0)
    assert "post-language" not in opening


def test_the_room_broadcast_carries_the_language(app, world, socket_for, emitted, login_as):
    thread_id, _ = start(app, world, "member", "grievance")
    emitted.clear()
    answer(app, world, "supplier", thread_id, FRENCH)
    (event,) = emitted.named("post.created", f"thread:{thread_id}")
    assert event.payload["post"]["language"] == "fr"
    assert "fragment" not in event.payload  # the page names the language, in its own words
    # ... from the names the thread page carries for its script (static/js/posts.js)
    page = _html(login_as("member").get(f"/threads/{thread_id}"))
    names = json.loads(html.unescape(re.search(r'data-language-names="([^"]*)"', page).group(1)))
    assert names["fr"] == "Français" and names["ar"] == "العربية"


# --- filters -------------------------------------------------------------------------------------
def test_the_thread_page_shows_only_replies_in_the_chosen_language(app, world, login_as):
    thread_id, opening_id = start(app, world, "member", "grievance", "Overtime", ENGLISH)
    es1 = answer(app, world, "supplier", thread_id, SPANISH)
    fr1 = answer(app, world, "supplier2", thread_id, FRENCH)
    es2 = answer(app, world, "member2", thread_id, "Gracias, lo revisaremos con el equipo de auditoría.")
    member = login_as("member")

    everything = _html(member.get(f"/threads/{thread_id}"))
    assert all(f'id="post-{i}"' in everything for i in (opening_id, es1, fr1, es2))
    control = re.search(r'<form method="get" action="/threads/\d+" class="language-filter[\s\S]*?</form>', everything)
    assert control, "a filter control when posts are in several languages"
    assert '<label for="language-filter"' in control.group(0)
    options = re.findall(r'<option value="(\w*)"', control.group(0))
    assert options == ["", "es", "fr"]  # "all", then the languages of the replies

    spanish = _html(member.get(f"/threads/{thread_id}?lang=es"))
    assert f'id="post-{es1}"' in spanish and f'id="post-{es2}"' in spanish
    assert f'id="post-{fr1}"' not in spanish
    assert f'id="post-{opening_id}"' in spanish  # the question stays, for context
    assert '<option value="es" lang="es" selected>' in spanish
    assert 'data-lang-filter="es"' in spanish
    assert '<html lang="en"' in spanish  # ?lang= filters posts here; it does not switch the interface

    assert f'id="post-{fr1}"' in _html(member.get(f"/threads/{thread_id}?lang=unknown"))  # ignored


def test_the_thread_filter_keeps_its_language_across_pages(app, world, login_as):
    app.config["POSTS_PER_PAGE"] = 2
    thread_id, _ = start(app, world, "member", "grievance", "Overtime", ENGLISH)
    for n in range(5):
        answer(app, world, "supplier", thread_id, f"{SPANISH} Respuesta número {n}.")
    answer(app, world, "supplier2", thread_id, FRENCH)
    page = _html(login_as("member").get(f"/threads/{thread_id}?lang=es"))
    assert re.search(rf'href="/threads/{thread_id}\?page=2&amp;lang=es"', page) or \
        re.search(rf'href="/threads/{thread_id}\?lang=es&amp;page=2"', page)


def test_the_topic_page_shows_threads_by_the_language_of_their_opening_post(app, world, login_as):
    english, _ = start(app, world, "member", "grievance", "Overtime records", ENGLISH)
    spanish, _ = start(app, world, "supplier", "grievance", "Registro de horas extra", SPANISH)
    french, _ = start(app, world, "supplier2", "grievance", "Audit social", FRENCH)
    answer(app, world, "member", french, SPANISH)  # a Spanish reply does not make it a Spanish thread
    member = login_as("member")

    everything = _html(member.get("/t/grievance"))
    assert all(f'href="/threads/{t}"' in everything for t in (english, spanish, french))
    control = re.search(r'<form method="get" action="/t/grievance" class="language-filter[\s\S]*?</form>', everything)
    assert control and re.findall(r'<option value="(\w*)"', control.group(0)) == ["", "en", "es", "fr"]

    page = _html(member.get("/t/grievance?lang=es"))
    assert f'href="/threads/{spanish}"' in page
    assert f'href="/threads/{english}"' not in page and f'href="/threads/{french}"' not in page
    assert '<html lang="en"' in page

    questions = _html(member.get("/t/grievance?lang=fr&filter=questions"))
    assert f'href="/threads/{french}"' not in questions  # both filters apply (it is a discussion)
    assert 'name="filter" value="questions"' in questions  # the kind filter is kept by the form


def test_no_filter_control_when_everything_is_in_one_language(app, world, login_as):
    thread_id, _ = start(app, world, "member", "grievance", "Overtime", ENGLISH)
    answer(app, world, "supplier", thread_id, "We keep a register at the gate.")
    assert "language-filter" not in _html(login_as("member").get(f"/threads/{thread_id}"))


def test_languages_of_posts_a_reader_cannot_see_are_not_offered(app, world, login_as):
    from community.models import Topic

    with app.app_context():
        topic = db.session.get(Topic, world.topic_ids["grievance"])
        topic.moderation = "all"  # every post held
        db.session.commit()
    thread_id, _ = start(app, world, "moderator", "grievance", "Overtime", ENGLISH)
    answer(app, world, "supplier", thread_id, SPANISH)  # held: the member does not see it
    assert "language-filter" not in _html(login_as("member").get(f"/threads/{thread_id}"))
