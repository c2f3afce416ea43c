"""Jinja's strings and numbers through the request's remembered translations (community/i18n.py:
_page_translations, _numberformat): the same words as Flask-Babel's own, and a locale forced in
the middle of a request (an email in its recipient's language) is still honoured."""
from __future__ import annotations

from flask import render_template_string
from flask_babel import force_locale, refresh

TEMPLATE = "{{ _('Home') }}|{{ ngettext('Notifications, %(num)s unread', 'Notifications, %(num)s unread', n, " \
           "num=n|numberformat) }}|{{ 1234567|numberformat }}"


def test_strings_follow_the_locale_through_force_locale_and_refresh(app):
    with app.test_request_context("/", headers={"Accept-Language": "es"}):
        assert render_template_string(TEMPLATE, n=2) == "Inicio|Notificaciones, 2 sin leer|1.234.567"
        with force_locale("fr"):
            assert render_template_string(TEMPLATE, n=2) == "Accueil|Notifications, 2 non lues|1\u202f234\u202f567"
        assert render_template_string(TEMPLATE, n=2).startswith("Inicio|")
        with force_locale("en"):
            assert render_template_string(TEMPLATE, n=1) == "Home|Notifications, 1 unread|1,234,567"
        refresh()
        assert render_template_string(TEMPLATE, n=2).startswith("Inicio|")
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert render_template_string(TEMPLATE, n=3) == "Home|Notifications, 3 unread|1,234,567"
