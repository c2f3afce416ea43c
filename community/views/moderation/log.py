"""The audit log: what moderators and administrators did, in the topics one moderates (all of
them for administrators), filtered by topic, moderator or the person acted on."""
from __future__ import annotations

from flask import request
from flask.typing import ResponseReturnValue
from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased

from ...actions.audit import AUTHOR_ACTIONS
from ...errors import NotFound
from ...extensions import db
from ...models import ModerationAction, User
from ...permissions import not_found_message
from ..helpers import guardian
from .common import bp, render, topics_or_403

LOG_PER_PAGE = 50


@bp.route("/log")
def log() -> ResponseReturnValue:
    topics = topics_or_403()
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
                          ModerationAction.action.not_in(AUTHOR_ACTIONS))
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
            *scope, ModerationAction.action.not_in(AUTHOR_ACTIONS))))
        .order_by(User.name)))
    return render("moderation/log.html", entries=entries, topics=topics, moderators=moderators,
                  filters=filters, is_admin=is_admin, author_actions=AUTHOR_ACTIONS)
