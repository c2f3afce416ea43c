"""Administration pages: approving and suspending users, invitations, topic moderators.

Every view is for administrators only (Guardian.ensure_admin, checked before
each request of this blueprint). Views read what they show and hand every
change to actions.accounts / actions.moderation; a refused change re-renders
its page with the error and what was typed.
"""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user
from sqlalchemy import func, or_, select

from ..actions import accounts, moderation
from ..actions.threads import get_topic
from ..errors import Conflict, DomainError, Invalid, NotFound
from ..extensions import db
from ..models import Flag, Invitation, Organisation, Post, Topic, User, utcnow
from ..models.organisation import ORG_KINDS
from ..models.user import ROLES, STATES
from .accounts import safe_next
from .helpers import actor, guardian

bp = Blueprint("admin", __name__, url_prefix="/admin")

USERS_PER_PAGE = 50


@bp.before_request
def _administrators_only() -> ResponseReturnValue | None:
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    guardian().ensure_admin()  # Forbidden -> the 403 page
    return None


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("That user does not exist.")
    return user


# --- overview ------------------------------------------------------------------------------
def _overview() -> dict:
    states = dict(db.session.execute(select(User.state, func.count(User.id)).group_by(User.state)).all())
    open_flags = db.session.scalar(
        select(func.count(func.distinct(Flag.post_id))).where(Flag.status == "open")) or 0
    now = utcnow()
    return {
        "pending": list(db.session.scalars(
            select(User).where(User.state == "pending").order_by(User.created_at, User.id))),
        "counts": {
            "active": states.get("active", 0),
            "pending": states.get("pending", 0),
            "suspended": states.get("suspended", 0),
            "organisations": db.session.scalar(
                select(func.count(Organisation.id)).where(Organisation.removed.is_(False))) or 0,
            "topics": db.session.scalar(select(func.count(Topic.id))) or 0,
            "held": db.session.scalar(select(func.count(Post.id)).where(Post.state == "held")) or 0,
            "flagged": open_flags,
            "invitations": db.session.scalar(
                select(func.count(Invitation.id)).where(Invitation.used_at.is_(None),
                                                        Invitation.expires_at > now)) or 0,
        },
    }


@bp.route("")
def index() -> ResponseReturnValue:
    return render_template("admin/index.html", **_overview())


@bp.route("/users/<int:user_id>/approve", methods=["POST"])
def approve_user(user_id: int) -> ResponseReturnValue:
    user = _user_or_404(user_id)
    try:
        accounts.approve_user(actor(), user)
    except DomainError as err:
        db.session.rollback()
        return render_template("admin/index.html", error=err.message, **_overview()), err.status
    flash(f"{user.name} is approved and can now sign in.", "success")
    return redirect(_back("admin.index"))


def _back(default: str) -> str:
    return safe_next(request.form.get("next")) or url_for(default)


# --- users -----------------------------------------------------------------------------------
def _users_page(**extra) -> ResponseReturnValue:
    q = (request.values.get("q") or "").strip()[:100]
    state = request.values.get("state") or ""
    stmt = select(User).join(User.organisation)
    if q:
        like = f"%{q.lower()}%"
        stmt = stmt.where(or_(func.lower(User.name).like(like), func.lower(User.email).like(like),
                              func.lower(Organisation.name).like(like)))
    if state in STATES:
        stmt = stmt.where(User.state == state)
    else:
        state = ""
    page = request.values.get("page", 1, type=int) or 1
    users = db.paginate(stmt.order_by(User.name, User.id), page=max(page, 1),
                        per_page=USERS_PER_PAGE, error_out=False)
    return render_template("admin/users.html", users=users, q=q, state=state, states=STATES, **extra)


@bp.route("/users")
def users() -> ResponseReturnValue:
    return _users_page()


def _set_suspended(user_id: int, suspended: bool) -> ResponseReturnValue:
    user = _user_or_404(user_id)
    reason = (request.form.get("reason") or "").strip()
    try:
        if suspended and user.state == "suspended":
            raise Conflict(f"{user.name} is already suspended.")
        if not suspended and user.state != "suspended":
            # Unsuspending must never become a back door around approval.
            raise Conflict(f"{user.name} is {user.state}, not suspended.")
        if suspended and not reason:
            raise Invalid("Give a reason for the suspension; it is kept in the audit log.", field="reason")
        accounts.set_suspended(actor(), user, suspended, reason)
    except DomainError as err:
        db.session.rollback()
        return _users_page(error=err.message, failed_user_id=user_id, reason=reason), err.status
    flash(f"{user.name} is suspended and signed out everywhere." if suspended
          else f"{user.name} can sign in again.", "success")
    return redirect(url_for("admin.users", q=request.form.get("q") or None,
                            state=request.form.get("state") or None,
                            page=request.form.get("page") or None))


@bp.route("/users/<int:user_id>/suspend", methods=["POST"])
def suspend_user(user_id: int) -> ResponseReturnValue:
    return _set_suspended(user_id, True)


@bp.route("/users/<int:user_id>/unsuspend", methods=["POST"])
def unsuspend_user(user_id: int) -> ResponseReturnValue:
    return _set_suspended(user_id, False)


# --- invitations -------------------------------------------------------------------------------
INVITATION_FIELDS = ("email", "name", "role", "organisation", "org_kind")


def _invitations_page(status: int = 200, **extra) -> ResponseReturnValue:
    recent = list(db.session.scalars(select(Invitation).order_by(Invitation.id.desc()).limit(50)))
    creators = {u.id: u for u in db.session.scalars(
        select(User).where(User.id.in_({i.created_by_id for i in recent})))} if recent else {}
    organisations = list(db.session.scalars(
        select(Organisation.name).where(Organisation.removed.is_(False)).order_by(Organisation.name)))
    extra.setdefault("form", {key: "" for key in INVITATION_FIELDS})
    return render_template("admin/invitations.html", recent=recent, creators=creators, now=utcnow(),
                           organisations=organisations, roles=ROLES, org_kinds=ORG_KINDS, **extra), status


@bp.route("/invitations", methods=["GET", "POST"])
def invitations() -> ResponseReturnValue:
    if request.method == "GET":
        return _invitations_page()
    form = {key: (request.form.get(key) or "").strip() for key in INVITATION_FIELDS}
    try:
        invitation, secret = accounts.create_invitation(
            actor(), email=form["email"], name=form["name"], role=form["role"],
            organisation=form["organisation"], org_kind=form["org_kind"] or None)
    except DomainError as err:
        db.session.rollback()
        return _invitations_page(err.status, form=form, error=err.message, error_field=err.field)
    # The secret is stored only as a hash: this response is the one chance to see the link.
    link = url_for("accounts.invitation", token=secret, _external=True)
    return _invitations_page(201, created=invitation, link=link)


# --- topics and moderators -----------------------------------------------------------------------
def _topics_page(status: int = 200, **extra) -> ResponseReturnValue:
    topics = list(db.session.scalars(select(Topic).order_by(Topic.position, Topic.name)))
    return render_template("admin/topics.html", topics=topics, **extra), status


@bp.route("/topics")
def topics() -> ResponseReturnValue:
    return _topics_page()


@bp.route("/topics/<slug>/moderators", methods=["POST"])
def assign_moderator(slug: str) -> ResponseReturnValue:
    topic = get_topic(slug)
    email = (request.form.get("email") or "").strip()
    try:
        user = db.session.scalar(select(User).where(User.email == email.lower())) if email else None
        if user is None:
            raise Invalid("No account has that email. Invite the person first." if email
                          else "Enter the email of the person to make a moderator.", field="email")
        if user.id in topic.moderator_ids:
            raise Conflict(f"{user.name} already moderates {topic.name}.")
        moderation.assign_moderator(actor(), topic, user)
    except DomainError as err:
        db.session.rollback()
        return _topics_page(err.status, error=err.message, failed_slug=slug, email=email)
    flash(f"{user.name} now moderates {topic.name}.", "success")
    return redirect(url_for("admin.topics", _anchor=f"topic-{topic.slug}"))


@bp.route("/topics/<slug>/moderators/<int:user_id>/remove", methods=["POST"])
def remove_moderator(slug: str, user_id: int) -> ResponseReturnValue:
    topic = get_topic(slug)
    user = _user_or_404(user_id)
    try:
        moderation.remove_moderator(actor(), topic, user)
    except DomainError as err:
        db.session.rollback()
        return _topics_page(err.status, error=err.message, failed_slug=slug)
    flash(f"{user.name} no longer moderates {topic.name}.", "success")
    return redirect(url_for("admin.topics", _anchor=f"topic-{topic.slug}"))
