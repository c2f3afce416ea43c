"""Markdown -> sanitised HTML. The only module that imports bleach.

Posts are rendered once, on write: markdown-it-py (CommonMark, raw HTML off,
links auto-detected), then bleach with a strict allow-list, then every link
gets rel="nofollow noopener ugc".
"""
from __future__ import annotations

import html as html_lib
import re
import threading
from functools import partial

import bleach
from bleach.linkifier import LinkifyFilter
from markdown_it import MarkdownIt

ALLOWED_TAGS = frozenset({
    "p", "br", "hr", "strong", "em", "del", "s", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "h1", "h2", "h3", "h4", "h5", "h6",
    "table", "thead", "tbody", "tr", "th", "td", "span",
})
ALLOWED_ATTRIBUTES = {
    "a": ["href", "title", "rel"],
    "ol": ["start"],
    "th": ["align"],
    "td": ["align"],
    "span": ["class"],
}
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener ugc"

_md = (
    MarkdownIt("commonmark", {"html": False, "linkify": True, "typographer": False})
    .enable(["linkify", "strikethrough", "table"])
)


def _set_rel(attrs: dict, new: bool = False) -> dict | None:
    href = attrs.get((None, "href"), "")
    if not href:
        return attrs
    attrs[(None, "rel")] = LINK_REL
    return attrs


# Cleaning and linkifying in one pass (bleach's LinkifyFilter after its sanitiser):
# a separate Linker pass re-parses the cleaned HTML and escapes the entities of the
# <pre>/<code> it skips a second time ("&lt;b&gt;" shown as "&amp;lt;b&amp;gt;").
_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, protocols=ALLOWED_PROTOCOLS, strip=True,
    filters=[partial(LinkifyFilter, callbacks=[_set_rel], skip_tags={"pre", "code"}, parse_email=False)],
)
# A Cleaner keeps parser state and is not thread-safe (bleach's own warning).
_cleaner_lock = threading.Lock()
MENTION_RE = re.compile(r"(?<![\w@])@([A-Za-z0-9][A-Za-z0-9._-]{1,39})")


def render(body: str) -> str:
    """Render a post's Markdown source to HTML that is safe to insert in any page."""
    return sanitize(_md.render(body or ""))


def sanitize(html: str) -> str:
    """Sanitise HTML from elsewhere (never trusted) with the same allow-list."""
    with _cleaner_lock:
        return _cleaner.clean(html or "").strip()


def to_text(html: str) -> str:
    """Plain text of rendered HTML, for excerpts and notifications."""
    text = bleach.clean(html or "", tags=set(), strip=True)
    return re.sub(r"\s+", " ", html_lib.unescape(text)).strip()


def mentions(body: str) -> set[str]:
    """The @handles named in a Markdown body (outside code is not distinguished).

    Handles are lower case (accounts.unique_handle), so "@Member2" names member2."""
    return {m.group(1).rstrip(".-_").lower() for m in MENTION_RE.finditer(body or "")}
