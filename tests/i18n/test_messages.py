"""Messages people read that come from Python outside the views, and the scripts' strings.

Actions, the Guardian, domain errors and the API's own errors are worded with gettext
when they are raised, so they come out in the language of whoever is answered; a
notification is stored once, in its recipient's language, and never names an anonymous
author. The scripts get their strings from a JSON catalogue in base.html.

A stand-in catalogue (every text tagged with its locale) proves the wording goes through
gettext at the right moment without compiled catalogues; the Spanish check against the
real catalogue runs once `make translations` has compiled it.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import flask_babel
import pytest
from flask_babel import force_locale

from community.actions import validate
from community.errors import Forbidden, Invalid, Locked
from community.extensions import db
from community.models import Notification, Thread
from community.permissions import Guardian
from tests.views.threads_support import answer, start

ROOT = Path(__file__).resolve().parents[2]
SPANISH_MO = ROOT / "community" / "translations" / "es" / "LC_MESSAGES" / "messages.mo"


class TaggingTranslations:
    """A catalogue for any locale: 'Please sign in.' in Spanish is '[es]Please sign in.'."""

    def __init__(self, lang: str):
        self.lang = lang

    def ugettext(self, message):
        return f"[{self.lang}]{message}"

    def ungettext(self, singular, plural, n):
        return f"[{self.lang}]{singular if n == 1 else plural}"

    gettext, ngettext = ugettext, ungettext


@pytest.fixture
def tagged(monkeypatch):
    def get_translations(domain):
        locale = flask_babel.get_locale()
        return TaggingTranslations(locale.language if locale is not None else "en")

    monkeypatch.setattr(flask_babel.Domain, "get_translations", get_translations)


# --- English, the default ------------------------------------------------------------------------
def test_action_errors_are_in_english_by_default(app, world):
    from community.actions.posts import reply

    thread_id, _ = start(app, world, "member", "grievance")
    with app.test_request_context("/"):
        with pytest.raises(Invalid) as short:
            validate.title("Hi")
        assert short.value.message == "The title must be at least 5 characters."
        with pytest.raises(Invalid) as empty:
            validate.body("  ")
        assert empty.value.message == "Your post cannot be empty."
        with pytest.raises(Invalid) as long:
            validate.body("x" * 20_001)
        assert long.value.message == "Your post is too long: 20,001 characters, the limit is 20,000."
        thread = db.session.get(Thread, thread_id)
        thread.locked = True
        with pytest.raises(Locked) as locked:
            reply(world.user("supplier"), thread, "Hello there")
        assert locked.value.message == "This thread is locked: no new replies."
        db.session.rollback()
        assert Forbidden().message == "You are not allowed to do that."


def test_api_errors_are_in_english_by_default(app, world, client, token_for):
    missing = client.get("/api/v1/threads/987654", headers=token_for("member"))
    assert missing.status_code == 404
    assert missing.get_json()["error"]["message"] == "That thread does not exist."
    broken = client.post("/api/v1/topics/grievance/threads", headers={**token_for("member"),
                         "Content-Type": "application/json"}, data="{not json")
    assert broken.get_json()["error"]["message"] == "The request body is not valid JSON."


# --- through gettext, at raise time ---------------------------------------------------------------
def test_messages_are_translated_when_raised_in_the_readers_language(app, world, tagged):
    with app.test_request_context("/"):
        with force_locale("es"):
            with pytest.raises(Invalid) as short:
                validate.title("Hi")
            # the sentence and its label ("The title") both went through gettext
            assert short.value.message == "[es][es]The title must be at least 5 characters."
            assert Forbidden().message == "[es]You are not allowed to do that."
            assert Guardian(world.user("suspended")).why_not_use_site() == "[es]Your account is suspended."
        with force_locale("fr"):
            assert Forbidden().message == "[fr]You are not allowed to do that."


def test_the_guardians_refusals_are_translated(app, world, tagged):
    from community.actions.posts import reply

    thread_id, _ = start(app, world, "member", "grievance")
    with app.test_request_context("/"):
        thread = db.session.get(Thread, thread_id)
        thread.locked = True
        with force_locale("ar"):
            with pytest.raises(Locked) as locked:  # still a 423, recognised whatever the language
                reply(world.user("supplier"), thread, "Hello there")
        assert locked.value.message == "[ar]This thread is locked: no new replies."
        db.session.rollback()


def test_the_api_answers_in_the_callers_language(app, world, client, token_for, tagged):
    missing = client.get("/api/v1/threads/987654", headers={**token_for("member"), "Accept-Language": "zh"})
    assert missing.get_json()["error"] == {"code": "not_found", "message": "[zh]That thread does not exist."}
    refused = client.get("/api/v1/me", headers={"Authorization": "Bearer nope", "Accept-Language": "fr"})
    assert refused.status_code == 401
    assert refused.get_json()["error"]["message"] == "[fr]That API token is not valid: it may have been revoked."


def test_socket_refusals_are_translated(app, world, socket_for, tagged):
    thread_id, _ = start(app, world, "member", "grievance")
    sock = socket_for("supplier")
    ack = sock.emit("post", {"thread_id": thread_id, "body": ""}, callback=True)
    assert ack["ok"] is False and ack["error"]["message"] == "[en][en]Your post cannot be empty."


# --- notifications: stored once, in the recipient's language ----------------------------------------
def _notes(app, world, who: str) -> list[str]:
    with app.app_context():
        return list(db.session.scalars(db.select(Notification.text).where(
            Notification.user_id == world.ids[who]).order_by(Notification.id)))


def _set_locale(app, world, who: str, locale) -> None:
    with app.app_context():
        world.user(who).locale = locale
        db.session.commit()


def test_a_notification_is_worded_in_its_recipients_language(app, world, tagged):
    _set_locale(app, world, "member", "fr")
    thread_id, opening_id = start(app, world, "member", "grievance", "Overtime records", "How do you record it?",
                                  kind="question")
    answer(app, world, "supplier", thread_id, "We use a register.")  # written in an English request
    assert _notes(app, world, "member") == ["[fr]Supplier answered your question “Overtime records”"]
    with app.app_context():
        from community.models import OutboxEmail

        subjects = list(db.session.scalars(db.select(OutboxEmail.subject).where(
            OutboxEmail.user_id == world.ids["member"])))
    assert subjects == ["[fr]Supplier answered your question “Overtime records”"]  # the email too


def test_no_saved_language_means_english(app, world, tagged):
    _set_locale(app, world, "member", "")
    thread_id, opening_id = start(app, world, "member", "grievance", "Audit findings", "Opening words")
    answer(app, world, "supplier", thread_id, "Answering you", reply_to=opening_id)
    assert _notes(app, world, "member") == ["[en]Supplier replied to your post in “Audit findings”"]


def test_a_notification_never_names_an_anonymous_author(app, world, tagged):
    _set_locale(app, world, "member", "es")
    thread_id, _ = start(app, world, "member", "grievance", "Late wages", "Opening", kind="question")
    answer(app, world, "supplier", thread_id, "It happens here too", anonymous=True)
    (text,) = _notes(app, world, "member")
    assert text == "[es][es]Anonymous supplier answered your question “Late wages”"
    assert "Supplier " not in text.replace("Anonymous supplier", "") and "Textiles" not in text


def test_the_same_event_tells_each_recipient_in_their_own_language(app, world, tagged):
    _set_locale(app, world, "member", "zh")
    _set_locale(app, world, "member2", "ar")
    thread_id, opening_id = start(app, world, "member", "grievance", "Hotline", "Opening")
    answer(app, world, "supplier", thread_id, "Thanks @member2 for the tip")
    assert _notes(app, world, "member2") == ["[ar]Supplier mentioned you in “Hotline”"]


# --- the Spanish catalogue (compiled by make) -----------------------------------------------------------
def test_the_spanish_catalogue_is_compiled_with_these_texts():
    """`make` compiles community/translations/*.po; the texts tested below must be translated."""
    from babel.support import Translations

    assert SPANISH_MO.exists(), "run `make translations` (make test does) to compile the catalogues"
    with SPANISH_MO.open("rb") as mo:
        catalogue = Translations(mo)
    assert catalogue.gettext("%(label)s cannot be empty.") != "%(label)s cannot be empty."


def test_an_action_error_in_spanish(app, world):
    with app.test_request_context("/"), force_locale("es"):
        with pytest.raises(Invalid) as empty:
            validate.body("")
        assert empty.value.message == "Su publicación no puede quedar en blanco."
        with pytest.raises(Invalid) as short:
            validate.title("Hi")
        assert short.value.message == "El título debe tener al menos 5 caracteres."
        assert Forbidden().message == "No tiene permiso para hacer eso."


# --- the scripts' strings ------------------------------------------------------------------------------
JS_FILES = sorted(path.name for path in (ROOT / "static" / "js").glob("*.js"))


def _catalogue_block(html: str) -> dict:
    block = re.search(r'<script id="js-strings" type="application/json">(.*?)</script>', html, re.S)
    assert block, "base.html renders the scripts' strings"
    return json.loads(block.group(1))


def test_every_page_carries_the_scripts_strings_before_the_scripts(app, world, login_as):
    page = login_as("member").get("/").get_data(as_text=True)
    # English: the scripts show their own msgids, so nothing needs sending (and a page never
    # carries texts it does not show, such as "(you)" to someone who wrote nothing)
    assert _catalogue_block(page) == {}
    # the scripts are ES modules (they import js/i18n.js, which reads the block): after it
    order = [m.group(1) for m in re.finditer(r'<script (?:type="module" )?src="/static/([\w/.-]+\.js)"', page)]
    assert page.index('<script id="js-strings"') < page.index('src="/static/js/app.js"')
    assert order.index("js/app.js") < order.index("js/mentions.js")
    assert all(f'<script type="module" src="/static/{name}"' in page for name in order if name.startswith("js/"))


def test_the_scripts_strings_follow_the_pages_language(app, world, login_as, tagged):
    member = login_as("member")
    member.set_cookie("lang", "ar")
    strings = _catalogue_block(member.get("/").get_data(as_text=True))
    assert strings["Sending…"] == "[ar]Sending…"
    # one text per CLDR plural category of Arabic, for Intl.PluralRules to pick from
    forms = strings["%(num)s person is typing…|%(num)s people are typing…"]
    assert set(forms) == {"zero", "one", "two", "few", "many", "other"}
    assert forms["one"] == "[ar]%(num)s person is typing…" and forms["few"] == "[ar]%(num)s people are typing…"


def test_every_string_the_scripts_ask_for_is_in_the_catalogue():
    from community.i18n import JS_MESSAGES, _js_plurals

    plurals = set(_js_plurals())
    for name in JS_FILES:
        source = (ROOT / "static" / "js" / name).read_text(encoding="utf-8")
        for msgid in re.findall(r'(?<![\w.])t\(\s*"((?:[^"\\]|\\.)*)"', source):
            assert msgid in JS_MESSAGES, f"{name}: t({msgid!r}) is not in community/i18n.py JS_MESSAGES"
        for singular, plural in re.findall(r'(?<![\w.])tn\(\s*"((?:[^"\\]|\\.)*)",\s*"((?:[^"\\]|\\.)*)"', source):
            assert (singular, plural) in plurals, f"{name}: tn({singular!r}, {plural!r}) is not in _js_plurals()"


def test_the_scripts_no_longer_hard_code_the_english_they_show():
    live = "".join((ROOT / "static" / "js" / name).read_text(encoding="utf-8") for name in JS_FILES)
    for english in ('"New reply from', '"connected"', '"reconnecting"', '"Sending…"', '"Your reply was posted."'):
        assert f"t({english}" in live or english not in live, english


def test_the_scripts_strings_in_spanish(app, world, login_as):
    member = login_as("member")
    member.set_cookie("lang", "es")
    strings = _catalogue_block(member.get("/").get_data(as_text=True))
    assert strings["Sending…"] == "Enviando…"
    assert strings["New reply from %(name)s"] == "Nueva respuesta de %(name)s"
