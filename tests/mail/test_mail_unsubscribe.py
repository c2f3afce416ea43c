"""One-click unsubscribe: signed, expiring links that work without signing in (RFC 8058)."""
from __future__ import annotations

import time

from itsdangerous import TimestampSigner

from community.extensions import db
from community.mail import unsubscribe_token
from community.models import NotificationPreference
from tests.mail.support import new_thread, reply_as, send


def _mention_email(app, world, smtp, who="member"):
    thread_id = new_thread(app, world, "supplier", "grievance", "Unsubscribe test")
    reply_as(app, world, "supplier2", thread_id, f"@{who} have a look")
    send(app)
    [mail] = smtp.inbox.to(f"{who}@example.com")
    return mail, thread_id


def _path(url: str) -> str:
    return url.replace("http://roundtable.test", "")


def _pref(app, world, who="member"):
    with app.app_context():
        pref = db.session.get(NotificationPreference, world.ids[who])
        return None if pref is None else (pref.email_mentions, pref.email_replies, pref.digest)


def test_get_shows_a_confirmation_and_changes_nothing(mail_app, world, smtp, client):
    mail, _ = _mention_email(mail_app, world, smtp)
    link = str(mail.message["List-Unsubscribe"])[1:-1]
    page = client.get(_path(link))  # not signed in
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Stop these emails?" in html and "emails when someone @mentions you" in html
    assert "m••••r@example.com" in html  # masked: the page may be seen by whoever has the link
    assert 'value="all"' in html
    assert _pref(mail_app, world) is None


def test_one_click_post_works_without_sign_in_or_csrf_token(mail_app, world, smtp, client):
    app = mail_app
    app.config["WTF_CSRF_ENABLED"] = True  # as in production: the one-click POST must pass anyway
    mail, thread_id = _mention_email(app, world, smtp)
    link = str(mail.message["List-Unsubscribe"])[1:-1]
    # What a mail client sends (RFC 8058): a POST with this body, no cookies.
    page = client.post(_path(link), data="List-Unsubscribe=One-Click",
                       content_type="application/x-www-form-urlencoded")
    assert page.status_code == 200, page.get_data(as_text=True)[:300]
    assert "You are unsubscribed" in page.get_data(as_text=True)
    assert _pref(app, world) == (False, True, "weekly")  # only mentions stopped
    # CSRF protection really was on: an ordinary form without its token is refused.
    assert client.post("/settings/notifications", data={"action": "none"}).status_code == 400
    assert _pref(app, world) == (False, True, "weekly")

    smtp.inbox.clear()
    reply_as(app, world, "supplier2", thread_id, "@member again")
    send(app)
    assert smtp.inbox.to("member@example.com") == []


def test_the_confirm_page_can_stop_all_email(mail_app, world, smtp, client):
    mail, _ = _mention_email(mail_app, world, smtp)
    page = client.post(_path(str(mail.message["List-Unsubscribe"])[1:-1]), data={"scope": "all"})
    assert page.status_code == 200 and "all email from Roundtable" in page.get_data(as_text=True)
    assert _pref(mail_app, world) == (False, False, "never")


def test_the_link_in_the_body_is_the_same_signed_link(mail_app, world, smtp, client):
    mail, _ = _mention_email(mail_app, world, smtp)
    link = str(mail.message["List-Unsubscribe"])[1:-1]
    assert f'href="{link}"' in mail.html
    assert client.post(_path(link)).status_code == 200


def test_a_changed_token_is_refused_with_a_clear_page(app, world, client):
    with app.app_context():
        token = unsubscribe_token(world.ids["member"], "mentions")
    for bad in (token[:-3] + "abc", "not-a-token", token.replace(".", "x", 1)):
        page = client.post(f"/unsubscribe/{bad}")
        assert page.status_code == 400
        assert "This unsubscribe link is not valid" in page.get_data(as_text=True)
    assert client.get("/unsubscribe/not-a-token").status_code == 400
    assert _pref(app, world) is None


def test_a_token_for_another_purpose_or_user_is_refused(app, world, client):
    from itsdangerous import URLSafeTimedSerializer

    with app.app_context():
        other_salt = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="something-else")
        forged = other_salt.dumps({"u": world.ids["member"], "s": "all"})
        unknown_user = unsubscribe_token(999_999, "mentions")
        unknown_scope = unsubscribe_token(world.ids["member"], "everything")
    for token in (forged, unknown_user, unknown_scope):
        assert client.post(f"/unsubscribe/{token}").status_code == 400
    assert _pref(app, world) is None


def test_an_expired_token_is_refused_with_a_clear_page(app, world, client, monkeypatch):
    days = app.config["MAIL_UNSUBSCRIBE_DAYS"]
    issued = time.time() - (days + 1) * 86400
    with monkeypatch.context() as patch:
        patch.setattr(TimestampSigner, "get_timestamp", lambda self: int(issued))
        with app.app_context():
            token = unsubscribe_token(world.ids["member"], "digest")
    page = client.post(f"/unsubscribe/{token}")
    assert page.status_code == 400
    html = page.get_data(as_text=True)
    assert "This unsubscribe link has expired" in html and f"{days} days" in html
    assert _pref(app, world) is None

    recent = time.time() - (days - 1) * 86400  # still inside the window
    with monkeypatch.context() as patch:
        patch.setattr(TimestampSigner, "get_timestamp", lambda self: int(recent))
        with app.app_context():
            token = unsubscribe_token(world.ids["member"], "digest")
    assert client.post(f"/unsubscribe/{token}").status_code == 200
    assert _pref(app, world) == (True, True, "never")
