"""Thread titles the site words itself, in the reader's language at read time.

A live session's archive and its follow-up are threads the site opens when the session ends.
Their stored `title` ("Live session archive: <title>", in the words of the host who ended it)
stays what search, the API, exports and emails read; `title_kind` and `title_subject` (the
session's title) let every page word it again for its reader. A rename clears `title_kind`:
from then on the thread's title is a person's own words, shown as written.
"""
from __future__ import annotations

from flask_babel import gettext as _
from markupsafe import Markup, escape

ARCHIVE, FOLLOW_UP = "live_archive", "live_follow_up"
TITLE_KINDS = (ARCHIVE, FOLLOW_UP)


def worded(kind: str | None, subject, fallback: str = ""):
    """The title of kind `kind` about `subject` in the reader's language; `fallback` (the stored
    title) for any other. `subject` may be Markup (isolated), the result then is too."""
    if kind == ARCHIVE:
        return _("Live session archive: %(title)s", title=subject)
    if kind == FOLLOW_UP:
        return _("Follow-up: %(title)s", title=subject)
    return fallback


def thread_title(thread) -> str:
    """A thread's title as plain text for the reader (the <title>, a breadcrumb, a notice)."""
    kind = getattr(thread, "title_kind", None)
    if kind not in TITLE_KINDS or not thread.title_subject:
        return thread.title
    return worded(kind, thread.title_subject, thread.title)


def thread_title_html(thread) -> Markup:
    """The same as markup, the session's title (user text) isolated in <bdi>."""
    kind = getattr(thread, "title_kind", None)
    if kind not in TITLE_KINDS or not thread.title_subject:
        return escape(thread.title)
    return Markup(worded(kind, Markup("<bdi>%s</bdi>") % thread.title_subject, thread.title))


def title_ref(thread) -> dict:
    """What a stored reference to a thread (a notification's data) keeps to word its title again."""
    kind = getattr(thread, "title_kind", None)
    if kind not in TITLE_KINDS or not thread.title_subject:
        return {}
    return {"title_kind": kind, "title_subject": thread.title_subject}


def ref_title(ref: dict) -> str:
    """The title of a stored reference (notices), worded for the reader when it can be."""
    return worded(ref.get("title_kind"), ref.get("title_subject") or "", ref.get("title", "")) \
        if ref.get("title_subject") else ref.get("title", "")
