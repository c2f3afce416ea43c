"""Appeals: the author of a hidden or rejected post asks the topic's moderators to look again.

The author files an appeal with a note (one per decision); the topic's moderators are told,
except the moderator whose decision it is while another one is available (the Guardian's
rule `decide_appeal`), and one of them upholds or overturns it with a reason, which is sent
to the author. Every step is in the audit log ("appeal_post", "uphold_appeal",
"overturn_appeal"). The other way back, editing the post, resubmits it to the review queue
and withdraws an open appeal (actions.posts.edit_post).
"""
from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from .. import events, notices
from ..errors import Conflict, NotFound
from ..events import action
from ..extensions import db
from ..models import Appeal, ModerationAction, Post, Thread, Topic, TopicModerator, User, utcnow
from ..models.appeal import APPEAL_DECISIONS
from ..payloads import appeal_payload
from ..permissions import Guardian, other_moderators
from . import validate
from .audit import audit
from .moderation import reinstate
from .notifications import notify
from .post_review import open_appeal, queue_post_state

NOTE_MAX_CHARS = 2000
DECISION_ACTIONS = ("hide_post", "reject_post")


def latest_decision(post: Post) -> ModerationAction | None:
    """The audit row of the moderator's decision that hid or rejected `post` (the newest)."""
    return db.session.scalar(
        select(ModerationAction).where(ModerationAction.target_type == "post", ModerationAction.target_id == post.id,
                                       ModerationAction.action.in_(DECISION_ACTIONS))
        .order_by(ModerationAction.id.desc()).limit(1))


def why_not_file(post: Post) -> str | None:
    """Beyond the Guardian's rule: has this decision already been appealed?"""
    if open_appeal(post) is not None:
        return _("You have already appealed this decision. A moderator will decide and you will be told.")
    decision = latest_decision(post)
    earlier = select(Appeal.id).where(Appeal.post_id == post.id)
    if decision is not None:
        earlier = earlier.where(Appeal.decision_id == decision.id)
    if db.session.scalar(earlier.limit(1)) is not None:
        return _("This decision was already appealed and decided. You can still edit the post and send it back "
                 "to the moderators.")
    return None


def can_file(actor: User, post: Post) -> bool:
    """May `actor` appeal `post` now (for pages: whether to offer it)?"""
    return Guardian(actor).can_appeal(post) and why_not_file(post) is None


@action
def file_appeal(actor: User, post: Post, note) -> Appeal:
    Guardian(actor).ensure_appeal(post)
    note = validate.text(note, "note", label=_l("Your note"), max_chars=NOTE_MAX_CHARS, min_chars=1)
    if reason := why_not_file(post):
        raise Conflict(reason)
    decision = latest_decision(post)
    topic = post.thread.topic
    appeal = Appeal(post=post, author_id=actor.id, note=note, state="open",
                    decision_id=decision.id if decision else None,
                    decided_by_id=decision.actor_id if decision else None)
    db.session.add(appeal)
    db.session.flush()
    # The author's own step: the log shows it as the author's (never by name when anonymous).
    audit(actor, "appeal_post", "post", post.id, topic=topic, target_user=post.author, reason=note,
          after={"appeal": appeal.id})
    about = {"actors": [notices.actor(post.author, post.anonymous)], "thread": notices.thread_ref(post.thread)}
    for reviewer in reviewers(appeal, topic):
        notify(reviewer, verb="appeal_filed", data=about, url=f"/moderation/appeals#appeal-{appeal.id}",
               thread=post.thread, post=post)
    _announce(appeal, "added")
    queue_post_state(post)
    return appeal


def reviewers(appeal: Appeal, topic: Topic) -> list[User]:
    """Who is told of a new appeal: the topic's moderators, but neither the appellant nor (when
    anyone else can) the moderator who decided; the administrators when no moderator is left."""
    exclude = {appeal.author_id}
    if other_moderators(topic, {appeal.author_id, appeal.decided_by_id}):
        exclude.add(appeal.decided_by_id)
    available = set(other_moderators(topic, exclude))
    own = [link.user_id for link in topic.moderator_links if link.user_id in available]
    ids = own or sorted(available)
    return list(db.session.scalars(select(User).where(User.id.in_(ids or [0])).order_by(User.id)))


@action
def decide_appeal(actor: User, appeal: Appeal, decision, reason) -> Appeal:
    """Uphold (the post stays hidden) or overturn (it becomes visible) an open appeal."""
    Guardian(actor).ensure_decide_appeal(appeal)
    decision = validate.choice(decision, "decision", APPEAL_DECISIONS, _l("The decision"))
    reason = validate.text(reason, "reason", label=_l("The reason"), max_chars=500, min_chars=1)
    post = appeal.post
    if appeal.state != "open":
        raise Conflict(_("This appeal was already settled (%(state)s).", state=appeal_state_word(appeal.state)))
    if post.state != "hidden":
        raise Conflict(_("This post is no longer hidden: the appeal has nothing left to decide."))
    state = "upheld" if decision == "uphold" else "overturned"
    # Two moderators deciding at the same moment: the first one's decision stands.
    won = db.session.execute(update(Appeal).where(Appeal.id == appeal.id, Appeal.state == "open")
                             .values(state=state, reviewer_id=actor.id, reason=reason, decided_at=utcnow())
                             .execution_options(synchronize_session="fetch")).rowcount
    if not won:
        raise Conflict(_("Another moderator decided this appeal at the same moment. Nothing was applied twice."))
    topic = post.thread.topic
    if decision == "overturn":
        reinstate(post)
    audit(actor, f"{decision}_appeal", "post", post.id, topic=topic, target_user=post.author, reason=reason,
          before={"state": "hidden", "appeal": "open"}, after={"state": post.state, "appeal": state})
    notify(post.author, verb="appeal_upheld" if decision == "uphold" else "appeal_overturned",
           data={"thread": notices.thread_ref(post.thread), "reason": reason},
           url=f"/threads/{post.thread_id}#post-{post.id}", thread=post.thread, post=post)
    _announce(appeal, state)
    queue_post_state(post)
    return appeal


def _announce(appeal: Appeal, change: str) -> None:
    slug = appeal.post.thread.topic.slug
    events.queue_event(f"mods:{slug}", "moderation.appeal", {
        "room": f"mods:{slug}", "change": change, "appeal_id": appeal.id, "post_id": appeal.post_id,
        "appeal": appeal_payload(appeal, None)})


def appeal_state_word(state: str) -> str:
    words = {"open": _("waiting for a moderator"), "upheld": _("upheld: the post stays hidden"),
             "overturned": _("overturned: the post is visible again"),
             "withdrawn": _("withdrawn: the post was edited and sent back to the moderators"),
             "closed": _("closed: a moderator acted on the post in the meantime")}
    return words.get(state, state)


# --- reads ------------------------------------------------------------------------------------
def get_appeal(appeal_id) -> Appeal:
    appeal_id = validate.as_id(appeal_id)
    appeal = db.session.get(Appeal, appeal_id) if appeal_id is not None else None
    if appeal is None:
        raise NotFound(_("That appeal does not exist."))
    return appeal


def appeals_to_decide(actor: User, *, state: str | None = "open", limit: int = 100,
                      before: int | None = None) -> list[Appeal]:
    """Appeals in the topics `actor` moderates (every topic for administrators), newest first."""
    guardian = Guardian(actor)
    if not guardian.moderates_any:
        return []
    stmt = select(Appeal).join(Post, Appeal.post_id == Post.id).join(Thread, Post.thread_id == Thread.id)
    if not guardian.is_admin:
        stmt = stmt.where(Thread.topic_id.in_(select(TopicModerator.topic_id)
                                              .where(TopicModerator.user_id == actor.id)))
    if state is not None:
        stmt = stmt.where(Appeal.state == state)
    if before is not None:
        stmt = stmt.where(Appeal.id < before)
    return list(db.session.scalars(stmt.order_by(Appeal.id.desc()).limit(limit)))


def appeals_of(user: User, *, limit: int = 100, before: int | None = None) -> list[Appeal]:
    stmt = select(Appeal).where(Appeal.author_id == user.id)
    if before is not None:
        stmt = stmt.where(Appeal.id < before)
    return list(db.session.scalars(stmt.order_by(Appeal.id.desc()).limit(limit)))


def latest_appeal(post: Post) -> Appeal | None:
    return db.session.scalar(select(Appeal).where(Appeal.post_id == post.id).order_by(Appeal.id.desc()).limit(1))
