"""Generated avatars: a person's initials on a colour, drawn as SVG (no uploads).

The colour comes from the name (the same name always gets the same colour) unless the
person chose one of PALETTE (user.avatar_colour). Every colour carries white initials
at a contrast of at least 4.5:1 (WCAG AA). Initials are user-written text: they are
escaped wherever they are drawn.
"""
from __future__ import annotations

import functools
import hashlib
import unicodedata

from flask_babel import lazy_gettext as _l
from markupsafe import Markup

# key -> (hex colour, name shown in the colour picker)
PALETTE: dict[str, tuple[str, object]] = {
    "blue": ("#1d4ed8", _l("Blue")),
    "indigo": ("#4338ca", _l("Indigo")),
    "purple": ("#7e22ce", _l("Purple")),
    "pink": ("#be185d", _l("Pink")),
    "red": ("#b91c1c", _l("Red")),
    "orange": ("#c2410c", _l("Orange")),
    "brown": ("#92400e", _l("Brown")),
    "green": ("#15803d", _l("Green")),
    "teal": ("#0f766e", _l("Teal")),
    "slate": ("#475569", _l("Slate")),
}
TEXT_COLOUR = "#ffffff"


def _first_letter(word: str) -> str:
    """The first letter or digit of `word` with the combining marks that belong to it."""
    for i, ch in enumerate(word):
        if ch.isalnum():
            end = i + 1
            while end < len(word) and unicodedata.combining(word[end]):
                end += 1
            return word[i:end]
    return ""


def initials(name: str) -> str:
    """"Ana María López" -> "AL"; "Ravi" -> "R"; "王小明" -> "王"; no letters at all -> "?"."""
    words = [w for w in (name or "").split() if _first_letter(w)]
    if not words:
        return "?"
    letters = _first_letter(words[0])
    if len(words) > 1:
        letters += _first_letter(words[-1])
    return unicodedata.normalize("NFC", letters).upper()


def colour_key(user) -> str:
    """The user's chosen colour, else one picked by the name (stable across processes)."""
    chosen = getattr(user, "avatar_colour", None)
    if chosen in PALETTE:
        return chosen
    digest = hashlib.sha256((user.name or "").casefold().encode("utf-8")).digest()
    keys = list(PALETTE)
    return keys[int.from_bytes(digest[:4], "big") % len(keys)]


def colour(user) -> str:
    return PALETTE[colour_key(user)][0]


def avatar_payload(user) -> dict:
    """What an API client needs to draw the avatar itself, and where the SVG is."""
    return {"initials": initials(user.name), "colour": colour(user), "url": f"/users/{user.id}/avatar.svg"}


def svg(user, size: int = 40, *, decorative: bool = True) -> Markup:
    """The avatar as an inline <svg>. Decorative (aria-hidden) beside the name it draws, which
    is the usual case; otherwise it is an image labelled with the name."""
    return _svg(user.name or "", colour(user), int(size), decorative)


@functools.lru_cache(maxsize=4096)
def _svg(name: str, fill: str, size: int, decorative: bool) -> Markup:
    """svg() for a name and colour: a list shows the same few people many times."""
    letters = initials(name)
    font = 0.42 if len(letters) > 1 else 0.5
    label = (Markup('aria-hidden="true" focusable="false"') if decorative
             else Markup('role="img" aria-label="{name}"><title>{name}</title').format(name=name))
    return Markup(
        '<svg class="avatar" xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
        'viewBox="0 0 100 100" {label}>'
        '<rect width="100" height="100" rx="50" fill="{fill}"/>'
        '<text x="50" y="50" dy="0.35em" text-anchor="middle" fill="{text}" '
        'font-family="system-ui, sans-serif" font-size="{font_size}" font-weight="600">{letters}</text>'
        '</svg>'
    ).format(size=size, label=label, fill=fill, text=TEXT_COLOUR,
             font_size=int(100 * font), letters=letters)


def blank_svg(size: int = 40) -> Markup:
    """An avatar with no letters, for a page's blank that a script fills in (fillAvatar in
    static/js/avatar.js) when a person arrives live."""
    return _svg("", next(iter(PALETTE.values()))[0], int(size), True)


def svg_document(user, size: int = 128) -> str:
    """A standalone SVG file (served at /users/<id>/avatar.svg), titled with the name."""
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + str(svg(user, size, decorative=False))


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG contrast ratio of two #rrggbb colours."""

    def luminance(hex_colour: str) -> float:
        channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)
