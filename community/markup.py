"""Markdown -> sanitised HTML. The only module that imports bleach.

Posts are rendered once, on write: markdown-it-py (CommonMark, raw HTML off),
then bleach with a strict allow-list, which also turns bare addresses into
links, and every link gets rel="nofollow noopener ugc".

This module imports nothing of the app (no Flask): community/render_worker.py
loads it on its own in a separate process, so that rendering never holds the
eventlet hub (community/rendering.py). The work is bounded before it starts:
`complexity()` refuses a body with more of an expensive construct than any
real post has (every figure below keeps the worst such body well under 100 ms).
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

# Bare addresses are linked by bleach's LinkifyFilter below, not by markdown-it's linkify
# (linkify-it-py): the latter took 6.5 s on 20,000 characters of "a@b.co " and 1.7 s on
# "www.a.com " repeated, where bleach's takes ~25 ms.
_md = (
    MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False, "maxNesting": 20})
    .enable(["strikethrough", "table"])
)

# The most of each expensive construct a body may hold (markdown-it-py and bleach are pure
# Python: 20,000 "[" cost ~200 ms, 3,300 table rows ~750 ms, 10,000 "*" ~260 ms, 6,600
# code spans ~125 ms; at these limits each construct costs under 100 ms). Each
# name is what the author is told to use less of.
COMPLEXITY_LIMITS: tuple[tuple[str, str, int], ...] = (
    ("brackets", "[", 1000),
    ("emphasis", "*_~", 2500),
    ("table_cells", "|", 1000),
    ("angle_brackets", "<", 3000),
    ("backticks", "`", 2000),
    ("entities", "&", 2000),
    ("lines", "\n", 2000),
)
# Rendered HTML beyond this many characters is refused too (it is stored, sent to every
# reader of the thread and indexed): ~9x the longest plain post.
MAX_HTML_CHARS = 200_000


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
    """Render a post's Markdown source to HTML that is safe to insert in any page.

    Unbounded by itself: posts go through community/rendering.py, which checks
    `complexity()` first and runs this in a worker process with a deadline.
    """
    return sanitize(_md.render(body or ""))


# What the writer is told will not be shown as they meant it (the composer's preview):
# "image": Markdown images, which the allow-list drops (readers see nothing there);
# "html": raw HTML tags, never applied (markdown-it's html option is off): readers see them
# as typed. A tag-like run in text: "<b>", "</div>", "<img src=x>", "<!--".
NOTE_CODES = ("image", "html")
_TAG_LIKE_RE = re.compile(r"<(?:/?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>|!--)")


def render_with_notes(body: str) -> tuple[str, list[str]]:
    """`render(body)` and the codes (NOTE_CODES) of what it will not show as written, from the
    same parse: the parts the sanitiser's allow-list drops or escapes. Bounded like render()."""
    tokens = _md.parse(body or "")
    html = sanitize(_md.renderer.render(tokens, _md.options, {}))
    return html, notes_of(tokens)


def notes_of(tokens) -> list[str]:
    found: set[str] = set()
    for token in tokens:
        for child in token.children or ():
            if child.type == "image":
                found.add("image")
            elif child.type == "text" and _TAG_LIKE_RE.search(child.content):
                found.add("html")
    return [code for code in NOTE_CODES if code in found]


def complexity(body: str) -> tuple[str, int, int] | None:
    """(construct, count, limit) of the first construct `body` has too many of, else None.

    Linear: a few str.count() passes over the text, whatever its shape."""
    for name, chars, limit in COMPLEXITY_LIMITS:
        count = sum(body.count(ch) for ch in chars)
        if count > limit:
            return name, count, limit
    return None


def sanitize(html: str) -> str:
    """Sanitise HTML from elsewhere (never trusted) with the same allow-list."""
    with _cleaner_lock:
        return _cleaner.clean(html or "").strip()


# A tag of our own sanitised HTML (text "<" is always escaped there); quoted attribute
# values may hold ">". Linear: each character can start only one alternative.
_TAG = r"""(?:[^>"']|"[^"]*"|'[^']*')*>"""
_TAG_RE = re.compile("<" + _TAG)
# Inline elements join the words around them ("<strong>fees</strong>." is "fees."); any other
# tag (a paragraph, a list item, a cell) separates words.
_INLINE_TAG_RE = re.compile(r"</?(?:a|abbr|b|code|del|em|i|s|span|strong|sub|sup)\b" + _TAG, re.IGNORECASE)
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACE_RE = re.compile(r"\s+")


def to_text(html: str) -> str:
    """The words of rendered (sanitised) HTML, for excerpts, quotes, emails and the search index:
    block tags become spaces (inline ones join the words around them), entities characters,
    control characters spaces, runs of white space one space.

    Tags are dropped with linear expressions rather than a second bleach pass: the HTML is
    already ours, and bleach took ~0.5 s on the HTML of a 20,000-character post.
    """
    words = html_lib.unescape(_TAG_RE.sub(" ", _INLINE_TAG_RE.sub("", html or "")))
    return _SPACE_RE.sub(" ", _CONTROL_RE.sub(" ", words)).strip()


def excerpt(html: str, limit: int) -> str:
    """`html`'s text, cut to at most `limit` characters with "…" when longer."""
    text = to_text(html)
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def mentions(body: str) -> set[str]:
    """The @handles named in a Markdown body (outside code is not distinguished).

    Handles are lower case (accounts.unique_handle), so "@Member2" names member2."""
    return set(mention_order(body))


def mention_order(body: str, limit: int | None = None) -> list[str]:
    """The distinct @handles of a body in the order they first appear (at most `limit`)."""
    seen: dict[str, None] = {}
    for match in MENTION_RE.finditer(body or ""):
        seen.setdefault(match.group(1).rstrip(".-_").lower(), None)
        if limit is not None and len(seen) >= limit:
            break
    return list(seen)
