"""A device label ("Firefox 133 on Windows") for a User-Agent string, for the sessions page.

Parsed with ua-parser (the maintained port of the uap-core rules; its compiled rules come in
ua-parser-builtins). Only at sign-in, once per session, on at most 300 characters. Loading
the rules takes ~0.1 s, so wsgi.py calls warm_up() before serving.
"""
from __future__ import annotations

from flask_babel import gettext as _
from ua_parser import parse

MAX_CHARS = 300


def describe(user_agent: str) -> str:
    """"Browser N on OS", as much of it as is known; "Unknown device" when nothing is."""
    result = parse((user_agent or "")[:MAX_CHARS]) if user_agent else None
    browser = ""
    if result is not None and result.user_agent is not None and result.user_agent.family != "Other":
        browser = " ".join(part for part in (result.user_agent.family, result.user_agent.major) if part)
    system = ""
    if result is not None and result.os is not None and result.os.family != "Other":
        system = result.os.family
        if result.device is not None and result.device.family not in ("Other", "", None) \
                and result.device.family != system and not result.device.family.startswith("Generic"):
            system = f"{result.device.family}, {system}"
    if browser and system:
        return _("%(browser)s on %(system)s", browser=browser, system=system)
    return browser or system or _("Unknown device")


def warm_up() -> None:
    parse("Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0")
