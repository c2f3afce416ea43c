"""Mail configuration: transports chosen by MAIL_BACKEND, absolute links, production checks."""
from __future__ import annotations

import pytest

from community.mail import ConsoleTransport, SMTPTransport, site_url, transport_for
from config import ProductionConfig


def test_the_backend_picks_the_transport(app):
    config = dict(app.config)
    assert isinstance(transport_for({**config, "MAIL_BACKEND": "console"}), ConsoleTransport)
    smtp = transport_for({**config, "MAIL_BACKEND": "smtp", "MAIL_SERVER": "mail.example.org", "MAIL_PORT": 587,
                          "MAIL_USE_TLS": True, "MAIL_USERNAME": "u", "MAIL_PASSWORD": "p"})
    assert isinstance(smtp, SMTPTransport)
    assert (smtp.host, smtp.port, smtp.use_tls, smtp.use_ssl, smtp.username) == ("mail.example.org", 587, True,
                                                                                  False, "u")
    assert smtp.local_hostname == "roundtable.test"  # EHLO names the site, no DNS lookup
    with pytest.raises(RuntimeError, match="MAIL_BACKEND"):
        transport_for({**config, "MAIL_BACKEND": "carrier-pigeon"})


def test_links_are_absolute_from_site_url_or_host_and_port(app):
    with app.app_context():
        assert site_url("/threads/1") == "http://roundtable.test/threads/1"
        app.config["SITE_URL"] = ""
        assert site_url("settings/notifications") == \
            f"http://{app.config['HOST']}:{app.config['PORT']}/settings/notifications"


def test_production_with_a_mail_server_needs_the_site_url(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "4f9c1e0b7a2d8e6f3b5c9a1d7e2f4b6c")
    monkeypatch.setenv("MAIL_SERVER", "mail.example.org")
    monkeypatch.delenv("SITE_URL", raising=False)
    with pytest.raises(RuntimeError, match="SITE_URL"):
        ProductionConfig.validate()
    monkeypatch.setenv("SITE_URL", "https://roundtable.example.org")
    ProductionConfig.validate()  # does not raise
