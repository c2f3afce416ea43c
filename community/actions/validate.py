"""Input checks shared by actions: they raise Invalid with a message for people.

Labels ("The title", "Your post") are passed translated (lazy_gettext), so the
messages read as whole sentences in the reader's language.
"""
from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..errors import Invalid
from ..i18n import format_number
from ..models.base import MAX_ID


def text(value, field: str, *, label: str, max_chars: int, min_chars: int = 1, strip: bool = True) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise Invalid(_("%(label)s must be text.", label=label), field=field)
    if strip:
        value = value.strip()
    if len(value) < min_chars:
        raise Invalid(_("%(label)s cannot be empty.", label=label) if min_chars == 1 else
                      _("%(label)s must be at least %(min)s characters.", label=label, min=min_chars),
                      field=field)
    if len(value) > max_chars:
        raise Invalid(_("%(label)s is too long: %(count)s characters, the limit is %(max)s.", label=label,
                        count=format_number(len(value)), max=format_number(max_chars)), field=field)
    if "\x00" in value:
        raise Invalid(_("%(label)s contains characters that are not allowed.", label=label), field=field)
    return value


def body(value, field: str = "body", label=None) -> str:
    return text(value, field, label=label or _l("Your post"), max_chars=current_app.config["POST_MAX_CHARS"])


def reason(value) -> str:
    """A moderator's or an author's reason for what they do (may be empty)."""
    return text(value, "reason", label=_l("The reason"), max_chars=500, min_chars=0)


def title(value) -> str:
    return text(value, "title", label=_l("The title"), max_chars=current_app.config["TITLE_MAX_CHARS"],
                min_chars=5)


def flag(value, field: str) -> bool:
    if value is None or value == "":
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "on", "1", "yes", "false", "off", "0", "no"):
        return value.lower() in ("true", "on", "1", "yes")
    raise Invalid(_("%(field)s must be true or false.", field=field), field=field)


def choice(value, field: str, choices, label: str) -> str:
    if value not in choices:
        raise Invalid(_("%(label)s must be one of: %(choices)s.", label=label, choices=", ".join(choices)),
                      field=field)
    return value


def as_id(value) -> int | None:
    """An id from a URL, JSON or a socket event ("12" or 12), or None: True is not 1, "²" is
    no digit, and numbers beyond the id columns' range would make the database raise
    instead of find nothing."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 18:
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= MAX_ID:
        return None
    return value


def optional_id(value, field: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise Invalid(_("%(field)s must be a number.", field=field), field=field)
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 18:
        value = int(value)
    if isinstance(value, int):
        if not 0 < value <= MAX_ID:
            raise Invalid(_("%(field)s is not a valid id.", field=field), field=field)
        return value
    raise Invalid(_("%(field)s must be a number.", field=field), field=field)


def client_id(value) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > 64:
        raise Invalid(_("client_id must be text of at most 64 characters."), field="client_id")
    return value
