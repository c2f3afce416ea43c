"""The sender: sends due outbox rows outside any request (wsgi.py's background task, or cron
through `flask mail send-due`).

It claims rows before sending (PostgreSQL: SELECT ... FOR UPDATE SKIP LOCKED; SQLite: a
conditional UPDATE that only a still-due row matches), so several senders never send one
email twice. It sends with no database transaction open (smtplib is green under eventlet's
monkey_patch, so a slow mail server blocks neither the hub nor SQLite's single writer). A
failure puts the row back with an exponential backoff (1, 2, 4 ... minutes, capped at
MAIL_RETRY_MAX_SECONDS); after MAIL_MAX_ATTEMPTS, or on a permanent refusal (5xx for the
recipient or the message), the row is "failed" and shows on /admin/mail.

It commits by itself: it runs outside any action's unit of work, and its claims must be
visible to other senders at once.
"""
from __future__ import annotations

import smtplib
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, or_, select, update

from ..extensions import db
from ..models import OutboxEmail, Post, utcnow
from ..permissions import Guardian
from .outbox import ACCOUNT
from .preferences import is_muted, preferences
from .transport import Outgoing, Transport, build_message, transport_for

# A row left "sending" this long (its sender died mid-send) is due again.
CLAIM_LEASE = timedelta(minutes=10)


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
