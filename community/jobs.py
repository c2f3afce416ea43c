"""Background jobs of the server process (wsgi.py starts them): the email round.

Every MAIL_SEND_INTERVAL_SECONDS the server queues the digests that are due (every
MAIL_DIGEST_INTERVAL_SECONDS), sends the bookmark reminders that are due (every round: a
reminder is due at its minute) and sends what the outbox holds. With MAIL_SENDER_ENABLED
off, cron runs `flask mail digests`, `flask mail reminders` and `flask mail send-due` instead.
"""
from __future__ import annotations

import time
from datetime import datetime

from flask import Flask

from .actions.bookmarks import run_reminders
from .actions.digests import run_digests
from .extensions import socketio
from .mail import SendReport, send_due


def run_sender_once(app: Flask, *, now: datetime | None = None, digests: bool = False) -> SendReport | None:
    """One round of the background sender, in its own app context; never raises."""
    with app.app_context():
        try:
            if digests:
                run_digests(now)
            run_reminders(now)
            return send_due(now)
        except Exception:  # the loop must survive a bad round (database restarting, ...)
            # (the app context ends here: its session, and any transaction left open, go with it)
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
