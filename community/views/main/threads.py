"""A thread's page: its opening post, the accepted answer, the replies as a tree (paged,
filtered by language), the composer; and where a post is (its page, its URL).

`render_thread()` is reused by the posts blueprint to show the page again with a refused
reply's text kept in the composer.
"""
from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, field

from flask import current_app, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import aliased, lazyload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from ... import events, markup
from ...actions import reading, thread_changes, validate
from ...actions.threads import get_thread
from ...authors import public_name, translated_label
from ...errors import DomainError
from ...extensions import db
from ...models import Post, Thread
from ...payloads import prefetch_bookmarks, prefetch_reactions
from ...permissions import Guardian
from ..helpers import guardian, int_arg, lang_arg, languages_present
from ..revalidation import volatile
from .blueprint import bp

MAX_DEPTH = 3  # replies nest this deep; deeper ones are shown flattened at this level
QUOTE_MAX_CHARS = 1500


# --- where a post is ----------------------------------------------------------------------
def _replies(query: Select, thread: Thread, g: Guardian) -> Select:
    """`query` narrowed to the replies of `thread` that `g` may see (the Guardian's scope)."""
    return g.visible_posts(query, thread).where(Post.is_opening.is_(False))


def last_page(thread: Thread, g: Guardian) -> int:
    per = current_app.config["POSTS_PER_PAGE"]
    count = db.session.scalar(_replies(select(func.count(Post.id)), thread, g)) or 0
    return max(1, math.ceil(count / per))


def page_of(post: Post, g: Guardian) -> int:
    """The page of the thread on which `g` finds `post`."""
    if post.is_opening:
        return 1
    before = db.session.scalar(_replies(select(func.count(Post.id)), post.thread, g).where(Post.id < post.id)) or 0
    return before // current_app.config["POSTS_PER_PAGE"] + 1


def pages_of(posts: list[Post], g: Guardian) -> dict[int, int]:
    """{post id: page_of(post, g)} for many posts in one query (a list of search hits), the
    replies before each counted in the same Guardian scope."""
    replies = [p.id for p in posts if not p.is_opening]
    counts = {}
    if replies:
        hit = aliased(Post)
        counts = dict(db.session.execute(g.visible_posts(
            select(hit.id, func.count(Post.id)).select_from(hit)
            .join(Post, and_(Post.thread_id == hit.thread_id, Post.id < hit.id, Post.is_opening.is_(False)))
            .join(Thread, Thread.id == Post.thread_id)
            .where(hit.id.in_(replies)).group_by(hit.id), thread_joined=True)).all())
    per = current_app.config["POSTS_PER_PAGE"]
    return {p.id: 1 if p.is_opening else counts.get(p.id, 0) // per + 1 for p in posts}


def post_url(post: Post, g: Guardian, page: int | None = None) -> str:
    """The link to `post` on its page of the thread (`page`: already known, from pages_of)."""
    page = page if page is not None else page_of(post, g)
    return url_for("main.thread", thread_id=post.thread_id, page=page) + f"#post-{post.id}"


# --- the reply tree -------------------------------------------------------------------
@dataclass
class Node:
    """One reply on the page, where it sits in the tree and whether it says whom it answers."""

    post: Post
    depth: int
    show_reply_to: bool = False
    stub: bool = False  # the accepted answer, already shown in full above the tree
    children: list[Node] = field(default_factory=list)


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


# --- the page -------------------------------------------------------------------------
@bp.get("/threads/<int:thread_id>")
def thread(thread_id: int) -> ResponseReturnValue:
    thread = get_thread(thread_id)
    if thread.state == "merged":
        return merged_redirect(thread)
    guardian().ensure_read_thread(thread)
    return render_thread(thread, page=int_arg("page"))


def merged_redirect(thread: Thread) -> ResponseReturnValue:
    """A merged thread's address leads, for good (301), to its posts in the thread it was merged
    into, where a notice says so; "not found" for whoever may not read both."""
    g = guardian()
    target, first = thread_changes.landing(thread, g)
    page = page_of(first, g) if first is not None else 1
    anchor = f"#post-{first.id}" if first is not None else ""
    return redirect(url_for("main.thread", thread_id=target.id, page=page, merged_from=thread.id) + anchor, 301)


@bp.get("/threads/<int:thread_id>/last")
def thread_last(thread_id: int) -> ResponseReturnValue:
    """The last page of a thread (where live replies and the composer are)."""
    thread = get_thread(thread_id)
    if thread.state == "merged":
        return merged_redirect(thread)
    g = guardian()
    g.ensure_read_thread(thread)
    return redirect(url_for("main.thread", thread_id=thread.id, page=last_page(thread, g)))


def _quote(post: Post) -> str:
    text = markup.excerpt(post.html, QUOTE_MAX_CHARS + 1)
    return "> " + _("**%(name)s** wrote:", name=public_name(post)) + f"\n> {text}\n\n"


def _reply_target(thread: Thread, g: Guardian, value) -> Post | None:
    """The post a composer is answering, if it is one `g` may see in this thread."""
    post_id = validate.as_id(value)
    post = db.session.get(Post, post_id) if post_id else None
    if post is None or post.thread_id != thread.id or not g.can_see_post(post):
        return None
    return post


def _composer(thread: Thread, g: Guardian, kept: dict | None) -> dict:
    """The reply form: a refused reply's text kept, or a fresh one (answering ?reply_to=, or
    quoting ?quote=)."""
    if kept is None:
        composer = {"body": "", "reply_to": "", "anonymous": False, "client_id": volatile(uuid.uuid4().hex)}
        target = _reply_target(thread, g, request.args.get("quote") or request.args.get("reply_to"))
        if target is not None:
            composer["reply_to"] = str(target.id)
            if request.args.get("quote"):
                composer["body"] = _quote(target)
    else:
        composer = {"body": "", "reply_to": "", "anonymous": False, "client_id": "", **kept}
        composer["client_id"] = composer["client_id"] or volatile(uuid.uuid4().hex)
    target = _reply_target(thread, g, composer.get("reply_to"))
    composer["reply_to"] = str(target.id) if target is not None else ""
    composer["reply_name"] = str(public_name(target)) if target is not None else ""
    return composer


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
    languages = languages_present(_replies(select(Post.language), thread, g))
    lang = lang_arg()
    read = reading.state_of(g.user, thread, count=False)  # before this page is recorded as read
    first_unread = reading.first_unread_post_id(g.user, thread, read)
    if page is None and composer is None and first_unread is not None and not lang:
        page = page_of(db.session.get(Post, first_unread), g)  # open where the reader left off

    def replies(query: Select) -> Select:
        query = _replies(query, thread, g)
        # Replies in that language only; the opening post stays, for context.
        return query.where(Post.language == lang) if lang else query

    total = db.session.scalar(replies(select(func.count(Post.id)))) or 0
    pages = max(1, math.ceil(total / per))
    if composer is not None and page is None:
        page = pages  # a refused reply goes back to where the composer is read in context
    page = min(max(page or 1, 1), pages)
    # post.thread is `thread`, already in the session: no need to join it (and its topic,
    # author and organisation) onto every row again.
    same_thread = lazyload(Post.thread)
    on_this_page = db.session.scalars(
        replies(select(Post)).order_by(Post.id).offset((page - 1) * per).limit(per)
        .options(same_thread, selectinload(Post.attachments))  # the files of the page's posts: one query
    ).all()
    opening = db.session.scalar(select(Post).where(Post.thread_id == thread.id, Post.is_opening.is_(True))
                                .options(same_thread))
    # ... and handed over as loaded: a lazy load by key still costs a look-up per post and read.
    for post in (*on_this_page, opening):
        if post is not None:
            set_committed_value(post, "thread", thread)
    opening_visible = opening is not None and g.can_see_post(opening)

    accepted = None
    if page == 1 and thread.kind == "question" and thread.accepted_post_id:
        candidate = db.session.get(Post, thread.accepted_post_id)
        if (candidate is not None and candidate.state == "visible" and g.can_see_post(candidate)
                and lang in (None, candidate.language)):
            accepted = candidate
    tree = build_tree(list(on_this_page), opening.id if opening else None, accepted.id if accepted else None)
    if thread.kind == "question":
        # Answers: the accepted one first, then the most helpful (on this page; pages stay in order).
        tree.sort(key=lambda node: (not node.stub, -node.post.reactions_helpful, node.post.id))
    # The reader's reactions and bookmarks of the page's posts, read at once for the partial.
    shown = [*on_this_page, *(p for p in (opening, accepted) if p is not None)]
    prefetch_reactions(g, shown)
    prefetch_bookmarks(g, shown)

    on_page = {p.id for p in on_this_page} | ({accepted.id} if accepted else set())
    if opening_visible:
        on_page.add(opening.id)
    # "New since your last visit" goes above the first post on this page the reader had not read.
    new_since = min((p.id for p in on_this_page if first_unread is not None and p.id >= first_unread
                     and p.state == "visible" and p.author_id != g.user.id), default=None)
    html = render_template(
        "thread.html", thread=thread, topic=thread.topic, opening=opening if opening_visible else None,
        accepted=accepted, tree=tree, page=page, pages=pages, total=total, cursor=cursor,
        composer=_composer(thread, g, composer), error=page_error, reply_error=reply_error, on_page=on_page,
        lang_filter=lang, languages=languages,
        merge_notice=thread_changes.merge_notice(thread, request.args.get("merged_from"), g),
        duplicate_notice=thread_changes.duplicate_notice(thread, g),
        anon_label=str(translated_label(g.user)),
        is_moderator=g.is_moderator(thread.topic), is_asker=g.user.id == thread.author_id,
        can_reply=g.can_reply(thread), can_anonymous=g.can_post_anonymously(thread.topic),
        max_chars=current_app.config["POST_MAX_CHARS"], read=read, new_since=new_since,
    )
    # Shown is read on the page without JavaScript; written after rendering, so the commit does
    # not expire the posts the template reads. Where the page's scripts run (they set the cookie
    # rt_js: static/js/read_state.js), they record posts as they scroll into view instead. Not a
    # page filtered by language, nor the accepted answer lifted to page 1: neither says the
    # reader went through the posts before it.
    if not lang and request.cookies.get("rt_js") != "1":
        shown_ids = [p.id for p in on_this_page] + ([opening.id] if opening_visible else [])
        if reading.shown_moves_mark(g.user, thread, shown_ids):
            reading.record_shown(g.user, thread, shown_ids)
    return html, status
