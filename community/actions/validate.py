"""Input checks shared by actions: they raise Invalid with a message for people."""
from __future__ import annotations

from flask import current_app

from ..errors import Invalid


def text(value, field: str, *, label: str, max_chars: int, min_chars: int = 1, strip: bool = True) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise Invalid(f"{label} must be text.", field=field)
    if strip:
        value = value.strip()
    if len(value) < min_chars:
        raise Invalid(f"{label} cannot be empty." if min_chars == 1 else
                      f"{label} must be at least {min_chars} characters.", field=field)
    if len(value) > max_chars:
        raise Invalid(f"{label} is too long: {len(value):,} characters, the limit is {max_chars:,}.",
                      field=field)
    if "\x00" in value:
        raise Invalid(f"{label} contains characters that are not allowed.", field=field)
    return value


def body(value, field: str = "body", label: str = "Your post") -> str:
    return text(value, field, label=label, max_chars=current_app.config["POST_MAX_CHARS"])


def title(value) -> str:
    return text(value, "title", label="The title", max_chars=current_app.config["TITLE_MAX_CHARS"],
                min_chars=5)


def flag(value, field: str) -> bool:
    if value is None or value == "":
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "on", "1", "yes", "false", "off", "0", "no"):
        return value.lower() in ("true", "on", "1", "yes")
    raise Invalid(f"{field} must be true or false.", field=field)


def choice(value, field: str, choices, label: str) -> str:
    if value not in choices:
        raise Invalid(f"{label} must be one of: {', '.join(choices)}.", field=field)
    return value


# Ids are 32-bit integer columns on PostgreSQL; a larger number is no id at all
# (and SQLite/psycopg raise on it instead of finding nothing).
MAX_ID = 2**31 - 1


def optional_id(value, field: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise Invalid(f"{field} must be a number.", field=field)
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 18:
        value = int(value)
    if isinstance(value, int):
        if not 0 < value <= MAX_ID:
            raise Invalid(f"{field} is not a valid id.", field=field)
        return value
    raise Invalid(f"{field} must be a number.", field=field)


def client_id(value) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > 64:
        raise Invalid("client_id must be text of at most 64 characters.", field="client_id")
    return value
