"""The composer's Markdown preview: what a text will look like, and what will not be shown.

The same checks as sending it (the same length limits and "too long" messages per kind of
text, the same complexity limits, the same sanitiser in the same bounded worker), rate
limited, and nothing written. The notes (markup.NOTE_CODES) come from the sanitiser's own
parse: images are dropped by the allow-list, raw HTML is shown as typed.
"""
from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from .. import ratelimit
from ..models import User
from ..permissions import Guardian
from ..rendering import render_preview
from . import validate
from .live.room import CHAT_MAX_CHARS, QUESTION_MAX_CHARS

KINDS = ("post", "question", "answer", "chat")


def _limits(kind: str) -> tuple[str, int]:
    """(label, most characters) of a kind of text: what sending it would check."""
    return {"post": (_l("Your post"), current_app.config["POST_MAX_CHARS"]),
            "question": (_l("Your question"), QUESTION_MAX_CHARS),
            "answer": (_l("The answer"), QUESTION_MAX_CHARS),
            "chat": (_l("Your message"), CHAT_MAX_CHARS)}[kind]


def note_messages() -> dict[str, str]:
    return {
        "image": _("Images are not shown: readers will see nothing where the image is. Link to it "
                   "instead, like [a photo of the notice](https://…)."),
        "html": _("HTML tags are not applied: readers will see them exactly as typed. Use Markdown "
                  "instead: **bold**, *italic*, [link](https://…)."),
    }


def preview(actor: User, body, kind="post") -> dict:
    Guardian(actor).ensure_use_site()
    kind = validate.choice(kind or "post", "kind", KINDS, _l("The kind of text"))
    label, max_chars = _limits(kind)
    body = validate.text(body, "body", label=label, max_chars=max_chars, min_chars=0)
    ratelimit.hit("preview", actor.id, tier=ratelimit.tier_for(actor))
    html, notes = render_preview(body)
    messages = note_messages()
    return {"html": html, "notes": [{"code": code, "message": messages[code]} for code in notes],
            "chars": len(body), "max_chars": max_chars}
