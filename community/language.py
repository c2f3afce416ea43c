"""The language a post is written in: the author's choice, else detected from its text.

Detection uses py3langid (a maintained fork of langid.py: its model ships inside the
package, it is deterministic, and it classifies a post in well under a millisecond),
restricted to the languages our members and suppliers write in, which makes it
reliable on short posts. A text too short or too mixed to tell gets no language
(None) rather than a guess.

The model takes about a second to load, once per process: wsgi.py loads it before
serving (`warm_up()`), so no request under eventlet ever waits for it; elsewhere
(CLI, tests) it loads on first use.
"""
from __future__ import annotations

import re
import threading

from flask_babel import gettext as _

from .errors import Invalid

# Written in, as each language calls itself (the badge and the pickers show these names).
POST_LANGUAGES: dict[str, str] = {
    "en": "English",
    "es": "Español",
    "fr": "Français",
    "ar": "العربية",
    "zh": "中文",
    "pt": "Português",
    "hi": "हिन्दी",
    "bn": "বাংলা",
    "ta": "தமிழ்",
    "ur": "اردو",
    "ms": "Bahasa Melayu",
    "id": "Bahasa Indonesia",
    "th": "ไทย",
    "vi": "Tiếng Việt",
    "tr": "Türkçe",
}
MIN_CONFIDENCE = 0.5  # below this (normalised probability) the post stays without a language
MIN_LETTERS = 3
# The classifier reads at most this much of the prose: enough to tell a language, and
# it keeps detection under a few milliseconds for any post.
MAX_DETECT_CHARS = 4000

_identifier = None
_lock = threading.Lock()

# What is not the author's own prose: quoted posts, code, links, @mentions. Each expression
# is linear in the text, whatever its shape: no part can match what the part before it may
# have matched ("\s*" before ">" took every blank line from each start; "[^\]]*" scanned
# from every "[" of 20,000 to the end: 1.2 s).
_QUOTE = re.compile(r"^[ \t]*>.*$", re.MULTILINE)
_FENCE = re.compile(r"```.*?(```|$)", re.DOTALL)
_CODE = re.compile(r"`[^`]*`")
_LINK = re.compile(r"\[([^\[\]]*)\]\([^()]*\)")
_URL = re.compile(r"(https?://|www\.)\S+", re.IGNORECASE)
_MENTION = re.compile(r"(?<!\w)@[\w.-]+")


def _get_identifier():
    global _identifier
    if _identifier is None:
        with _lock:
            if _identifier is None:
                # Imported on first use: loading the language model costs ~0.5 s at start-up.
                from py3langid.langid import MODEL_FILE, LanguageIdentifier

                identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
                identifier.set_languages(list(POST_LANGUAGES))
                _identifier = identifier
    return _identifier


def warm_up() -> None:
    """Load the detection model now (before serving), not on the first post."""
    _get_identifier()


def prose(markdown: str) -> str:
    """The author's own words in a post's Markdown, for detection."""
    text = _FENCE.sub(" ", markdown or "")
    text = _QUOTE.sub(" ", text)
    text = _CODE.sub(" ", text)
    text = _LINK.sub(r"\1", text)
    text = _URL.sub(" ", text)
    text = _MENTION.sub(" ", text)
    return text


def detect(markdown: str) -> str | None:
    """The language of a post's text (a key of POST_LANGUAGES), or None when unsure."""
    text = prose(markdown)[:MAX_DETECT_CHARS]
    # A Chinese character says about as much as a short word: count it twice.
    if sum((2 if ord(ch) >= 0x2E80 else 1) for ch in text if ch.isalpha()) < MIN_LETTERS:
        return None
    code, confidence = _get_identifier().classify(text)
    if confidence < MIN_CONFIDENCE or code not in POST_LANGUAGES:
        return None
    return code


def choose(value) -> str | None:
    """The language the author chose: None for "detect automatically", else a known code."""
    if value is None or value == "" or value == "auto":
        return None
    if isinstance(value, str) and value.strip().lower() in POST_LANGUAGES:
        return value.strip().lower()
    raise Invalid(_("Choose the post's language from the list, or let it be detected."), field="language")


def post_language(value, body: str) -> str | None:
    """The language to store for a new post: the author's choice, else detected."""
    return choose(value) or detect(body)


def language_name(code: str | None) -> str:
    """'Español' for 'es'; the code itself for a language we do not list."""
    return POST_LANGUAGES.get(code or "", code or "")
