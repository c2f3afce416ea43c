"""What an administrator does to the outbox (/admin/mail): put an email back in the queue."""
from __future__ import annotations

from flask_babel import gettext as _

from ..errors import NotFound
from ..events import action
from ..extensions import db
from ..models import OutboxEmail, User, utcnow
from ..permissions import Guardian


@action
def retry_email(actor: User, email_id: int) -> OutboxEmail:
    """An administrator puts a failed (or waiting) email back at the front of the queue."""
    Guardian(actor).ensure_admin()
    row = db.session.get(OutboxEmail, email_id)
    if row is None:
        raise NotFound(_("That email does not exist."))
    if row.status in ("failed", "queued", "cancelled"):
        row.status, row.attempts, row.next_attempt_at, row.claimed_by = "queued", 0, utcnow(), None
    return row
