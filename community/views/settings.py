"""Email settings pages: notification preferences, watch/mute buttons, one-click unsubscribe,
and the administrators' view of the outbox (/admin/mail).

Thin views: they parse the form and call actions.watching / community.mail.
The unsubscribe page needs no sign-in: the signed link is the proof; its POST
is exempt from CSRF because mail clients send it (RFC 8058 one-click) without
any page, and the token in the URL is what an attacker could not forge.
"""
from __future__ import annotations

from contextlib import nullcontext

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import func, or_, select

from ..actions import watching
from ..actions.outbox import retry_email
from ..actions.threads import get_thread, get_topic
from ..auth import signed_in
from ..errors import DomainError
from ..extensions import csrf, db
from ..i18n import COOKIE, recipient_language, text_direction
from ..mail import UnsubscribeLinkError, read_unsubscribe_token
from ..models import OutboxEmail, User
from ..models.mail import DIGEST_CHOICES, EMAIL_CATEGORIES, OUTBOX_STATES
from .accounts import safe_next
from .helpers import actor, bdi, form_bool

bp = Blueprint("settings", __name__)

# What an unsubscribe link stops: "This stops %(what)s sent to ...", "We no longer send %(what)s to ...".
SCOPES = {
    "mentions": _l("emails when someone @mentions you"),
    "replies": _l("emails when someone answers your question or replies to your post"),
    "moderation": _l("emails when a moderator decides about your post or thread, or about your appeal"),
    "reminders": _l("the reminders you set on your bookmarks"),
    "digest": _l("the digest of activity in the topics and threads you watch"),
    "all": _l("all email from Roundtable"),
}


@bp.app_template_global("watch_state")
def watch_state(target) -> dict:
    """The signed-in user's watch level of a Topic or Thread, for partials/watch_button.html."""
    if not current_user.is_authenticated:
        return {"level": None, "topic_level": None}
    user = current_user._get_current_object()
    if hasattr(target, "topic"):  # a thread
        level, topic_level = watching.levels(user, target)
        return {"level": level, "topic_level": topic_level}
    return {"level": watching.topic_level(user, target), "topic_level": None}


# --- preferences ------------------------------------------------------------------------------
@bp.route("/settings/notifications", methods=["GET", "POST"])
@signed_in()
def notifications() -> ResponseReturnValue:
    pref = watching.preferences(actor())
    form = {"mentions": pref.email_mentions, "replies": pref.email_replies,
            "moderation": pref.email_moderation is not False, "digest": pref.digest,
            "reminders": pref.email_reminders is not False}
    error, status = None, 200
    if request.method == "POST":
        if request.form.get("action") == "none":
            form = {"mentions": False, "replies": False, "moderation": False, "digest": "never", "reminders": False}
        else:
            form = {"mentions": form_bool("mentions"), "replies": form_bool("replies"),
                    "moderation": form_bool("moderation"), "digest": request.form.get("digest", ""),
                    "reminders": form_bool("reminders")}
        try:
            watching.update_preferences(actor(), **form)
        except DomainError as err:
            error, status = err, err.status
        else:
            flash(_("You will no longer get email from Roundtable.") if request.form.get("action") == "none"
                  else _("Your email preferences are saved."), "success")
            return redirect(url_for("settings.notifications"))
    return render_template("settings/notifications.html", form=form, error=error, digests=DIGEST_CHOICES,
                           watched=watching.watched(actor())), status


# --- watch / mute -------------------------------------------------------------------------------
# Whole sentences per level, for a topic (named) and for "this thread": word order and
# grammar differ between languages.
_SAID_TOPIC = {"watching": _l("You are watching %(topic)s."), "muted": _l("You muted %(topic)s: no email about it."),
               None: _l("You no longer watch or mute %(topic)s.")}
_SAID_THREAD = {"watching": _l("You are watching this thread."),
                "muted": _l("You muted this thread: no email about it."),
                None: _l("You no longer watch or mute this thread.")}


@bp.post("/t/<slug>/watch")
@signed_in()
def watch_topic(slug: str) -> ResponseReturnValue:
    topic = get_topic(slug)
    level = watching.set_topic_level(actor(), topic, request.form.get("level"))
    flash(Markup(_SAID_TOPIC[level] % {"topic": bdi(topic.name)}), "success")
    return redirect(safe_next(request.form.get("next")) or url_for("main.topic", slug=topic.slug))


@bp.post("/threads/<int:thread_id>/watch")
@signed_in()
def watch_thread(thread_id: int) -> ResponseReturnValue:
    thread = get_thread(thread_id)
    level = watching.set_thread_level(actor(), thread, request.form.get("level"))
    flash(str(_SAID_THREAD[level]), "success")
    return redirect(safe_next(request.form.get("next")) or url_for("main.thread", thread_id=thread.id))


# --- unsubscribe (no sign-in) -------------------------------------------------------------------
def _masked(email: str) -> str:
    name, _, domain = email.partition("@")
    return (name[:1] + "•" * max(len(name) - 2, 1) + name[-1:] if len(name) > 1 else name) + "@" + domain


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe(token: str) -> ResponseReturnValue:
    try:
        user_id, scope = read_unsubscribe_token(token)
    except UnsubscribeLinkError as err:
        return render_template("settings/unsubscribe_invalid.html", expired=err.expired), 400
    user = db.session.get(User, user_id)
    if user is None or scope not in EMAIL_CATEGORIES:
        return render_template("settings/unsubscribe_invalid.html", expired=False), 400
    with _in_the_emails_language(user):
        if request.method == "GET":  # link scanners fetch links: a GET never changes anything
            return render_template("settings/unsubscribe.html", token=token, scope=scope, scopes=SCOPES,
                                   email=_masked(user.email))
        # A mail client's one-click POST carries "List-Unsubscribe=One-Click"; our page's buttons say which.
        chosen = "all" if request.form.get("scope") == "all" else scope
        watching.unsubscribe(user, chosen)
        return render_template("settings/unsubscribed.html", scope=chosen, scopes=SCOPES,
                               email=_masked(user.email))


def _in_the_emails_language(user: User):
    """A visitor who comes from an email, signed out and with no language chosen, reads the
    page in the language the email was written in (the user's saved one), not the browser's."""
    if current_user.is_authenticated or request.cookies.get(COOKIE) or request.args.get("lang"):
        return nullcontext()
    lang = recipient_language(user)
    g.lang, g.dir = lang, text_direction(lang)
    return force_locale(lang)


# --- administrators: the outbox -----------------------------------------------------------------
@bp.get("/admin/mail")
@signed_in("admin")
def admin_mail() -> ResponseReturnValue:
    counts = dict(db.session.execute(
        select(OutboxEmail.status, func.count(OutboxEmail.id)).group_by(OutboxEmail.status)).all())
    problems = db.session.scalars(
        select(OutboxEmail).where(or_(OutboxEmail.status == "failed",
                                      (OutboxEmail.status == "queued") & (OutboxEmail.last_error != "")))
        .order_by(OutboxEmail.status, OutboxEmail.id.desc()).limit(200)).all()
    recent = db.session.scalars(select(OutboxEmail).where(OutboxEmail.status == "sent")
                                .order_by(OutboxEmail.sent_at.desc(), OutboxEmail.id.desc()).limit(20)).all()
    config = current_app.config
    return render_template("settings/admin_mail.html", counts=counts, states=OUTBOX_STATES,
                           problems=problems, recent=recent,
                           backend=config["MAIL_BACKEND"], server=config["MAIL_SERVER"],
                           port=config["MAIL_PORT"], max_attempts=config["MAIL_MAX_ATTEMPTS"])


@bp.post("/admin/mail/<int:email_id>/retry")
@signed_in()
def admin_mail_retry(email_id: int) -> ResponseReturnValue:
    row = retry_email(actor(), email_id)
    flash(_("Email %(id)s to %(address)s is queued again.", id=row.id, address=row.to_address), "success")
    return redirect(url_for("settings.admin_mail"))
