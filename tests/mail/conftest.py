"""Fixtures for the email tests: a REAL SMTP server (aiosmtpd) on 127.0.0.1, in a thread.

`smtp` is a running server whose `inbox` holds what it received, parsed;
`mail_app` is the test app configured to send through it (MAIL_BACKEND=smtp).
Nothing sleeps: the sender is called directly (community.mail.send_due) with a
fake `now` to step through retries.
"""
from __future__ import annotations

import email
import email.policy
import socket
import threading
from dataclasses import dataclass
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    raw: bytes

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def text(self) -> str:
        return self.message.get_body(preferencelist=("plain",)).get_content()

    @property
    def html(self) -> str:
        return self.message.get_body(preferencelist=("html",)).get_content()

    @property
    def everything(self) -> str:
        """Headers and both decoded bodies: where a name must never appear."""
        headers = "\n".join(f"{k}: {v}" for k, v in self.message.items())
        return "\n".join([headers, self.text, self.html])


class Inbox:
    """An aiosmtpd handler that keeps every message; addresses in `refuse` get a 550."""

    def __init__(self):
        self.messages: list[Received] = []
        self.refuse: set[str] = set()
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        message = email.message_from_bytes(raw, policy=email.policy.default)
        with self.lock:
            self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message, raw))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Received]:
        return [m for m in self.messages if address in m.rcpt_tos]

    def clear(self) -> None:
        with self.lock:
            self.messages.clear()


class SMTPServer:
    """aiosmtpd's Controller: the server runs an asyncio loop in its own thread."""

    def __init__(self, port: int | None = None, **smtp_options):
        self.port = port or free_port()
        self.inbox = Inbox()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port, **smtp_options)

    def start(self) -> SMTPServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()


@pytest.fixture
def smtp():
    server = SMTPServer().start()
    yield server
    server.stop()


def configure_smtp(app, port: int, **extra) -> None:
    settings = dict(MAIL_BACKEND="smtp", MAIL_SERVER="127.0.0.1", MAIL_PORT=port, MAIL_USE_TLS=False,
                    MAIL_USE_SSL=False, MAIL_USERNAME="", MAIL_PASSWORD="", MAIL_TIMEOUT=5)
    app.config.update({**settings, **extra})


@pytest.fixture
def mail_app(app, smtp):
    """The test app sending through the `smtp` server (config is restored after the test)."""
    configure_smtp(app, smtp.port)
    return app


@pytest.fixture
def auth_smtp():
    """A server that requires AUTH (allowed without TLS here: loopback only)."""

    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = auth_data.login == b"mailer" and auth_data.password == b"s3cret"
        return AuthResult(success=ok)

    server = SMTPServer(authenticator=authenticator, auth_required=True, auth_require_tls=False).start()
    yield server
    server.stop()
