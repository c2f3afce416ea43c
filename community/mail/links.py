"""Links in emails: absolute site URLs, and signed unsubscribe links (no sign-in needed)."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

UNSUBSCRIBE_SALT = "roundtable.email.unsubscribe"


def site_url(path: str = "", config=None) -> str:
    """An absolute link for an email (emails are built and sent outside requests too)."""
    config = config or current_app.config
    base = (config.get("SITE_URL") or f"http://{config['HOST']}:{config['PORT']}").rstrip("/")
    return base + (path if not path or path.startswith("/") else "/" + path)


def mail_domain(config=None) -> str:
    return urlsplit(site_url(config=config)).hostname or "localhost"


class UnsubscribeLinkError(Exception):
    """A link that is not ours (or was altered), or one that has expired."""

    def __init__(self, expired: bool):
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=UNSUBSCRIBE_SALT)


def unsubscribe_token(user_id: int, scope: str) -> str:
    """A signed, timestamped token saying "user `user_id` may stop `scope` email"."""
    return _serializer().dumps({"u": user_id, "s": scope})


def read_unsubscribe_token(token: str) -> tuple[int, str]:
    """(user id, scope) of a valid token; raises UnsubscribeLinkError otherwise."""
    max_age = current_app.config["MAIL_UNSUBSCRIBE_DAYS"] * 86400
    try:
        data = _serializer().loads(token, max_age=max_age)
    except SignatureExpired:
        raise UnsubscribeLinkError(expired=True) from None
    except BadSignature:
        raise UnsubscribeLinkError(expired=False) from None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int) or not isinstance(data.get("s"), str):
        raise UnsubscribeLinkError(expired=False)
    return data["u"], data["s"]


def unsubscribe_url(user_id: int, scope: str) -> str:
    return site_url(f"/unsubscribe/{unsubscribe_token(user_id, scope)}")

