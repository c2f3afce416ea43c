"""Email in the reader's language: the settings, unsubscribe and outbox pages, and the emails.

The pages follow the interface language (here ?lang=); an email follows its recipient's
saved locale (User.locale), whoever's request queued it, and its HTML carries their lang
and dir. These run against the real catalogues, compiled by `make translations`.
"""
from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
from sqlalchemy import select

from community.actions import watching
from community.actions.digests import build_digest, queue_digest
from community.extensions import db
from community.mail import unsubscribe_token
from community.models import OutboxEmail, Thread, utcnow
from tests.i18n.test_messages import SPANISH_MO
from tests.mail.support import new_thread, reply_as
from tests.views.threads_support import answer, start

ARABIC_MO = SPANISH_MO.parents[2] / "ar" / "LC_MESSAGES" / "messages.mo"


@pytest.fixture(autouse=True)
def _compiled_catalogues():
    for mo in (SPANISH_MO, ARABIC_MO):
        assert mo.exists(), "run `make translations` (make test does) to compile the catalogues"


def visible(html: str) -> str:
    """What a reader sees or hears: the text and the title/aria-label/placeholder attributes.

    The scripts' catalogue (<script id="js-strings">) is keyed by English msgids: left out.
    """
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    attributes = re.findall(r'\b(?:title|aria-label|placeholder|alt)="([^"]*)"', html)
    text = re.sub(r"<[^>]+>", " ", html)
    return unescape(" ".join([text, *attributes]))


def assert_no_english(html: str, english: list[str]) -> None:
    seen = visible(html)
    left = [phrase for phrase in english if phrase in seen]
    assert not left, f"English left on the page: {left}"


def _set_locale(app, world, who: str, locale: str) -> None:
    with app.app_context():
        world.user(who).locale = locale
        db.session.commit()


# --- pages ------------------------------------------------------------------------------------
PREFERENCES_ENGLISH = [
    "Email notifications", "Emails go to", "Every email has a link", "Email me right away when",
    "someone @mentions me", "someone answers my question", "A digest of activity", "New threads and replies",
    "Muted ones are left out", "Daily", "Weekly", "No digest", "Save preferences", "Never email me",
    "Topics and threads you watch", "Watching", "Muted", "Stop watching", "Unmute", "Topic ", "Thread ",
]


@pytest.mark.parametrize("lang, heading", [("es", "Notificaciones por correo"), ("ar", "إشعارات البريد الإلكتروني")])
def test_the_notification_settings_page_is_translated(app, world, login_as, lang, heading):
    thread_id = new_thread(app, world, "member", "grievance", "Late wages at the dye house")
    with app.app_context():
        supplier = world.user("supplier")
        watching.set_topic_level(supplier, world.topic("grievance"), "watching")
        watching.set_topic_level(supplier, world.topic("announcements"), "muted")
        watching.set_thread_level(supplier, db.session.get(Thread, thread_id), "muted")
        db.session.commit()
    html = login_as("supplier").get(f"/settings/notifications?lang={lang}").get_data(as_text=True)
    assert f'<html lang="{lang}"' in html
    assert heading in html
    assert "supplier@example.com" in html and "Grievance mechanisms" in html and "Late wages at the dye house" in html
    # Form fields, ids and values are the same in every language.
    for field in ('id="pref-mentions" name="mentions"', 'name="digest" value="weekly"', 'name="action" value="none"'):
        assert field in html
    assert_no_english(html, PREFERENCES_ENGLISH)


def test_saving_preferences_and_watching_are_confirmed_in_spanish(app, world, login_as):
    client = login_as("supplier")
    client.set_cookie("lang", "es")
    page = client.post("/settings/notifications", data={"action": "save", "mentions": "on", "digest": "daily"},
                       follow_redirects=True).get_data(as_text=True)
    assert "Se han guardado sus preferencias de correo." in page
    assert "Your email preferences are saved." not in page
    page = client.post("/t/grievance/watch", data={"level": "watching"}, follow_redirects=True).get_data(as_text=True)
    assert "Sigue <bdi>Grievance mechanisms</bdi>." in page and "You are watching" not in visible(page)


UNSUBSCRIBE_ENGLISH = [
    "Stop these emails?", "This stops", "sent to", "emails when someone @mentions you", "Unsubscribe",
    "Stop all email from Roundtable", "You can turn emails back on", "email preferences", "sign-in needed",
]
UNSUBSCRIBED_ENGLISH = [
    "You are unsubscribed", "We no longer send", "the digest of activity", "You can turn emails back on",
    "email preferences", "Unsubscribed",
]
INVALID_ENGLISH = [
    "This unsubscribe link", "Unsubscribe links work for", "It may have been cut short", "Use the link",
    "sign in and change your", "email preferences", "not valid",
]


@pytest.mark.parametrize("lang, stop, done, invalid", [
    ("es", "¿Dejar de recibir estos correos?", "Se ha dado de baja", "Este enlace para darse de baja no es válido"),
    ("ar", "إيقاف هذه الرسائل؟", "تم إلغاء اشتراكك", "رابط إلغاء الاشتراك هذا غير صالح"),
])
def test_the_unsubscribe_pages_are_translated(app, world, client, lang, stop, done, invalid):
    with app.app_context():
        mentions = unsubscribe_token(world.ids["supplier"], "mentions")
        digest = unsubscribe_token(world.ids["supplier"], "digest")
    page = client.get(f"/unsubscribe/{mentions}?lang={lang}").get_data(as_text=True)
    assert stop in page and "s••••••r@example.com" in page
    assert 'name="scope" value="mentions"' in page and 'name="scope" value="all"' in page
    assert_no_english(page, UNSUBSCRIBE_ENGLISH)

    page = client.post(f"/unsubscribe/{digest}?lang={lang}", data={"scope": "digest"}).get_data(as_text=True)
    assert done in page
    assert_no_english(page, UNSUBSCRIBED_ENGLISH)

    response = client.get(f"/unsubscribe/not-a-token?lang={lang}")
    assert response.status_code == 400 and invalid in response.get_data(as_text=True)
    assert_no_english(response.get_data(as_text=True), INVALID_ENGLISH)

    app.config["MAIL_UNSUBSCRIBE_DAYS"] = -1  # every link has expired (the app fixture restores it)
    response = client.get(f"/unsubscribe/{mentions}?lang={lang}")
    assert response.status_code == 400
    assert_no_english(response.get_data(as_text=True), INVALID_ENGLISH + ["has expired", "days"])


def test_the_unsubscribe_scopes_and_the_expired_link_in_spanish(app, world, client):
    with app.app_context():
        replies = unsubscribe_token(world.ids["supplier"], "replies")
    page = client.get(f"/unsubscribe/{replies}?lang=es").get_data(as_text=True)
    assert "los correos que avisan cuando alguien responde a su pregunta o a su publicación" in page
    app.config["MAIL_UNSUBSCRIBE_DAYS"] = -1
    page = client.get(f"/unsubscribe/{replies}?lang=es").get_data(as_text=True)
    assert "Este enlace para darse de baja ha caducado" in page


ADMIN_MAIL_ENGLISH = [
    "Email outbox", "Administration", "emails are printed to the server's console", "Failed sends are retried",
    "Emails by state", "Queued", "Sending", "Sent", "Failed", "Cancelled", "Failing and failed", "State",
    "Subject", "Attempts", "Last error", "Next attempt", "Actions", "failed", "retrying", "Retry", "the email to",
    "Recently sent", "Nothing sent yet", "No email is failing",
]


@pytest.mark.parametrize("lang, heading", [("es", "Bandeja de salida de correo"), ("ar", "صندوق صادر البريد الإلكتروني")])
def test_the_outbox_page_is_translated(app, world, login_as, lang, heading):
    with app.app_context():
        member = world.user("member")
        now = utcnow()
        for number, (status, error) in enumerate((("failed", "ConnectionRefusedError: no"),
                                                  ("queued", "TimeoutError: slow"), ("sent", ""))):
            db.session.add(OutboxEmail(
                user_id=member.id, category="mentions", to_address=member.email, to_name=member.name,
                subject=f"Mail number {number}", body_text="t", body_html="h", unsubscribe_url="",
                message_id=f"<{number}@roundtable.test>", status=status, attempts=2, next_attempt_at=now,
                last_error=error, sent_at=now if status == "sent" else None))
        db.session.commit()
    html = login_as("admin").get(f"/admin/mail?lang={lang}").get_data(as_text=True)
    assert heading in html
    assert 'id="count-failed">1</p>' in html and "ConnectionRefusedError: no" in html
    # The times are written the way the language writes them: no English month names.
    assert_no_english(html, ADMIN_MAIL_ENGLISH + [now.strftime(" %b ")])


# --- emails -----------------------------------------------------------------------------------
def _emails_to(app, world, who: str) -> list[OutboxEmail]:
    with app.app_context():
        rows = db.session.scalars(select(OutboxEmail).where(OutboxEmail.user_id == world.ids[who])
                                  .order_by(OutboxEmail.id)).all()
        db.session.expunge_all()
        for row in rows:  # names are isolated (<bdi>) in the HTML part: read the words through it
            row.body_html = row.body_html.replace("<bdi>", "").replace("</bdi>", "")
        return rows


NOTIFICATION_ENGLISH = ["answered your question", "wrote", "Read and reply", "You get this email because",
                        "Unsubscribe from these emails", "Email preferences", "Or open this link"]


def test_a_notification_email_is_written_in_spanish_for_a_spanish_reader(app, world):
    _set_locale(app, world, "member", "es")
    # Queued in an English request by an English-speaking supplier.
    thread_id, _ = start(app, world, "member", "grievance", "Overtime records", "How do you keep them?",
                         kind="question")
    answer(app, world, "supplier", thread_id, "We use a paper register at the gate.")
    [mail] = _emails_to(app, world, "member")
    assert mail.subject == "Supplier respondió a su pregunta «Overtime records»"  # usted: a formal register
    for body in (mail.body_text, mail.body_html):
        assert "Supplier escribió en Grievance mechanisms:" in body
        assert "Leer y responder" in body
        assert "Recibe este correo porque alguien respondió a su pregunta o a su publicación." in body
        assert "We use a paper register at the gate." in body
    assert "Darse de baja de estos correos" in mail.body_html and "Preferencias de correo" in mail.body_html
    assert '<html lang="es" dir="ltr">' in mail.body_html
    assert "border-left: 3px" in mail.body_html
    for phrase in NOTIFICATION_ENGLISH:
        assert phrase not in mail.subject and phrase not in mail.body_text and phrase not in visible(mail.body_html)


def test_a_notification_email_to_an_arabic_reader_is_right_to_left(app, world):
    _set_locale(app, world, "member", "ar")
    thread_id, _ = start(app, world, "member", "grievance", "Overtime records", "How do you keep them?",
                         kind="question")
    answer(app, world, "supplier", thread_id, "We use a paper register at the gate.")
    [mail] = _emails_to(app, world, "member")
    assert mail.subject.startswith("أجاب Supplier عن سؤالك")
    html = mail.body_html
    assert '<html lang="ar" dir="rtl">' in html
    # Email clients handle logical properties badly: the quote's rule is on the right, named so.
    assert "border-right: 3px" in html and "border-left" not in html
    assert "اقرأ ورُدّ" in html and "اقرأ ورُدّ" in mail.body_text
    for phrase in NOTIFICATION_ENGLISH:
        assert phrase not in mail.body_text and phrase not in visible(html)


def test_an_english_reader_still_gets_english(app, world):
    thread_id, _ = start(app, world, "member", "grievance", "Overtime records", "How do you keep them?",
                         kind="question")
    answer(app, world, "supplier", thread_id, "We use a paper register at the gate.")
    [mail] = _emails_to(app, world, "member")
    assert mail.subject == "Supplier answered your question “Overtime records”"
    assert '<html lang="en" dir="ltr">' in mail.body_html
    assert "Supplier wrote in Grievance mechanisms:" in mail.body_text
    assert "You get this email because someone answered your question or replied to your post." in mail.body_text


DIGEST_ENGLISH = ["Your daily Roundtable digest", "new thread", "new repl", "in the topics and threads you watch",
                  "new discussion by", "more repl", "Read:", "You get this email because",
                  "Unsubscribe from the digest", "Email preferences", "with new activity"]


def _digest_for(app, world, who: str):
    """`who` watches grievance: a new thread there with five replies (three shown, "2 more")."""
    with app.app_context():
        watching.set_topic_level(world.user(who), world.topic("grievance"), "watching")
        db.session.commit()
    since = utcnow() - timedelta(seconds=1)
    thread_id = new_thread(app, world, "supplier", "grievance", "Overtime is unpaid",
                           body="Nobody pays the overtime on Sundays.")
    for n in range(5):
        reply_as(app, world, "supplier2", thread_id, f"Reply number {n} from the plant.")
    with app.app_context():
        row = queue_digest(build_digest(world.user(who), since), "daily")
        db.session.commit()
        assert row is not None
    [mail] = [m for m in _emails_to(app, world, who) if m.category == "digest"]
    return mail


def test_a_digest_is_written_in_spanish_with_real_plural_forms(app, world):
    _set_locale(app, world, "member", "es")
    mail = _digest_for(app, world, "member")
    assert mail.subject == "Su resumen diario de Roundtable: 1 hilo con actividad nueva"
    for body in (mail.body_text, mail.body_html):
        assert "Su resumen diario de Roundtable" in body
        assert "1 hilo nuevo y 5 respuestas nuevas en los temas e hilos que sigue." in body
        assert "Recibe este correo porque sigue estos temas e hilos." in body
        assert "Overtime is unpaid" in body
    assert "nuevo debate de Supplier" in mail.body_html and "5 respuestas nuevas" in mail.body_html
    assert "… y <a href=" in mail.body_html and ">2 respuestas más</a>" in mail.body_html
    assert "Nuevo debate de Supplier:" in mail.body_text and "... y 2 respuestas más" in mail.body_text
    assert "Leer: http://" in mail.body_text and "Darse de baja del resumen: http://" in mail.body_text
    assert '<html lang="es" dir="ltr">' in mail.body_html
    for phrase in DIGEST_ENGLISH:
        assert phrase not in mail.body_text and phrase not in visible(mail.body_html), phrase


def test_a_digest_in_arabic_is_right_to_left_with_arabic_plurals(app, world):
    _set_locale(app, world, "member", "ar")
    mail = _digest_for(app, world, "member")
    html = mail.body_html
    assert '<html lang="ar" dir="rtl">' in html and "border-right: 3px" in html and "border-left" not in html
    # 1 thread (the singular form) and 5 replies (the "few" form, 3 to 10).
    assert "نقاش جديد واحد و5 ردود جديدة في المواضيع والنقاشات التي تتابعها." in mail.body_text
    assert "ردّان آخران" in html  # 2 more replies: the dual
    for phrase in DIGEST_ENGLISH:
        assert phrase not in mail.body_text and phrase not in visible(html), phrase


def test_a_digest_in_english_is_unchanged(app, world):
    mail = _digest_for(app, world, "member")
    assert mail.subject == "Your daily Roundtable digest: 1 thread with new activity"
    assert "1 new thread and 5 new replies in the topics and threads you watch." in mail.body_text
    assert "New discussion by Supplier:" in mail.body_text and "  ... and 2 more replies" in mail.body_text
    assert "Grievance mechanisms · new discussion by Supplier · 5 new replies" in mail.body_html


def test_an_unsubscribe_link_opens_in_the_language_of_the_email(app, world, client):
    """Signed out and with no language chosen, the page speaks the user's saved language."""
    with app.app_context():
        world.user("supplier").locale = "ar"
        db.session.commit()
        token = unsubscribe_token(world.ids["supplier"], "mentions")
    page = client.get(f"/unsubscribe/{token}").get_data(as_text=True)
    assert '<html lang="ar" dir="rtl"' in page and "إيقاف هذه الرسائل؟" in page
    done = client.post(f"/unsubscribe/{token}", data={"scope": "mentions"}).get_data(as_text=True)
    assert "تم إلغاء اشتراكك" in done
    client.set_cookie("lang", "es")  # a language the visitor chose wins
    assert "¿Dejar de recibir estos correos?" in client.get(f"/unsubscribe/{token}").get_data(as_text=True)
