"""Reading pages: the topic list, a topic's threads, starting a thread, and a thread's posts.

Views stay thin: they load objects, ask the Guardian, call actions, render.
The thread page is built by `render_thread()`, which the posts blueprint reuses
to re-render it with the composer's text kept when a reply is refused. The
template helpers for naming authors and dating things live here too, so that
the post partial (also rendered for live broadcasts, outside any page) can
use them without touching `request` or `current_user`.
"""
from __future__ import annotations

import math
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from babel import Locale
from cachetools import LRUCache
from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask import g as g_request
from flask.typing import ResponseReturnValue
from flask_babel import format_date, format_datetime, format_timedelta, get_locale, get_timezone
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import func, or_, select
from sqlalchemy.orm import lazyload
from werkzeug.routing import BuildError

from .. import events, markup
from ..actions import thread_changes, validate
from ..actions.posts import author_notices, display_name
from ..actions.threads import get_thread, get_topic, start_thread
from ..errors import DomainError
from ..extensions import db
from ..language import POST_LANGUAGES
from ..models import Post, Thread, Topic, utcnow
from ..models.base import iso
from ..models.thread import THREAD_KINDS
from ..payloads import anonymous_label
from ..permissions import Guardian
from .helpers import actor, bdi, form_bool, guardian

bp = Blueprint("main", __name__)

THREAD_FILTERS = {"all": _l("All"), "questions": _l("Questions"), "unanswered": _l("Unanswered")}
STARTABLE_KINDS = [k for k in THREAD_KINDS if k != "archive"]
MAX_DEPTH = 3  # replies nest this deep; deeper ones are shown flattened at this level
QUOTE_MAX_CHARS = 1500


@bp.before_request
def _require_sign_in() -> ResponseReturnValue | None:
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    return None


# --- template helpers (app-wide: the post partial is rendered outside pages too) ---------
def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _patterns() -> Locale:
    """The locale whose CLDR patterns shape dates: our English is British (27 November 2025, 14:05)."""
    locale = get_locale() or Locale.parse("en")
    return Locale.parse("en_GB") if locale.language == "en" else locale


@bp.app_template_filter("reltime")
def reltime(value: datetime | None) -> str:
    """'3 minutes ago' in the reader's language; older than a week: the date in their time zone."""
    if value is None:
        return ""
    value = _aware(value)
    delta = value - utcnow()  # negative: in the past
    if abs(delta.total_seconds()) < 45:
        return _("just now")
    if abs(delta) < timedelta(days=7):
        return format_timedelta(delta, granularity="minute", add_direction=True)
    return format_date(value, _patterns().date_formats["medium"].pattern)


@bp.app_template_filter("fulltime")
def fulltime(value: datetime | None) -> str:
    """The date and time in the reader's language and time zone, naming the zone."""
    if value is None:
        return ""
    locale = _patterns()
    # UTC reads best short ("UTC"); other zones by name ("India Standard Time"), not "+0530".
    zone = "z" if str(get_timezone()) == "UTC" else "zzzz"
    pattern = (locale.datetime_formats["long"]
               .replace("{1}", locale.date_formats["long"].pattern)
               .replace("{0}", f"{locale.time_formats['short'].pattern} {zone}"))
    return format_datetime(_aware(value), pattern)


@bp.app_template_filter("isotime")
def isotime(value: datetime | None) -> str:
    return iso(value) or ""


bp.add_app_template_filter(bdi, "bdi")


@bp.app_template_global("author_display")
def author_display(obj, viewer: Guardian | None) -> dict:
    """How to name the author of a Post, Thread or LiveQuestion to `viewer` (None: anyone in the room).

    An anonymous author is told it is them; a moderator who revealed that post (a logged
    act, see actions.moderation.reveal_author) sees the name, marked as revealed to them;
    everyone else, moderators included, gets the label and nothing more.
    """
    author = obj.author
    if not obj.anonymous:
        return {"anonymous": False, "name": author.name, "organisation": author.organisation.name,
                "role": author.role}
    shown = {"anonymous": True, "label": _(anonymous_label(author)), "revealed": None}
    if viewer is not None and viewer.user is not None:
        if viewer.user.id == obj.author_id:
            shown["revealed"] = "self"
        elif viewer.can_see_identity(obj):
            shown.update(revealed="moderator", name=author.name, organisation=author.organisation.name)
    return shown


@bp.app_template_global("reply_note")
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
    return {"post_id": parent.id, "name": display_name(parent)}


# --- the post partial on pages, cached --------------------------------------------------------
_CSRF_SLOT = "__rt_csrf_slot__"  # the page's CSRF token goes here after the cache
_fragments: LRUCache | None = None
_fragments_lock = threading.Lock()


def _fragment_cache() -> LRUCache | None:
    global _fragments
    size = current_app.config.get("POST_FRAGMENT_CACHE_SIZE", 0)
    if size <= 0:
        return None
    if _fragments is None or _fragments.maxsize != size:
        _fragments = LRUCache(maxsize=size)
    return _fragments


def _fragment_key(post: Post, viewer: Guardian, show_reply_to: bool, parent_on_page: bool) -> tuple:
    """Everything the partial's output depends on, so that a cached copy is never stale.

    The row versions (SQLAlchemy's version_id_col) change with every write to the post
    or its thread (edit, hide, delete, restore, lock, accept, move); the body's hash and
    the creation time tell apart rows that reuse an id after a restore. What the reader
    may do with the post depends only on their relation to it (author, asker, moderator,
    may reply), not on who they are, so readers share entries. Relative times ("3
    minutes ago") are part of the key as they read now.
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
        author.name, author.role, author.organisation.name, user is not None and user.id == post.author_id,
        post.anonymous and viewer.can_see_identity(post),  # revealed to this reader (a logged reveal)
        reltime(post.created_at), show_reply_to, parent,
    )


@bp.app_template_global("post_html")
def post_html(post: Post, viewer: Guardian, show_reply_to: bool = True, on_page=()) -> Markup:
    """partials/post.html for a page's reader, from a per-process cache when it can be.

    A thread page shows 50 posts; rendering them is most of its cost, and most readers
    see the same posts the same way (POST_FRAGMENT_CACHE_SIZE entries, 0 turns it off).
    """
    from flask_wtf.csrf import generate_csrf

    def render(csrf: str) -> str:
        return render_template("partials/post.html", post=post, viewer=viewer, show_reply_to=show_reply_to,
                               on_page=on_page, csrf=csrf)

    cache = _fragment_cache()
    if cache is None or post.state != "visible":
        # Held, hidden and deleted posts (their authors' and moderators' only) carry an appeal's
        # state, which is no column of the post: never cached.
        return Markup(render(generate_csrf()))
    key = _fragment_key(post, viewer, show_reply_to, post.reply_to_id in on_page)
    with _fragments_lock:
        html = cache.get(key)
    if html is None:
        html = render(_CSRF_SLOT)
        with _fragments_lock:
            cache[key] = html
    return Markup(html.replace(_CSRF_SLOT, generate_csrf()))


@bp.app_template_global("moderation_url")
def moderation_url(post_id: int) -> str:
    # The moderation blueprint (another module) names this page; fall back to its path.
    try:
        return url_for("moderation.post", post_id=post_id)
    except (BuildError, RuntimeError):
        return f"/moderation/posts/{post_id}"


# --- queries -------------------------------------------------------------------------
def readable_topics(g: Guardian) -> list[Topic]:
    topics = db.session.scalars(select(Topic).order_by(Topic.position, Topic.name)).all()
    return [t for t in topics if g.can_read_topic(t)]


def _reply_conditions(thread: Thread, g: Guardian) -> list:
    """Replies `g` may see: all for the topic's moderators, else visible ones and their own."""
    conditions = [Post.thread_id == thread.id, Post.is_opening.is_(False)]
    if not g.is_moderator(thread.topic):
        conditions.append(or_(Post.state == "visible", Post.author_id == g.user.id))
    return conditions


def reply_count_for(thread: Thread, g: Guardian) -> int:
    return db.session.scalar(select(func.count(Post.id)).where(*_reply_conditions(thread, g))) or 0


def last_page(thread: Thread, g: Guardian) -> int:
    per = current_app.config["POSTS_PER_PAGE"]
    return max(1, math.ceil(reply_count_for(thread, g) / per))


def page_of(post: Post, g: Guardian) -> int:
    """The page of the thread on which `g` finds `post`."""
    if post.is_opening:
        return 1
    before = db.session.scalar(
        select(func.count(Post.id)).where(*_reply_conditions(post.thread, g), Post.id < post.id)
    ) or 0
    return before // current_app.config["POSTS_PER_PAGE"] + 1


def post_url(post: Post, g: Guardian) -> str:
    return url_for("main.thread", thread_id=post.thread_id, page=page_of(post, g)) + f"#post-{post.id}"


def _lang_arg() -> str | None:
    """?lang=<code>: show only posts written in that language (None: all languages)."""
    code = request.args.get("lang", "")
    return code if code in POST_LANGUAGES else None


def _languages_present(query) -> list[str]:
    """The post languages a SELECT of Post.language finds, in POST_LANGUAGES order."""
    found = {code for code in db.session.scalars(query.where(Post.language.is_not(None)).distinct())}
    return [code for code in POST_LANGUAGES if code in found]


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isascii() and value.isdigit() and len(value) < 12 else None


# --- the reply tree -------------------------------------------------------------------
@dataclass
class Node:
    """One reply on the page, where it sits in the tree and whether it says whom it answers."""

    post: Post
    depth: int
    show_reply_to: bool = False
    stub: bool = False  # the accepted answer, already shown in full above the tree
    children: list["Node"] = field(default_factory=list)


def build_tree(posts: list[Post], opening_id: int | None, accepted_id: int | None) -> list[Node]:
    """Nest this page's replies (chronological) up to MAX_DEPTH levels.

    A reply to a post at the deepest level sits beside its parent and says
    "in reply to"; so does a reply whose parent is not on this page.
    """
    roots: list[Node] = []
    nodes: dict[int, Node] = {}
    siblings: dict[int, list[Node]] = {}
    for post in posts:
        parent_id = post.reply_to_id
        node = Node(post=post, depth=1, stub=post.id == accepted_id)
        parent = nodes.get(parent_id) if parent_id is not None else None
        if parent_id is None or parent_id == opening_id:
            container = roots
        elif parent is None:
            container, node.show_reply_to = roots, True
        elif parent.depth < MAX_DEPTH:
            container, node.depth = parent.children, parent.depth + 1
        else:
            container, node.depth, node.show_reply_to = siblings[parent.post.id], MAX_DEPTH, True
        container.append(node)
        nodes[post.id] = node
        siblings[post.id] = container
    return roots


# --- pages ----------------------------------------------------------------------------
@bp.get("/")
def home() -> ResponseReturnValue:
    g = guardian()
    g.ensure_use_site()
    topics = readable_topics(g)
    stats = {
        topic_id: (count, last)
        for topic_id, count, last in db.session.execute(
            select(Thread.topic_id, func.count(Thread.id), func.max(Thread.last_activity_at))
            .where(Thread.state == "visible", Thread.topic_id.in_([t.id for t in topics]))
            .group_by(Thread.topic_id)
        )
    }
    sections = [
        ("themes", _("Themes"), [t for t in topics if t.kind != "hub"]),
        ("hubs", _("Regional hubs"), [t for t in topics if t.kind == "hub"]),
    ]
    return render_template("home.html", sections=sections, stats=stats)


@bp.get("/t/<slug>")
def topic(slug: str) -> ResponseReturnValue:
    g = guardian()
    topic = get_topic(slug)
    g.ensure_read_topic(topic)
    current = request.args.get("filter", "all")
    if current not in THREAD_FILTERS:
        current = "all"
    query = select(Thread).where(Thread.topic_id == topic.id)
    if not g.is_moderator(topic):
        # held threads: only their authors (and the moderators) see them
        query = query.where(or_(Thread.state == "visible", Thread.author_id == g.user.id))
    if current in ("questions", "unanswered"):
        query = query.where(Thread.kind == "question")
    if current == "unanswered":
        query = query.where(Thread.accepted_post_id.is_(None))
    # The filter lists the languages of the opening posts of the threads this reader sees.
    languages = _languages_present(select(Post.language).where(
        Post.is_opening.is_(True), Post.thread_id.in_(query.with_only_columns(Thread.id))))
    lang = _lang_arg()
    if lang:
        query = query.where(Thread.id.in_(
            select(Post.thread_id).where(Post.is_opening.is_(True), Post.language == lang)))
    per = current_app.config["THREADS_PER_PAGE"]
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, math.ceil(total / per))
    page = min(max(_int_arg("page") or 1, 1), pages)
    threads = db.session.scalars(
        query.order_by(Thread.pinned.desc(), Thread.last_activity_at.desc(), Thread.id.desc())
        .offset((page - 1) * per).limit(per)
    ).all()
    return render_template(
        "topic.html", topic=topic, threads=threads, filters=THREAD_FILTERS, current_filter=current,
        page=page, pages=pages, total=total, is_moderator=g.is_moderator(topic),
        cursor=events.latest_cursor(f"topic:{topic.slug}"), lang_filter=lang, languages=languages,
    )


def _kinds_allowed(topic: Topic, g: Guardian) -> list[str]:
    return [k for k in STARTABLE_KINDS if g.can_start_thread(topic, k)]


@bp.route("/t/<slug>/new", methods=["GET", "POST"])
def new_thread(slug: str) -> ResponseReturnValue:
    g = guardian()
    topic = get_topic(slug)
    g.ensure_read_topic(topic)
    g.ensure_start_thread(topic)
    form = {"title": "", "kind": request.args.get("kind", "discussion"), "body": "", "tags": "",
            "anonymous": False, "client_id": uuid.uuid4().hex}
    error = None
    status = 200
    if request.method == "POST":
        form = {
            "title": request.form.get("title", ""),
            "kind": request.form.get("kind", "discussion"),
            "body": request.form.get("body", ""),
            "tags": request.form.get("tags", ""),
            "anonymous": form_bool("anonymous"),
            "client_id": request.form.get("client_id", "") or uuid.uuid4().hex,
            "language": request.form.get("language", ""),
        }
        try:
            thread, post = start_thread(actor(), topic, title=form["title"], body=form["body"],
                                        kind=form["kind"], anonymous=form["anonymous"],
                                        tags=form["tags"], client_id=form["client_id"],
                                        language=form["language"] or None)
        except DomainError as err:
            db.session.rollback()
            error, status = err, err.status
        else:
            if post.state == "held":
                flash(_("Your thread is awaiting review by a moderator. Only you and the moderators "
                        "can see it until it is approved."), "info")
            for notice in author_notices(post):
                flash(notice["message"], "info")
            return redirect(url_for("main.thread", thread_id=thread.id))
    return render_template("new_thread.html", topic=topic, form=form, error=error,
                           kinds=_kinds_allowed(topic, g),
                           can_anonymous=g.can_post_anonymously(topic),
                           anon_label=_(anonymous_label(g.user)),
                           max_chars=current_app.config["POST_MAX_CHARS"],
                           max_title=current_app.config["TITLE_MAX_CHARS"]), status


@bp.get("/threads/<int:thread_id>")
def thread(thread_id: int) -> ResponseReturnValue:
    thread = get_thread(thread_id)
    if thread.state == "merged":
        return merged_redirect(thread)
    guardian().ensure_read_thread(thread)
    return render_thread(thread, page=_int_arg("page"))


def merged_redirect(thread: Thread) -> ResponseReturnValue:
    """A merged thread's address leads, for good (301), to its posts in the thread it was merged
    into, where a notice says so; "not found" for whoever may not read both."""
    g = guardian()
    target, first = thread_changes.landing(thread, g)
    page = page_of(first, g) if first is not None else 1
    anchor = f"#post-{first.id}" if first is not None else ""
    return redirect(url_for("main.thread", thread_id=target.id, page=page, merged_from=thread.id) + anchor, 301)


def _quote(post: Post) -> str:
    text = markup.to_text(post.html)
    if len(text) > QUOTE_MAX_CHARS:
        text = text[:QUOTE_MAX_CHARS].rstrip() + "…"
    return "> " + _("**%(name)s** wrote:", name=display_name(post)) + f"\n> {text}\n\n"


def _reply_target(thread: Thread, g: Guardian, value) -> Post | None:
    """The post a composer is answering, if it is one `g` may see in this thread."""
    post_id = validate.as_id(value)
    post = db.session.get(Post, post_id) if post_id else None
    if post is None or post.thread_id != thread.id or not g.can_see_post(post):
        return None
    return post


def render_thread(thread: Thread, *, page: int | None = None, composer: dict | None = None,
                  error: DomainError | None = None, status: int = 200) -> ResponseReturnValue:
    """The thread page. `composer` keeps a refused reply's text; `error` says why.

    An error that comes with a composer is the reply's own and is shown in the
    composer; any other (accept, restore) is shown at the top of the page.
    """
    g = guardian()
    reply_error = error if composer is not None else None
    page_error = error if composer is None else None
    room = f"thread:{thread.id}"
    # Read the room's cursor BEFORE the posts: an event committed in between is then
    # replayed to the page's socket (since=cursor) rather than lost.
    cursor = events.latest_cursor(room)
    per = current_app.config["POSTS_PER_PAGE"]
    conditions = _reply_conditions(thread, g)
    languages = _languages_present(select(Post.language).where(*conditions))
    lang = _lang_arg()
    if lang:  # replies in that language only; the opening post stays, for context
        conditions.append(Post.language == lang)
    total = db.session.scalar(select(func.count(Post.id)).where(*conditions)) or 0
    pages = max(1, math.ceil(total / per))
    if composer is not None and page is None:
        page = pages  # a refused reply goes back to where the composer is read in context
    page = min(max(page or 1, 1), pages)
    # post.thread is `thread`, already in the session: no need to join it (and its topic,
    # author and organisation) onto every row again.
    same_thread = lazyload(Post.thread)
    replies = db.session.scalars(
        select(Post).where(*conditions).order_by(Post.id).offset((page - 1) * per).limit(per).options(same_thread)
    ).all()
    opening = db.session.scalar(select(Post).where(Post.thread_id == thread.id, Post.is_opening.is_(True))
                                .options(same_thread))
    opening_visible = opening is not None and g.can_see_post(opening)

    accepted = None
    if page == 1 and thread.kind == "question" and thread.accepted_post_id:
        candidate = db.session.get(Post, thread.accepted_post_id)
        if (candidate is not None and candidate.state == "visible" and g.can_see_post(candidate)
                and lang in (None, candidate.language)):
            accepted = candidate
    tree = build_tree(list(replies), opening.id if opening else None, accepted.id if accepted else None)

    if composer is None:
        composer = {"body": "", "reply_to": "", "anonymous": False, "client_id": uuid.uuid4().hex}
        target = _reply_target(thread, g, request.args.get("quote") or request.args.get("reply_to"))
        if target is not None:
            composer["reply_to"] = str(target.id)
            if request.args.get("quote"):
                composer["body"] = _quote(target)
    else:
        composer = {"body": "", "reply_to": "", "anonymous": False, "client_id": "", **composer}
        composer["client_id"] = composer["client_id"] or uuid.uuid4().hex
    target = _reply_target(thread, g, composer.get("reply_to"))
    composer["reply_to"] = str(target.id) if target is not None else ""
    composer["reply_name"] = display_name(target) if target is not None else ""

    on_page = {p.id for p in replies} | ({accepted.id} if accepted else set())
    if opening_visible:
        on_page.add(opening.id)
    return render_template(
        "thread.html", thread=thread, topic=thread.topic, opening=opening if opening_visible else None,
        accepted=accepted, tree=tree, page=page, pages=pages, total=total, cursor=cursor,
        composer=composer, error=page_error, reply_error=reply_error, on_page=on_page,
        lang_filter=lang, languages=languages,
        merge_notice=thread_changes.merge_notice(thread, request.args.get("merged_from"), g),
        duplicate_notice=thread_changes.duplicate_notice(thread, g),
        anon_label=_(anonymous_label(g.user)),
        is_moderator=g.is_moderator(thread.topic), is_asker=g.user.id == thread.author_id,
        can_reply=g.can_reply(thread), can_anonymous=g.can_post_anonymously(thread.topic),
        max_chars=current_app.config["POST_MAX_CHARS"],
    ), status


@bp.get("/threads/<int:thread_id>/last")
def thread_last(thread_id: int) -> ResponseReturnValue:
    """The last page of a thread (where live replies and the composer are)."""
    thread = get_thread(thread_id)
    if thread.state == "merged":
        return merged_redirect(thread)
    g = guardian()
    g.ensure_read_thread(thread)
    return redirect(url_for("main.thread", thread_id=thread.id, page=last_page(thread, g)))
