"""Template helpers for posts, app-wide: naming an author (community/authors.py), "in reply
to", the moderation link, the reader's reactions and bookmark, and the post partial on pages,
from a per-process cache.

Registered on the app by `init_app` (the post partial is used by several blueprints).
"""
from __future__ import annotations

import threading

from cachetools import LRUCache
from flask import Flask, current_app, render_template, url_for
from flask import g as g_request
from flask_babel import get_locale, get_timezone
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from werkzeug.routing import BuildError

from ..authors import author_display, public_name
from ..extensions import db
from ..files.names import attachments_payload
from ..library import citation_payload, cited_resources
from ..models import Post
from ..models.reaction import REACTION_KINDS
from ..payloads import bookmark_of, mine
from ..permissions import Guardian
from ..titles import thread_title, thread_title_html
from .helpers import bdi
from .live_openings import worded_opening


def init_app(app: Flask) -> None:
    app.add_template_filter(bdi, "bdi")
    app.add_template_filter(thread_title)
    app.add_template_filter(thread_title_html)
    for function in (author_display, reply_note, post_html, blank_html, moderation_url, reaction_kinds, post_files,
                     post_citations):
        app.add_template_global(function)
    app.add_template_global(mine, "my_reactions_of")
    app.add_template_global(bookmark_of)


# The reactions' names in the reader's language and their icons (models.reaction.REACTION_KINDS
# keeps the keys, in this order).
REACTION_LABELS = {"helpful": _l("Helpful"), "thanks": _l("Thanks"), "agree": _l("Agree")}
REACTION_ICONS = {"helpful": "lightbulb", "thanks": "heart", "agree": "hand-thumbs-up"}


def reaction_kinds() -> list[tuple[str, str, str]]:
    """(kind, label, icon) of each reaction, for the post partial's buttons."""
    return [(kind, str(REACTION_LABELS[kind]), REACTION_ICONS[kind]) for kind in REACTION_KINDS]


def reply_note(post: Post, viewer: Guardian | None) -> dict | None:
    """What "in reply to …" says for `post`, or None when it answers the thread itself."""
    if post.reply_to_id is None:
        return None
    parent = db.session.get(Post, post.reply_to_id)
    if parent is None or parent.is_opening:
        return None
    visible = parent.state == "visible" if viewer is None else viewer.can_see_post(parent)
    if not visible:
        return {"post_id": parent.id, "name": None}
    return {"post_id": parent.id, "name": str(public_name(parent))}


def post_files(post, viewer: Guardian | None) -> list[dict]:
    """The files of `post` this reader may fetch, as its post object lists them (none for a
    stand-in post of a <template> blank: the script fills them in)."""
    if not isinstance(post, Post) or not (post.state in ("visible", "held") or (viewer and viewer.privileged(post))):
        return []
    return attachments_payload(post, viewer)


def post_citations(post, viewer: Guardian | None) -> list[dict]:
    """The resource cards of `post` for this reader (none for a stand-in post)."""
    if not isinstance(post, Post) or not (post.state in ("visible", "held") or (viewer and viewer.privileged(post))):
        return []
    return [citation_payload(r) for r in cited_resources(post, viewer)]


def moderation_url(post_id: int) -> str:
    # The moderation blueprint names this page; fall back to its path outside a request.
    try:
        return url_for("moderation.post", post_id=post_id)
    except (BuildError, RuntimeError):
        return f"/moderation/posts/{post_id}"


# --- the post partial on pages, cached --------------------------------------------------------
_CSRF_SLOT = "__rt_csrf_slot__"  # the page's CSRF token goes here after the cache
_fragments: LRUCache | None = None
_blanks: LRUCache | None = None  # thread.html's live-insert blanks, per reader (blank_html)
_fragments_lock = threading.Lock()


def _sized(cache: LRUCache | None) -> LRUCache | None:
    """`cache` as POST_FRAGMENT_CACHE_SIZE says now: None when 0 (off), a new one when resized."""
    size = current_app.config.get("POST_FRAGMENT_CACHE_SIZE", 0)
    if size <= 0:
        return None
    return cache if cache is not None and cache.maxsize == size else LRUCache(maxsize=size)


def _csrf() -> str:
    """The page's CSRF token: Flask-WTF keeps it in g once made; read from there per post."""
    return g_request.get(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")) or generate_csrf()


def _fragment_cache() -> LRUCache | None:
    global _fragments
    cache = _sized(_fragments)
    if cache is not None:
        _fragments = cache
    return cache


def _blank_cache() -> LRUCache | None:
    global _blanks
    cache = _sized(_blanks)
    if cache is not None:
        _blanks = cache
    return cache


def _fragment_key(post: Post, viewer: Guardian, show_reply_to: bool, parent_on_page: bool) -> tuple:
    """Everything the partial's output depends on, so that a cached copy is never stale.

    The row versions (SQLAlchemy's version_id_col) change with every write to the post
    or its thread (edit, hide, delete, restore, lock, accept, move); the body's hash and
    the creation time tell apart rows that reuse an id after a restore. What the reader
    may do with the post depends only on their relation to it (author, asker, moderator,
    may reply), not on who they are, so readers share entries. Times are <relative-time>
    elements the browser words, so an entry does not go stale as time passes.
    """
    thread = post.thread
    user = viewer.user
    author = post.author
    # What is the same for every post of the page, worked out once per request.
    reader = (thread.id, thread.version, user.id if user is not None else None)
    remembered = getattr(g_request, "_post_page_key", None)
    if remembered is not None and remembered[0] == reader:
        page_key = remembered[1]
    else:
        page_key = (thread.id, thread.version, viewer.is_moderator(thread.topic), viewer.can_reply(thread),
                    user is not None and user.id == thread.author_id, str(get_locale()), str(get_timezone()))
        g_request._post_page_key = (reader, page_key)
    parent = None
    if show_reply_to and post.reply_to_id is not None:
        found = db.session.get(Post, post.reply_to_id)
        if found is not None:
            parent = (found.id, found.version, found.author_id, found.author.name, found.anonymous,
                      viewer.can_see_post(found), parent_on_page)
    return (
        post.id, post.version, hash(post.html), post.created_at, page_key,
        author.name, author.role, author.organisation.name, getattr(author, "avatar_colour", None),
        user is not None and user.id == post.author_id,
        post.anonymous and viewer.can_see_identity(post),  # revealed to this reader (a logged reveal)
        show_reply_to, parent,
        # A moderator hides or deletes a file without writing to the post.
        tuple((u.id, u.state, u.original_name) for u in post.attachments),
        tuple((r["id"], r["title"], tuple(r["languages"])) for r in post_citations(post, viewer)),
        # Reactions: the counts (kept on the post row, no version bump) and the reader's own;
        # whether they may react follows from what is above (author, moderator, thread version).
        post.reactions_helpful, post.reactions_thanks, post.reactions_agree, tuple(mine(post, viewer)),
        bookmark_of(post, viewer),
    )


def post_html(post: Post, viewer: Guardian, show_reply_to: bool = True, on_page=()) -> Markup:
    """partials/post.html for a page's reader, from a per-process cache when it can be.

    A thread page shows 50 posts; rendering them is most of its cost, and most readers
    see the same posts the same way (POST_FRAGMENT_CACHE_SIZE entries, 0 turns it off).
    """

    # The opening post of a live session's archive or follow-up is worded for its reader from the
    # session's data as it is now (live_openings.py): never cached.
    body = worded_opening(post, viewer) if post.is_opening and post.thread.title_kind else None

    def render(csrf: str) -> str:
        return render_template("partials/post.html", post=post, viewer=viewer, show_reply_to=show_reply_to,
                               on_page=on_page, csrf=csrf, body=body)

    # The cache and the page's CSRF token: looked up once per page, not once per post.
    page = getattr(g_request, "_post_html_page", None)
    if page is None:
        page = g_request._post_html_page = (_fragment_cache(), _csrf())
    cache, csrf = page
    if cache is None or post.state != "visible" or body is not None:
        # Held, hidden and deleted posts (their authors' and moderators' only) carry an appeal's
        # state, which is no column of the post: never cached.
        return Markup(render(csrf))
    key = _fragment_key(post, viewer, show_reply_to, post.reply_to_id in on_page)
    with _fragments_lock:
        html = cache.get(key)
    if html is None:
        html = render(_CSRF_SLOT)
        with _fragments_lock:
            cache[key] = html
    return Markup(html.replace(_CSRF_SLOT, csrf))


def blank_html(kind: str, blank, viewer: Guardian) -> Markup:
    """A live-insert blank of thread.html (views/posts.py live_posts) for this reader, from the
    same cache: the partial rendered for a stand-in post, which depends on the kind of blank,
    the thread as it is now, and the reader (who they are, their locale and time zone). Each
    reader's blanks are their own entries: nothing in one is ever shown to another."""

    def render(csrf: str) -> str:
        return render_template("partials/post.html", post=blank, viewer=viewer, show_reply_to=True,
                               on_page=(), csrf=csrf)

    cache = _blank_cache()
    if cache is None:
        return Markup(render(_csrf()))
    thread, user = blank.thread, viewer.user
    who = (user.id, user.name, user.role, user.state, user.organisation.name) if user is not None else None
    # Every answer of the Guardian the partial asks for, so that no change of a rule, a setting
    # or a role outside the thread's row leaves a stale blank.
    answers = (viewer.is_moderator(thread.topic), viewer.can_reply(thread), viewer.can_accept_answer(thread, blank),
               viewer.can_flag(blank), viewer.can_edit_post(blank), viewer.can_delete_post(blank),
               viewer.can_restore_post(blank), blank.anonymous and viewer.can_see_identity(blank))
    key = ("blank", kind, thread.id, thread.version, thread.kind, thread.author_id, who, answers,
           str(get_locale()), str(get_timezone()), blank.created_at)
    with _fragments_lock:
        html = cache.get(key)
    if html is None:
        html = render(_CSRF_SLOT)
        with _fragments_lock:
            cache[key] = html
    return Markup(html.replace(_CSRF_SLOT, _csrf()))
