"""Administration pages: approving and suspending users, invitations, organisations, topics
(creating them, their settings and moderators) and the site-wide watched words.

Every view is for administrators only (Guardian.ensure_admin, checked before
each request of this blueprint). Views read what they show and hand every
change to actions.accounts / actions.topics / actions.moderation; a refused
change re-renders its page with the error and what was typed.
"""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import func, or_, select

from ..actions import accounts, moderation
from ..actions import topics as topic_actions
from ..actions.threads import get_topic
from ..auth import protect
from ..errors import Conflict, DomainError, Invalid, NotFound
from ..extensions import db
from ..models import Flag, Invitation, Organisation, Post, Topic, User, utcnow
from ..models.organisation import ORG_KINDS
from ..models.topic import MODERATION_POLICIES, STARTERS, TOPIC_KINDS, VISIBILITIES
from ..models.user import ROLES, STATES
from . import moderation as moderation_pages
from .accounts import safe_next
from .helpers import actor, bdi

bp = Blueprint("admin", __name__, url_prefix="/admin")
protect(bp, "admin")

USERS_PER_PAGE = 50


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound(_("That user does not exist."))
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
        return render_template("admin/index.html", error=err.message, **_overview()), err.status
    flash(Markup(_("%(name)s is approved and can now sign in.", name=bdi(user.name))), "success")
    return redirect(_back("admin.index"))


@bp.route("/users/<int:user_id>/reject", methods=["POST"])
def reject_user(user_id: int) -> ResponseReturnValue:
    user = _user_or_404(user_id)
    reason = (request.form.get("reason") or "").strip()
    try:
        accounts.reject_user(actor(), user, reason)
    except DomainError as err:
        return render_template("admin/index.html", error=err.message, failed_user_id=user_id, reason=reason,
                               **_overview()), err.status
    flash(_("The registration of %(name)s is rejected; they were told why by email.", name=user.name), "success")
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
            raise Conflict(_("%(name)s is already suspended.", name=user.name))
        if not suspended and user.state != "suspended":
            # Unsuspending must never become a back door around approval.
            raise Conflict(_("%(name)s is active, not suspended.", name=user.name) if user.state == "active"
                           else _("%(name)s is pending approval, not suspended.", name=user.name))
        if suspended and not reason:
            raise Invalid(_("Give a reason for the suspension; it is kept in the audit log."), field="reason")
        accounts.set_suspended(actor(), user, suspended, reason)
    except DomainError as err:
        return _users_page(error=err.message, failed_user_id=user_id, reason=reason), err.status
    flash(Markup(_("%(name)s is suspended and signed out everywhere.", name=bdi(user.name)) if suspended
                 else _("%(name)s can sign in again.", name=bdi(user.name))), "success")
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
            raise Invalid(_("No account has that email. Invite the person first.") if email
                          else _("Enter the email of the person to make a moderator."), field="email")
        if user.id in topic.moderator_ids:
            raise Conflict(_("%(name)s already moderates %(topic)s.", name=user.name, topic=topic.name))
        moderation.assign_moderator(actor(), topic, user)
    except DomainError as err:
        return _topics_page(err.status, error=err.message, failed_slug=slug, email=email)
    flash(Markup(_("%(name)s now moderates %(topic)s.", name=bdi(user.name), topic=bdi(topic.name))), "success")
    return redirect(url_for("admin.topics", _anchor=f"topic-{topic.slug}"))


@bp.route("/topics/<slug>/moderators/<int:user_id>/remove", methods=["POST"])
def remove_moderator(slug: str, user_id: int) -> ResponseReturnValue:
    topic = get_topic(slug)
    user = _user_or_404(user_id)
    try:
        moderation.remove_moderator(actor(), topic, user)
    except DomainError as err:
        return _topics_page(err.status, error=err.message, failed_slug=slug)
    flash(Markup(_("%(name)s no longer moderates %(topic)s.", name=bdi(user.name), topic=bdi(topic.name))), "success")
    return redirect(url_for("admin.topics", _anchor=f"topic-{topic.slug}"))


@bp.route("/topics/new", methods=["GET", "POST"])
def new_topic() -> ResponseReturnValue:
    if request.method == "GET":
        return _topic_form(None, dict(BLANK_TOPIC))
    form = _topic_form_values()
    try:
        topic = topic_actions.create_topic(actor(), slug=form["slug"], **_settings_from(form))
    except DomainError as err:
        return _topic_form(None, form, err)
    flash(Markup(_("%(topic)s is created. Add its moderators below.", topic=bdi(topic.name))), "success")
    return redirect(url_for("admin.topics", _anchor=f"topic-{topic.slug}"))


@bp.route("/topics/<slug>/edit", methods=["GET", "POST"])
def edit_topic(slug: str) -> ResponseReturnValue:
    topic = get_topic(slug)
    if request.method == "GET":
        return _topic_form(topic, _topic_values(topic))
    form = _topic_form_values()
    try:
        topic_actions.update_topic(actor(), topic, **_settings_from(form))
    except DomainError as err:
        return _topic_form(get_topic(slug), form, err)
    flash(Markup(_("The settings of %(topic)s are saved.", topic=bdi(topic.name))), "success")
    return redirect(url_for("admin.topics", _anchor=f"topic-{topic.slug}"))


# --- the topic form ------------------------------------------------------------------------------
TOPIC_TEXT_FIELDS = ("slug", "name", "kind", "description", "rules", "visibility", "who_can_start",
                     "moderation", "hold_first_n", "slow_mode_seconds")
BLANK_TOPIC = {"slug": "", "name": "", "kind": "theme", "description": "", "rules": "", "visibility": "everyone",
               "who_can_start": "everyone", "moderation": "post", "hold_first_n": "0", "slow_mode_seconds": "0",
               "allow_anonymous": False, "allow_live": True, "organisations": []}


def _topic_values(topic: Topic) -> dict:
    return {"slug": topic.slug, "name": topic.name, "kind": topic.kind, "description": topic.description,
            "rules": topic.rules, "visibility": topic.visibility, "who_can_start": topic.who_can_start,
            "moderation": topic.moderation, "hold_first_n": str(topic.hold_first_n),
            "slow_mode_seconds": str(topic.slow_mode_seconds), "allow_anonymous": topic.allow_anonymous,
            "allow_live": topic.allow_live, "organisations": [o.name for o in topic.organisations]}


def _topic_form_values() -> dict:
    form = {key: (request.form.get(key) or "").strip() for key in TOPIC_TEXT_FIELDS}
    form["allow_anonymous"] = request.form.get("allow_anonymous") in ("on", "true", "1")
    form["allow_live"] = request.form.get("allow_live") in ("on", "true", "1")
    form["organisations"] = request.form.getlist("organisations")
    return form


def _settings_from(form: dict) -> dict:
    """The form as actions.topics settings: everything but the slug (which never changes)."""
    settings = {key: form[key] for key in TOPIC_TEXT_FIELDS if key != "slug"}
    # "Hold the first N posts" with no N would hold nothing: a blank number counts as 0.
    for key in ("hold_first_n", "slow_mode_seconds"):
        settings[key] = settings[key] or "0"
    settings["allow_anonymous"] = form["allow_anonymous"]
    settings["allow_live"] = form["allow_live"]
    settings["organisations"] = form["organisations"]
    return settings


def _topic_form(topic: Topic | None, form: dict, error: DomainError | None = None) -> ResponseReturnValue:
    organisations = list(db.session.scalars(
        select(Organisation).where(or_(Organisation.removed.is_(False), Organisation.name.in_(form["organisations"])))
        .order_by(Organisation.kind, Organisation.name)))
    return render_template("admin/topic_form.html", topic=topic, creating=topic is None, form=form, error=error,
                           organisations=organisations, kinds=TOPIC_KINDS, visibilities=VISIBILITIES,
                           starters=STARTERS, policies=MODERATION_POLICIES), error.status if error else 200


# --- organisations ---------------------------------------------------------------------------------
def _organisations_page(status: int = 200, **extra) -> ResponseReturnValue:
    counts = dict(db.session.execute(select(User.organisation_id, func.count(User.id))
                                     .group_by(User.organisation_id)).all())
    organisations = list(db.session.scalars(select(Organisation).order_by(Organisation.removed,
                                                                          Organisation.name)))
    listed_in = {}
    for topic in db.session.scalars(select(Topic).where(Topic.visibility == "organisations")):
        for org in topic.organisations:
            listed_in.setdefault(org.id, []).append(topic)
    return render_template("admin/organisations.html", organisations=organisations, counts=counts,
                           listed_in=listed_in, **extra), status


@bp.route("/organisations")
def organisations() -> ResponseReturnValue:
    return _organisations_page()


@bp.post("/organisations/<int:org_id>/remove")
def remove_organisation(org_id: int) -> ResponseReturnValue:
    organisation = db.session.get(Organisation, org_id)
    if organisation is None:
        raise NotFound(_("That organisation does not exist."))
    reason = (request.form.get("reason") or "").strip()
    try:
        if not reason:
            raise Invalid(_("Give a reason for removing the organisation; it is kept in the audit log."),
                          field="reason")
        topic_actions.remove_organisation(actor(), organisation, reason)
    except DomainError as err:
        return _organisations_page(err.status, error=err.message, failed_org_id=org_id, reason=reason)
    flash(Markup(_("%(organisation)s is removed: its people are signed out and can no longer sign in. "
                   "Nothing they wrote is deleted.", organisation=bdi(organisation.name))), "success")
    return redirect(url_for("admin.organisations"))


# --- site-wide watched words ----------------------------------------------------------------------
@bp.route("/words", methods=["GET", "POST"])
def words() -> ResponseReturnValue:
    if request.method == "POST":
        return moderation_pages.add_word(None, "admin.words")
    return moderation_pages.words_page(None)


@bp.post("/words/<int:word_id>/remove")
def remove_word(word_id: int) -> ResponseReturnValue:
    return moderation_pages.remove_word(None, word_id, "admin.words")


# --- reveals of anonymous authors ---------------------------------------------------------------
REVEALS_PER_PAGE = 50


@bp.get("/reveals")
def reveals() -> ResponseReturnValue:
    """Every reveal of an anonymous author: who revealed whom, when, why, which post or question."""
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    rows = moderation.reveals(limit=REVEALS_PER_PAGE * page + 1)
    more = len(rows) > REVEALS_PER_PAGE * page
    shown = rows[REVEALS_PER_PAGE * (page - 1):REVEALS_PER_PAGE * page]
    return render_template("admin/reveals.html", rows=shown, page=page, more=more, active="admin.reveals")
