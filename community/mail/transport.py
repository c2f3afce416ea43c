"""Transports (SMTP, or the console in development) and the MIME message they carry.

Messages are built with the standard library (email.message.EmailMessage, a plain-text part
and an HTML alternative) and sent with smtplib: no extra dependency, and both are green
under eventlet. MAIL_BACKEND=console (the default without MAIL_SERVER) prints messages instead.
"""
from __future__ import annotations

import email.policy
import smtplib
import ssl
import sys
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Protocol

from ..models import OutboxEmail
from .links import mail_domain


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
    def from_config(cls, config) -> SMTPTransport:
        return cls(config["MAIL_SERVER"] or "127.0.0.1", int(config["MAIL_PORT"]),
                   use_tls=config["MAIL_USE_TLS"], use_ssl=config["MAIL_USE_SSL"],
                   username=config["MAIL_USERNAME"], password=config["MAIL_PASSWORD"],
                   timeout=config["MAIL_TIMEOUT"], local_hostname=mail_domain(config))

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
    def of(cls, row: OutboxEmail) -> Outgoing:
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

