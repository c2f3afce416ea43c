"""Email: nothing here talks to a mail server inside a request.

- links.py: absolute site URLs and signed unsubscribe links;
- preferences.py: who wants which email (preferences, mutes);
- outbox.py: actions *queue* an email (a row of outbox_email) in the same transaction as the
  notification or digest it carries, rendered in the recipient's language;
- transport.py: the MIME message, SMTP and the development console;
- sender.py: sends due rows later, outside any request (community/jobs.py runs it in the
  server; cron through `flask mail send-due`), with retries and backoff.

Services only: nothing in this package imports an action.
"""
from .links import UnsubscribeLinkError, read_unsubscribe_token, site_url, unsubscribe_token, unsubscribe_url
from .outbox import (
                     ACCOUNT,
                     CATEGORY_OF_KIND,
                     excerpt,
                     queue_account_email,
                     queue_email,
                     queue_notification_email,
                     render_email,
)
from .sender import SendReport, backoff_seconds, claim_due, is_permanent, send_due
from .transport import ConsoleTransport, Outgoing, SMTPTransport, Transport, build_message, transport_for

__all__ = [
    "ACCOUNT", "CATEGORY_OF_KIND", "ConsoleTransport", "Outgoing", "SMTPTransport", "SendReport", "Transport",
    "UnsubscribeLinkError", "backoff_seconds", "build_message", "claim_due", "excerpt", "is_permanent",
    "queue_account_email", "queue_email", "queue_notification_email", "read_unsubscribe_token", "render_email",
    "send_due", "site_url", "transport_for", "unsubscribe_token", "unsubscribe_url",
]
