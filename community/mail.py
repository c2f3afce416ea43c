"""Email: building messages, the outbox, the sender, and signed unsubscribe links.

Nothing here talks to a mail server inside a request. Actions *queue* an
email (a row of outbox_email) in the same transaction as the notification or
digest it carries; the sender sends due rows later, outside any request: a
background task in the eventlet server (`start_sender`, started by wsgi.py)
or cron through `flask mail send-due`.

The sender claims rows before sending (PostgreSQL: SELECT ... FOR UPDATE SKIP
LOCKED; SQLite: a conditional UPDATE that only a still-due row matches), so
several senders never send one email twice. It sends with no database
transaction open (smtplib is green under eventlet's monkey_patch, so a slow
mail server blocks neither the hub nor SQLite's single writer). A failure puts
the row back with an exponential backoff (1, 2, 4 ... minutes, capped at
MAIL_RETRY_MAX_SECONDS); after MAIL_MAX_ATTEMPTS, or on a permanent refusal
(5xx for the recipient or the message), the row is "failed" and shows on
/admin/mail.

Messages are built with the standard library (email.message.EmailMessage, a
plain-text part and an HTML alternative) and sent with smtplib: no extra
dependency, and both are green under eventlet. MAIL_BACKEND=console (the
default without MAIL_SERVER) prints messages instead, for development.
"""
from __future__ import annotations

import email.policy
import smtplib
import ssl
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Protocol
from urllib.parse import urlsplit

from flask import Flask, current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import and_, or_, select, update

from . import ratelimit
from .errors import NotFound
from .authors import public_name
from .extensions import db, socketio
from .i18n import recipient_language, recipient_locale, text_direction
from .models import Notification, OutboxEmail, Post, User, utcnow
from .permissions import Guardian

UNSUBSCRIBE_SALT = "roundtable.email.unsubscribe"
# A row left "sending" this long (its sender died mid-send) is due again.
CLAIM_LEASE = timedelta(minutes=10)
# Which notifications are emailed immediately, and under which preference.
CATEGORY_OF_KIND = {"mention": "mentions", "reply": "replies", "answer": "replies"}
# The footer of each email: why the recipient gets it (worded in their language when rendered).
WHY = {
    "mentions": _l("You get this email because someone mentioned you."),
    "replies": _l("You get this email because someone answered your question or replied to your post."),
    "digest": _l("You get this email because you watch these topics and threads."),
    "account": _l("You get this email because of something that happened to your Roundtable account."),
}
# About the account itself (registration, approval, password reset, new registrations for
# administrators): always sent, to people who cannot sign in yet too, and never unsubscribable.
ACCOUNT = "account"
EXCERPT_CHARS = 600


# --- links ------------------------------------------------------------------------------
def site_url(path: str = "", config=None) -> str:
    """An absolute link for an email (emails are built and sent outside requests too)."""
    config = config or current_app.config
    base = (config.get("SITE_URL") or f"http://{config['HOST']}:{config['PORT']}").rstrip("/")
    return base + (path if not path or path.startswith("/") else "/" + path)


def _mail_domain(config=None) -> str:
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


# --- queueing -----------------------------------------------------------------------------
def render_email(template: str, context: dict) -> tuple[str, str]:
    """templates/mail/<template>.txt and .html. Rendered straight from the Jinja environment:
    no context processors, so nothing of the current request (user, CSRF token) leaks in."""
    env = current_app.jinja_env
    text = env.get_template(f"mail/{template}.txt").render(context)
    html = env.get_template(f"mail/{template}.html").render(context)
    return text.strip() + "\n", html


def excerpt(post: Post | None, limit: int = EXCERPT_CHARS) -> str:
    if post is None:
        return ""
    from .markup import to_text

    text = to_text(post.html)
    return text if len(text) <= limit else text[:limit].rstrip() + "…"


def queue_email(user: User, category: str, *, subject, template: str, context: dict,
                notification: Notification | None = None, post: Post | None = None,
                now: datetime | None = None) -> OutboxEmail:
    """Add an email for `user` to the outbox, due at `now`, in the caller's unit of work (the caller commits).

    Written in the recipient's language (their saved locale, else English): the subject (a
    lazy_gettext string or text already worded), both bodies, and the html lang and dir.
    """
    unsubscribe = "" if category == ACCOUNT else unsubscribe_url(user.id, category)
    lang = recipient_language(user)
    with recipient_locale(user):
        context = {**context, "user": user, "category": category, "why": str(WHY.get(category, "")),
                   "lang": lang, "dir": text_direction(lang),
                   "unsubscribe_url": unsubscribe, "preferences_url": site_url("/settings/notifications"),
                   "site": site_url()}
        subject = str(subject)
        text, html = render_email(template, context)
    row = OutboxEmail(user_id=user.id, category=category, to_address=user.email, to_name=user.name[:80],
                      subject=subject[:300], body_text=text, body_html=html, unsubscribe_url=unsubscribe,
                      message_id=make_msgid(domain=_mail_domain()),
                      notification_id=notification.id if notification is not None else None,
                      post_id=post.id if post is not None else None,
                      status="queued", attempts=0, next_attempt_at=now or utcnow())
    db.session.add(row)
    return row


def queue_account_email(user: User, *, subject, paragraphs: list, link: str = "", link_text=None) -> OutboxEmail:
    """An email about `user`'s account: a subject, a few paragraphs and at most one link.

    Pass lazy_gettext strings: they are worded in the recipient's language when rendered.
    """
    return queue_email(user, ACCOUNT, subject=subject, template="account",
                       context={"subject": subject, "paragraphs": paragraphs, "link": link,
                                "link_text": link_text})


def queue_notification_email(user: User, note: Notification, *, thread=None, post=None) -> OutboxEmail | None:
    """The immediate email for a notification, if the recipient's preferences ask for it.

    Called by actions.notifications.notify() right after it adds the notification, so
    both are committed (or rolled back) together.
    """
    from .actions.watching import is_muted, preferences

    category = CATEGORY_OF_KIND.get(note.kind)
    if category is None or not user.email or not Guardian(user).can_use_site():
        return None
    if not preferences(user).wants(category) or is_muted(user, thread):
        return None
    if note.kind == "mention" and not ratelimit.allow("mention_email", user.id):
        return None  # past the hourly cap of mention emails: the notification alone (in the site)
    context = {
        "note": note, "thread": thread, "topic": thread.topic if thread is not None else None,
        # public_name: the anonymous label for an anonymous post, never the author's name
        "author": public_name(post) if post is not None else "",
        "excerpt": excerpt(post), "url": site_url(note.url or "/notifications"),
    }
    # The subject is the notification's text, stored in the recipient's language by notify();
    # queue_email renders the bodies in it too, whoever's request (or no request) queues the email.
    return queue_email(user, category, subject=note.text, template="notification", context=context,
                       notification=note, post=post)


# --- transports ---------------------------------------------------------------------------
class Transport(Protocol):
    def send(self, messages: list[tuple[int, EmailMessage]]) -> dict[int, Exception | None]:
        """Send each message; the result per id is None (sent) or the error."""


class SMTPTransport:
    """One SMTP connection per batch: SMTPS (MAIL_USE_SSL) or plain with STARTTLS (MAIL_USE_TLS)."""

    def __init__(self, host: str, port: int, *, use_tls: bool = False, use_ssl: bool = False,
                 username: str = "", password: str = "", timeout: float = 15, local_hostname: str | None = None):
        self.host, self.port = host, port
        self.use_tls, self.use_ssl = use_tls, use_ssl
        self.username, self.password = username, password
        self.timeout = timeout
        # Naming ourselves avoids socket.getfqdn(), a DNS lookup that can take seconds.
        self.local_hostname = local_hostname or "localhost"

    @classmethod
    def from_config(cls, config) -> "SMTPTransport":
        return cls(config["MAIL_SERVER"] or "127.0.0.1", int(config["MAIL_PORT"]),
                   use_tls=config["MAIL_USE_TLS"], use_ssl=config["MAIL_USE_SSL"],
                   username=config["MAIL_USERNAME"], password=config["MAIL_PASSWORD"],
                   timeout=config["MAIL_TIMEOUT"], local_hostname=_mail_domain(config))

    def _connect(self) -> smtplib.SMTP:
        if self.use_ssl:
            conn = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                    local_hostname=self.local_hostname, context=ssl.create_default_context())
        else:
            conn = smtplib.SMTP(self.host, self.port, timeout=self.timeout, local_hostname=self.local_hostname)
        try:
            conn.ehlo()
            if self.use_tls:
                conn.starttls(context=ssl.create_default_context())
                conn.ehlo()
            if self.username:
                conn.login(self.username, self.password)
        except BaseException:
            conn.close()
            raise
        return conn

    def send(self, messages: list[tuple[int, EmailMessage]]) -> dict[int, Exception | None]:
        try:
            conn = self._connect()
        except (OSError, smtplib.SMTPException) as exc:
            return {key: exc for key, _ in messages}
        results: dict[int, Exception | None] = {}
        try:
            for key, message in messages:
                if key in results:
                    continue
                try:
                    conn.send_message(message)
                    results[key] = None
                except smtplib.SMTPServerDisconnected as exc:
                    _fail_the_rest(messages, results, exc)
                    break
                except smtplib.SMTPException as exc:  # refused: the connection is still usable
                    results[key] = exc
                except OSError as exc:  # after SMTPException, which is an OSError too
                    _fail_the_rest(messages, results, exc)
                    break
        finally:
            try:
                conn.quit()
            except (OSError, smtplib.SMTPException):
                conn.close()
        return results


def _fail_the_rest(messages, results: dict, exc: Exception) -> None:
    """The connection is gone: this message and every later one wait for a retry."""
    for key, _message in messages:
        results.setdefault(key, exc)


class ConsoleTransport:
    """Development: print each message to standard output instead of sending it."""

    def __init__(self, stream=None):
        self.stream = stream

    HEADERS = ("To", "Subject", "List-Unsubscribe", "List-Unsubscribe-Post")

    def send(self, messages: list[tuple[int, EmailMessage]]) -> dict[int, Exception | None]:
        """The headers that matter and the plain-text part, readable (the HTML part is left out)."""
        stream = self.stream or sys.stdout
        for _key, message in messages:
            stream.write("-" * 30 + " email (MAIL_BACKEND=console) " + "-" * 30 + "\n")
            for name in self.HEADERS:
                if message[name]:
                    stream.write(f"{name}: {message[name]}\n")
            text = message.get_body(preferencelist=("plain",))
            stream.write("\n" + (text.get_content() if text is not None else "(no plain-text part)") + "\n")
            stream.write("-" * 90 + "\n")
        stream.flush()
        return {key: None for key, _ in messages}


def transport_for(config) -> Transport:
    backend = (config.get("MAIL_BACKEND") or "console").lower()
    if backend == "smtp":
        return SMTPTransport.from_config(config)
    if backend == "console":
        return ConsoleTransport()
    raise RuntimeError(f"Unknown MAIL_BACKEND {backend!r}: use smtp or console.")


# --- messages ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Outgoing:
    """A claimed row as plain data: the sender must not touch ORM objects while sending
    (an expired attribute would silently open a new transaction)."""

    id: int
    to_address: str
    to_name: str
    subject: str
    body_text: str
    body_html: str
    unsubscribe_url: str
    message_id: str

    @classmethod
    def of(cls, row: OutboxEmail) -> "Outgoing":
        return cls(row.id, row.to_address, row.to_name, row.subject, row.body_text, row.body_html,
                   row.unsubscribe_url, row.message_id)


# Headers set raw (set_raw) are written as they are; the others are folded and encoded as usual.
MESSAGE_POLICY = email.policy.default.clone(refold_source="none")


def _recipient(name: str, address: str):
    try:
        return Address(display_name=name, addr_spec=address)
    except (ValueError, IndexError):
        return address


def build_message(out: Outgoing, sender: str, now: datetime) -> EmailMessage:
    """The MIME message: multipart/alternative (text, then HTML), with RFC 8058 one-click
    unsubscribe headers."""
    message = EmailMessage(policy=MESSAGE_POLICY)
    message["From"] = sender
    message["To"] = _recipient(out.to_name, out.to_address)
    message["Subject"] = out.subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = out.message_id
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies, please
    if out.unsubscribe_url:
        # Raw, so the URL stays one literal <https://...> (the default folding would turn a
        # line this long into RFC 2047 encoded words, which one-click unsubscribers do not read).
        message.set_raw("List-Unsubscribe", f"<{out.unsubscribe_url}>")
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(out.body_text)
    message.add_alternative(out.body_html, subtype="html")
    return message


# --- the sender -------------------------------------------------------------------------------
@dataclass
class SendReport:
    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    cancelled: int = 0
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (f"sent {self.sent}, to retry {self.retrying}, failed {self.failed}, "
                f"cancelled {self.cancelled}")


def backoff_seconds(attempts: int, config=None) -> int:
    """Wait before attempt number attempts+1: base, 2x base, 4x base ..., capped."""
    config = config or current_app.config
    base, cap = config["MAIL_RETRY_BASE_SECONDS"], config["MAIL_RETRY_MAX_SECONDS"]
    return int(min(cap, base * 2 ** max(attempts - 1, 0)))


def is_permanent(exc: Exception) -> bool:
    """A 5xx refusal of this recipient or this message: retrying will not help. (A refused
    sender or login is our configuration's fault and is retried until someone fixes it.)"""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in exc.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    if isinstance(exc, smtplib.SMTPDataError):
        return 500 <= exc.smtp_code < 600
    return False


def _describe(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:500]


def _due(now: datetime):
    return or_(and_(OutboxEmail.status == "queued", OutboxEmail.next_attempt_at <= now),
               and_(OutboxEmail.status == "sending", OutboxEmail.claimed_at < now - CLAIM_LEASE))


def _why_not_send(row: OutboxEmail) -> str | None:
    """Reasons, found at send time, that an email queued earlier must not go out any more."""
    from .actions.watching import is_muted, preferences

    user = row.user
    if user is None or not user.email:
        return "The recipient no longer exists."
    if row.category == ACCOUNT:
        return None
    if not Guardian(user).can_use_site():  # pending, suspended, or their organisation was removed
        return "The recipient's account is not active."
    if not preferences(user).wants(row.category):
        return "The recipient turned this email off."
    if row.post_id is not None:
        post = db.session.get(Post, row.post_id)
        if post is None or not Guardian(user).can_see_post(post):
            return "The post is no longer visible to the recipient."
        if is_muted(user, post.thread):
            return "The recipient muted this thread or topic."
    return None


def claim_due(now: datetime, limit: int, claim: str) -> tuple[list[Outgoing], int]:
    """Claim up to `limit` due emails for this sender; returns them (as plain data) and how
    many were cancelled instead. Commits: no transaction is left open."""
    candidates = select(OutboxEmail.id).where(_due(now)).order_by(OutboxEmail.next_attempt_at, OutboxEmail.id) \
        .limit(limit)
    if db.session.get_bind().dialect.name == "postgresql":
        # Rows another sender is claiming right now are skipped, not waited for.
        candidates = candidates.with_for_update(skip_locked=True)
    ids = list(db.session.scalars(candidates))
    if not ids:
        db.session.rollback()  # ends the read (and releases the connection) without writing
        return [], 0
    # The claim itself: only rows still due match, so of two senders that read the same
    # ids (SQLite has no SKIP LOCKED) exactly one updates each row.
    db.session.execute(
        update(OutboxEmail).where(OutboxEmail.id.in_(ids), _due(now))
        .values(status="sending", claimed_by=claim, claimed_at=now, attempts=OutboxEmail.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    rows = list(db.session.scalars(
        select(OutboxEmail).where(OutboxEmail.claimed_by == claim, OutboxEmail.status == "sending")
        .order_by(OutboxEmail.id).execution_options(populate_existing=True)))
    outgoing, cancelled = [], 0
    for row in rows:
        reason = _why_not_send(row)
        if reason is None:
            row.to_address = row.user.email  # the address as it is now
            outgoing.append(Outgoing.of(row))
        else:
            row.status, row.last_error, row.claimed_by = "cancelled", reason, None
            cancelled += 1
    db.session.commit()
    return outgoing, cancelled


def _record(outgoing: list[Outgoing], results: dict[int, Exception | None], now: datetime,
            claim: str, report: SendReport) -> None:
    config = current_app.config
    for out in outgoing:
        row = db.session.get(OutboxEmail, out.id, populate_existing=True)
        if row is None or row.claimed_by != claim:
            continue  # our lease ran out and another sender took it over
        exc = results.get(out.id, RuntimeError("not attempted"))
        row.claimed_by = None
        if exc is None:
            row.status, row.sent_at, row.last_error = "sent", now, ""
            report.sent += 1
            continue
        row.last_error = _describe(exc)
        report.errors.append(row.last_error)
        if is_permanent(exc) or row.attempts >= config["MAIL_MAX_ATTEMPTS"]:
            row.status = "failed"
            report.failed += 1
            current_app.logger.error("Email %s to %s failed for good after %s attempt(s): %s",
                                     row.id, row.to_address, row.attempts, row.last_error)
        else:
            row.status = "queued"
            row.next_attempt_at = now + timedelta(seconds=backoff_seconds(row.attempts, config))
            report.retrying += 1
            current_app.logger.warning("Email %s not sent (attempt %s), retrying at %s: %s",
                                       row.id, row.attempts, row.next_attempt_at.isoformat(), row.last_error)
    db.session.commit()


def send_due(now: datetime | None = None, *, limit: int = 50, transport: Transport | None = None) -> SendReport:
    """Send what is due at `now`: claim, send with no transaction open, record the outcome.

    Call it outside any unit of work (a request's, an action's): it commits and rolls back.
    """
    now = now or utcnow()
    claim = uuid.uuid4().hex
    report = SendReport()
    outgoing, report.cancelled = claim_due(now, limit, claim)
    report.claimed = len(outgoing) + report.cancelled
    if not outgoing:
        return report
    config = current_app.config
    messages = [(out.id, build_message(out, config["MAIL_FROM"], now)) for out in outgoing]
    transport = transport or transport_for(config)
    try:
        results = transport.send(messages)
    except Exception as exc:  # a broken transport must still put the rows back for a retry
        results = {out.id: exc for out in outgoing}
    _record(outgoing, results, now, claim, report)
    return report


def retry_email(actor: User, email_id: int) -> OutboxEmail:
    """An administrator puts a failed (or waiting) email back at the front of the queue."""
    Guardian(actor).ensure_admin()
    row = db.session.get(OutboxEmail, email_id)
    if row is None:
        raise NotFound(_("That email does not exist."))
    if row.status in ("failed", "queued", "cancelled"):
        row.status, row.attempts, row.next_attempt_at, row.claimed_by = "queued", 0, utcnow(), None
        db.session.commit()
    return row


# --- outside requests: the background task and the CLI ----------------------------------------
def run_sender_once(app: Flask, *, now: datetime | None = None, digests: bool = False) -> SendReport | None:
    """One round of the background sender, in its own app context; never raises."""
    with app.app_context():
        try:
            if digests:
                from .actions.digests import run_digests

                run_digests(now)
            return send_due(now)
        except Exception:  # the loop must survive a bad round (database restarting, ...)
            db.session.rollback()
            app.logger.exception("The email sender failed this round; it tries again shortly.")
            return None


def start_sender(app: Flask) -> bool:
    """Start the sender loop as a Socket.IO background task (a greenlet under eventlet).

    Returns False when MAIL_SENDER_ENABLED is off (cron runs `flask mail send-due` instead).
    """
    if not app.config.get("MAIL_SENDER_ENABLED", True):
        return False
    socketio.start_background_task(_sender_loop, app)
    return True


def _sender_loop(app: Flask) -> None:
    interval = app.config["MAIL_SEND_INTERVAL_SECONDS"]
    digest_interval = app.config["MAIL_DIGEST_INTERVAL_SECONDS"]
    next_digests = time.monotonic()
    while True:
        digests = time.monotonic() >= next_digests
        if digests:
            next_digests = time.monotonic() + digest_interval
        run_sender_once(app, digests=digests)
        socketio.sleep(interval)
