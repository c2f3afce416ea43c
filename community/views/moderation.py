"""Moderation pages: the review queue, acting on posts, threads and authors, watched words,
the audit log.

A moderator sees only the topics they moderate (administrators see all).
Moderators see the real author of anonymous posts in those topics, marked
as visible to moderators only. Every change goes through actions.moderation,
which checks the Guardian again, writes the audit record and announces the
change live (the queue page follows the moderators' rooms through
static/js/moderation.js and fetches new items as rendered cards from
`queue_item`, the same macro as the page).
"""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from markupsafe import Markup, escape
from flask_babel import gettext as _, lazy_gettext as _l, ngettext
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased

from .. import events
from ..actions import moderation, validate
from ..actions.posts import get_post
from ..actions.threads import get_thread, get_topic
from ..errors import DomainError, Forbidden, Invalid, NotFound
from ..extensions import db
from ..models import Flag, ModerationAction, Post, Thread, Topic, TopicModerator, User
from ..models.moderation import FLAG_REASONS, WATCH_ACTIONS, WatchedWord
from ..payloads import anonymous_label
from ..permissions import not_found_message
from .accounts import safe_next
from .helpers import actor, bdi, guardian

bp = Blueprint("moderation", __name__, url_prefix="/moderation")

LOG_PER_PAGE = 50
NOT_A_MODERATOR = _l("Only topic moderators can use the review tools.")

# Lazy (translated when shown); str() them before flashing: the session cannot store a LazyString.
POST_ACTION_DONE = {
    "approve": _l("Approved: the post is visible."),
    "reject": _l("Rejected: the post stays hidden and the author was told why."),
    "hide": _l("Hidden: readers no longer see the post."),
    "restore": _l("Restored: the post is visible again."),
}
# Filled in with %(topic)s, %(target)s and %(source)s (a message without them ignores them).
THREAD_ACTION_DONE = {
    "lock": _l("Locked: no new replies."),
    "unlock": _l("Unlocked: replies are open again."),
    "pin": _l("Pinned to the top of its topic."),
    "unpin": _l("Unpinned."),
    "move": _l("Moved to %(topic)s."),
    "duplicate": _l("Closed as a duplicate of thread %(target)s; it is locked and links there."),
    "merge": _l("Merged: every post of thread %(source)s is now in this thread."),
    "split": _l("Split: the chosen posts are now this new thread."),
}
# How the audit log and the histories name each recorded action (ModerationAction.action); lower case
# like a phrase in a sentence, capitalised where it starts a line. Unknown actions show their code.
AUDIT_ACTIONS = {
    "approve_post": _l("approve post"), "reject_post": _l("reject post"), "hide_post": _l("hide post"),
    "restore_post": _l("restore post"), "edit_post": _l("edit post"), "delete_post": _l("delete post"),
    "undelete_post": _l("undelete post"),
    "lock_thread": _l("lock thread"), "unlock_thread": _l("unlock thread"), "pin_thread": _l("pin thread"),
    "unpin_thread": _l("unpin thread"), "move_thread": _l("move thread"),
    "duplicate_thread": _l("close as duplicate"), "merge_thread": _l("merge thread"),
    "split_thread": _l("split thread"),
    "approve_user": _l("approve user"), "suspend_user": _l("suspend user"),
    "unsuspend_user": _l("unsuspend user"), "silence_user": _l("silence user"),
    "assign_moderator": _l("assign moderator"), "remove_moderator": _l("remove moderator"),
    "add_watched_word": _l("add watched word"), "remove_watched_word": _l("remove watched word"),
    "create_topic": _l("create topic"), "update_topic": _l("update topic"),
    "remove_organisation": _l("remove organisation"),
    "hide_question": _l("hide live question"), "hide_chat": _l("hide chat message"),
    "silence_live": _l("silence in a live session"),
    "reveal_author": _l("reveal author"),
    "rename_thread": _l("rename thread"),
    "resubmit_post": _l("edit and resubmit post"), "appeal_post": _l("appeal a decision"),
    "uphold_appeal": _l("uphold appeal"), "overturn_appeal": _l("overturn appeal"),
}
# The flag reasons as the cards name them (models.moderation.FLAG_REASONS holds the English).
FLAG_REASON_LABELS = {
    "spam": _l("Spam"), "off_topic": _l("Off-topic"), "abusive": _l("Abusive"),
    "confidential": _l("Confidential information"), "other": _l("Other"),
}
# The watched-word actions inside a sentence ("“bribe” is now watched (block).").
WORD_ACTION_NAMES = {"block": _l("block"), "hold": _l("hold"), "replace": _l("replace")}
THREAD_FORM_KEYS = ("action", "reason", "topic", "target", "title")
PREVIOUS_POSTS = 5  # how many of an author's earlier posts in the topic the queue shows
DEFAULT_SILENCE_MINUTES = 60


@bp.before_request
def _signed_in_only() -> ResponseReturnValue | None:
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    guardian().ensure_use_site()
    return None


@bp.app_template_global()
def moderation_thread_url(thread: Thread, post: Post | None = None) -> str:
    """The public thread page (the path the payloads use), anchored on a post."""
    return f"/threads/{thread.id}" + (f"#post-{post.id}" if post is not None else "")


def moderated_topics() -> list[Topic]:
    """The topics the signed-in user moderates; every topic for administrators."""
    stmt = select(Topic).order_by(Topic.position, Topic.name)
    if not guardian().is_admin:
        stmt = stmt.join(TopicModerator, TopicModerator.topic_id == Topic.id).where(
            TopicModerator.user_id == current_user.id)
    return list(db.session.scalars(stmt))


def _topics_or_403() -> list[Topic]:
    topics = moderated_topics()
    if not topics and not guardian().is_admin:
        raise Forbidden(str(NOT_A_MODERATOR))
    return topics


def _flags_by_post(post_ids, open_only: bool = True) -> dict[int, list[Flag]]:
    if not post_ids:
        return {}
    stmt = select(Flag).where(Flag.post_id.in_(post_ids)).order_by(Flag.id)
    if open_only:
        stmt = stmt.where(Flag.status == "open")
    flags: dict[int, list[Flag]] = {}
    for flag in db.session.scalars(stmt):
        flags.setdefault(flag.post_id, []).append(flag)
    return flags


def _previous_posts(items: list[Post]) -> dict[int, list[Post]]:
    """For each post signed with a name: its author's last few earlier posts in the same
    topic, newest first, in every state (a run of rejected posts is exactly what a moderator
    needs to know) but never their anonymous ones (that would say who wrote them). An
    anonymous post gets its author's record instead (`_records`), which names nobody."""
    found: dict[int, list[Post]] = {}
    for post in items:
        if post.anonymous:
            continue
        found[post.id] = list(db.session.scalars(
            select(Post).join(Thread, Post.thread_id == Thread.id)
            .where(Thread.topic_id == post.thread.topic_id, Post.author_id == post.author_id,
                   Post.id < post.id, Post.anonymous.is_(False))
            .order_by(Post.id.desc()).limit(PREVIOUS_POSTS)))
    return found


def _records(items: list[Post]) -> dict[int, dict]:
    """For each anonymous post: its author's hidden and rejected posts in the topic, counted
    and dated, without a name or a link (moderate without revealing)."""
    return {post.id: moderation.author_record(post) for post in items if post.anonymous}


def _silences(items: list[Post]) -> dict[int, object]:
    """post id -> the author's active silence in the post's topic (for the card), if any."""
    return {post.id: silence for post in items if (silence := _silence_shown(post)) is not None}


def _silence_shown(post: Post):
    """The author's active silence in the post's topic, as a card may show it. A silence imposed
    from an anonymous post is not shown beside the same person's signed posts: the pair would
    say who wrote the anonymous one."""
    silence = moderation.active_silence(post.thread.topic, post.author)
    if silence is None or post.anonymous:
        return silence
    imposed_anonymously = db.session.scalar(
        select(ModerationAction.target_anonymous).where(
            ModerationAction.action == "silence_user", ModerationAction.target_user_id == post.author_id,
            ModerationAction.topic_id == post.thread.topic_id)
        .order_by(ModerationAction.id.desc()).limit(1))
    return None if imposed_anonymously else silence


def _moderated(topic: Topic, asked=None) -> Topic:
    """The topic, if the signed-in user moderates it. Otherwise its moderation pages are
    "not there": 404 with the very words a missing `asked` (post, thread or topic) gets,
    since a 403 would confirm that a held post, a thread or a closed topic exists."""
    if not guardian().can_moderate(topic):
        raise NotFound(not_found_message(asked if asked is not None else topic))
    return topic


def _moderated_post(post_id: int) -> Post:
    target = get_post(post_id)
    _moderated(target.thread.topic, target)
    return target


def _moderated_thread(thread_id: int) -> Thread:
    target = get_thread(thread_id)
    _moderated(target.topic, target)
    return target


def _render(template: str, status: int = 200, **context) -> ResponseReturnValue:
    context.setdefault("flag_reasons", {key: FLAG_REASON_LABELS.get(key, label) for key, label in FLAG_REASONS.items()})
    context.setdefault("audit_actions", AUDIT_ACTIONS)
    context.setdefault("anonymous_label", anonymous_label)
    context.setdefault("default_silence", DEFAULT_SILENCE_MINUTES)
    return render_template(template, **context), status


def _card_context(items: list[Post]) -> dict:
    """What the queue card macro needs besides the post: flags, history, silences."""
    return {"flags": _flags_by_post([p.id for p in items]), "previous": _previous_posts(items),
            "records": _records(items), "silences": _silences(items)}


# --- the review queue ------------------------------------------------------------------------
@bp.route("")
def queue() -> ResponseReturnValue:
    topics = _topics_or_403()
    slug = (request.args.get("topic") or "").strip()
    if slug:
        shown = [_moderated(get_topic(slug))]
    else:
        shown = topics
    # Read each moderators' room cursor BEFORE the items: an item arriving in between is
    # then replayed to the page's socket instead of being missed.
    cursors = {f"mods:{topic.slug}": events.latest_cursor(f"mods:{topic.slug}") for topic in shown}
    items: list[Post] = []
    for topic in shown:
        items.extend(moderation.held_and_flagged(topic))
    items.sort(key=lambda post: post.id)
    return _render("moderation/queue.html", topics=topics, current=slug, items=items, rooms=cursors,
                   **_card_context(items))


@bp.get("/queue/items/<int:post_id>")
def queue_item(post_id: int) -> ResponseReturnValue:
    """One queue card, rendered as on the page, for the live queue to insert (204: not in the queue)."""
    target = _moderated_post(post_id)
    context = _card_context([target])
    if target.state == "deleted" or (target.state != "held" and not context["flags"].get(target.id)):
        return "", 204  # handled meanwhile: nothing to add
    return _render("moderation/_item.html", post=target, next_url=safe_next(request.args.get("next")),
                   **context)


# --- one post ----------------------------------------------------------------------------------
def _post_page(target: Post, status: int = 200, **extra) -> ResponseReturnValue:
    thread = target.thread
    opening = None
    if not target.is_opening:
        opening = db.session.scalar(select(Post).where(Post.thread_id == thread.id, Post.is_opening.is_(True)))
    parent = db.session.get(Post, target.reply_to_id) if target.reply_to_id else None
    history = list(db.session.scalars(
        select(ModerationAction).where(ModerationAction.target_type == "post",
                                       ModerationAction.target_id == target.id)
        .order_by(ModerationAction.id.desc())))
    extra.setdefault("error", None)
    extra.setdefault("reason", None)
    extra.setdefault("failed_form", None)
    extra.setdefault("reveal_reason", "")
    extra.setdefault("silence_values", {"minutes": DEFAULT_SILENCE_MINUTES, "reason": ""})
    return _render("moderation/post.html", status, post=target, thread=thread, opening=opening,
                   parent=parent, flags=_flags_by_post([target.id], open_only=False).get(target.id, []),
                   history=history, previous=_previous_posts([target]).get(target.id, []),
                   record=_records([target]).get(target.id),
                   silence=_silence_shown(target),
                   next_url=safe_next(request.values.get("next")), **extra)


@bp.route("/posts/<int:post_id>", methods=["GET", "POST"])
def post(post_id: int) -> ResponseReturnValue:
    target = _moderated_post(post_id)
    if request.method == "POST":
        action = request.form.get("action")
        reason = request.form.get("reason") or ""
        try:
            moderation.moderate_post(actor(), target, action, reason)
        except DomainError as err:
            db.session.rollback()
            return _post_page(target, err.status, error=err, reason=reason, failed_form="action")
        flash(str(POST_ACTION_DONE.get(action) or _("Done.")), "success")
        return redirect(safe_next(request.form.get("next"))
                        or url_for("moderation.post", post_id=target.id))
    return _post_page(target)


@bp.post("/posts/<int:post_id>/silence")
def silence(post_id: int) -> ResponseReturnValue:
    """Silence a post's author in the post's topic for some minutes (from the queue or the post page)."""
    target = _moderated_post(post_id)
    topic = target.thread.topic
    form = {"minutes": (request.form.get("minutes") or "").strip(), "reason": request.form.get("reason") or ""}
    author = target.author
    try:
        moderation.silence_user(actor(), topic, author, form["minutes"], form["reason"], anonymous=target.anonymous)
    except DomainError as err:
        db.session.rollback()
        return _post_page(target, err.status, error=err, silence_values=form, failed_form="silence")
    minutes = int(form["minutes"])
    # Silencing the author of an anonymous post does not tell the moderator who it is.
    name = bdi(author.name) if guardian().can_see_identity(target) else str(_("The author of this post"))
    flash(Markup(ngettext("%(name)s is silenced in %(topic)s for %(num)d minute.",
                          "%(name)s is silenced in %(topic)s for %(num)d minutes.", minutes,
                          name=name, topic=bdi(topic.name))), "success")
    return redirect(safe_next(request.form.get("next")) or url_for("moderation.post", post_id=target.id))


@bp.post("/posts/<int:post_id>/reveal")
def reveal(post_id: int) -> ResponseReturnValue:
    """Reveal who wrote an anonymous post: a reason is required, and it is logged."""
    target = _moderated_post(post_id)
    reason = request.form.get("reason") or ""
    try:
        moderation.reveal_author(actor(), target, reason)
    except DomainError as err:
        db.session.rollback()
        return _post_page(target, err.status, error=err, reveal_reason=reason, failed_form="reveal")
    flash(_("You revealed who wrote this post. The reveal is recorded in the audit log with your reason, "
            "and the author can see that (not who) it happened."), "success")
    return redirect(safe_next(request.form.get("next")) or url_for("moderation.post", post_id=target.id))


# --- one thread --------------------------------------------------------------------------------
def _thread_page(target: Thread, status: int = 200, error: DomainError | None = None,
                 form: dict | None = None, chosen: list[int] | None = None) -> ResponseReturnValue:
    held = db.session.scalar(select(func.count(Post.id)).where(Post.thread_id == target.id,
                                                               Post.state == "held")) or 0
    history = list(db.session.scalars(
        select(ModerationAction).where(ModerationAction.target_type == "thread",
                                       ModerationAction.target_id == target.id)
        .order_by(ModerationAction.id.desc())))
    targets = [t for t in moderated_topics() if t.id != target.topic_id]
    replies = list(db.session.scalars(select(Post).where(Post.thread_id == target.id,
                                                         Post.is_opening.is_(False)).order_by(Post.id)))
    linked = {key: db.session.get(Thread, value) for key, value in
              (("duplicate_of", target.duplicate_of_id), ("merged_into", target.merged_into_id)) if value}
    return _render("moderation/thread.html", status, thread=target, held=held, history=history,
                   targets=targets, replies=replies, linked=linked, error=error,
                   form=form or {key: "" for key in THREAD_FORM_KEYS}, chosen=set(chosen or []))


@bp.route("/threads/<int:thread_id>", methods=["GET", "POST"])
def thread(thread_id: int) -> ResponseReturnValue:
    target = _moderated_thread(thread_id)
    if request.method == "GET":
        return _thread_page(target)
    form = {key: request.form.get(key) or "" for key in THREAD_FORM_KEYS}
    chosen_raw = request.form.getlist("post_ids")
    chosen = [i for i in (validate.as_id(v) for v in chosen_raw) if i is not None]
    try:
        if form["action"] == "move" and not form["topic"]:
            raise Invalid(_("Choose the topic to move the thread to."), field="topic")
        result = moderation.moderate_thread(actor(), target, form["action"], form["reason"],
                                            topic_slug=form["topic"] or None, target=form["target"].strip(),
                                            post_ids=chosen_raw, title=form["title"])
    except DomainError as err:
        db.session.rollback()
        return _thread_page(target, err.status, err, form, chosen)
    message = str(THREAD_ACTION_DONE.get(form["action"]) or _("Done."))
    flash(Markup(escape(message)) % {"topic": bdi(result.topic.name), "target": form["target"].strip(),
                                     "source": target.id}, "success")
    return redirect(url_for("moderation.thread", thread_id=result.id))


# --- watched words of one topic ---------------------------------------------------------------------
WORD_FORM_KEYS = ("word", "action", "replacement")


def _words_page(topic: Topic | None, status: int = 200, **extra) -> ResponseReturnValue:
    words = list(db.session.scalars(
        select(WatchedWord).where(WatchedWord.topic_id == topic.id if topic else WatchedWord.topic_id.is_(None))
        .order_by(func.lower(WatchedWord.word))))
    creators = {u.id: u for u in db.session.scalars(
        select(User).where(User.id.in_({w.created_by_id for w in words if w.created_by_id})))} if words else {}
    extra.setdefault("form", {"word": "", "action": "hold", "replacement": ""})
    extra.setdefault("error", None)
    site_wide = None
    if topic is not None:
        # A topic's moderators should know what already applies everywhere.
        site_wide = list(db.session.scalars(select(WatchedWord).where(WatchedWord.topic_id.is_(None))
                                            .order_by(func.lower(WatchedWord.word))))
    template = "moderation/words.html" if topic is not None else "admin/words.html"
    return _render(template, status, topic=topic, words=words, creators=creators, actions=WATCH_ACTIONS,
                   site_wide=site_wide, topics=moderated_topics(), **extra)


def add_word(topic: Topic | None, endpoint: str, **url_args) -> ResponseReturnValue:
    """Shared by this page and the administrators' site-wide page (topic None)."""
    form = {key: request.form.get(key) or "" for key in WORD_FORM_KEYS}
    try:
        watched = moderation.add_watched_word(actor(), form["word"], form["action"], topic,
                                              replacement=form["replacement"])
    except DomainError as err:
        db.session.rollback()
        return _words_page(topic, err.status, form=form, error=err)
    flash(_("“%(word)s” is now watched (%(action)s).", word=watched.word,
            action=WORD_ACTION_NAMES.get(watched.action, watched.action)), "success")
    return redirect(url_for(endpoint, **url_args))


def remove_word(topic: Topic | None, word_id: int, endpoint: str, **url_args) -> ResponseReturnValue:
    watched = db.session.get(WatchedWord, word_id)
    if watched is None or watched.topic_id != (topic.id if topic else None):
        abort(404)
    word = watched.word
    try:
        moderation.remove_watched_word(actor(), watched)
    except DomainError as err:
        db.session.rollback()
        return _words_page(topic, err.status, error=err)
    flash(_("“%(word)s” is no longer watched.", word=word), "success")
    return redirect(url_for(endpoint, **url_args))


@bp.get("/words")
def words_index() -> ResponseReturnValue:
    """The topics whose watched words this moderator manages."""
    topics = _topics_or_403()
    if len(topics) == 1:
        return redirect(url_for("moderation.words", slug=topics[0].slug))
    counts = dict(db.session.execute(select(WatchedWord.topic_id, func.count(WatchedWord.id))
                                     .group_by(WatchedWord.topic_id)).all())
    return _render("moderation/words_index.html", topics=topics, counts=counts)


@bp.route("/topics/<slug>/words", methods=["GET", "POST"])
def words(slug: str) -> ResponseReturnValue:
    topic = _moderated(get_topic(slug))
    if request.method == "POST":
        return add_word(topic, "moderation.words", slug=topic.slug)
    return _words_page(topic)


@bp.post("/topics/<slug>/words/<int:word_id>/remove")
def remove_topic_word(slug: str, word_id: int) -> ResponseReturnValue:
    topic = _moderated(get_topic(slug))
    return remove_word(topic, word_id, "moderation.words", slug=topic.slug)


# --- the audit log -------------------------------------------------------------------------------
@bp.route("/log")
def log() -> ResponseReturnValue:
    topics = _topics_or_403()
    is_admin = guardian().is_admin
    scope = []
    if not is_admin:
        scope.append(ModerationAction.topic_id.in_([t.id for t in topics]))
    filters = {"topic": (request.args.get("topic") or "").strip(),
               "moderator": request.args.get("moderator", type=int),
               "user": (request.args.get("user") or "").strip()[:100]}
    stmt = select(ModerationAction).where(*scope)
    if filters["topic"]:
        topic = next((t for t in topics if t.slug == filters["topic"]), None)
        if topic is None:
            raise NotFound(not_found_message("Topic"))
        stmt = stmt.where(ModerationAction.topic_id == topic.id)
    if filters["moderator"]:
        stmt = stmt.where(ModerationAction.actor_id == filters["moderator"],
                          ModerationAction.action.not_in(moderation.AUTHOR_ACTIONS))
    if filters["user"]:
        target_user = aliased(User)
        like = f"%{filters['user'].lower()}%"
        # Rows about anonymous posts never match a name: that would say who wrote them.
        stmt = stmt.join(target_user, ModerationAction.target_user_id == target_user.id).where(
            ModerationAction.target_anonymous.is_(False),
            or_(func.lower(target_user.name).like(like), func.lower(target_user.email).like(like)))
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    entries = db.paginate(stmt.order_by(ModerationAction.id.desc()), page=page,
                          per_page=LOG_PER_PAGE, error_out=False)
    # The people who acted as moderators: an author's own steps (an appeal, a resubmission)
    # do not make them one, and must not name an anonymous author here either.
    moderators = list(db.session.scalars(
        select(User).where(User.id.in_(select(ModerationAction.actor_id).where(
            *scope, ModerationAction.action.not_in(moderation.AUTHOR_ACTIONS))))
        .order_by(User.name)))
    return _render("moderation/log.html", entries=entries, topics=topics, moderators=moderators,
                   filters=filters, is_admin=is_admin, author_actions=moderation.AUTHOR_ACTIONS)
