"""The outbox: an email is queued as a row (outbox_email) in the same transaction as what it
tells about, written in its recipient's language; community/mail/sender.py sends it later.
"""
from __future__ import annotations

from datetime import datetime
from email.utils import make_msgid

from flask import current_app
from flask_babel import lazy_gettext as _l

from .. import ratelimit
from ..authors import public_name
from ..extensions import db
from ..i18n import recipient_language, recipient_locale, text_direction
from ..markup import to_text
from ..models import Notification, OutboxEmail, Post, User, utcnow
from ..permissions import Guardian
from .links import mail_domain, site_url, unsubscribe_url
from .preferences import is_muted, preferences

# Which notifications are emailed immediately, and under which preference.
CATEGORY_OF_KIND = {"mention": "mentions", "reply": "replies", "answer": "replies", "reminder": "reminders"}
# Moderators' decisions about one's own posts and threads (and those one watches), by verb.
CATEGORY_OF_VERB = {verb: "moderation" for verb in (
    "post_rejected", "post_hidden", "appeal_upheld", "appeal_overturned", "thread_merged", "thread_duplicate")}
# The footer of each email: why the recipient gets it (worded in their language when rendered).
WHY = {
    "mentions": _l("You get this email because someone mentioned you."),
    "replies": _l("You get this email because someone answered your question or replied to your post."),
    "moderation": _l("You get this email because a moderator decided about your post or thread, or about a "
                     "thread you watch."),
    "reminders": _l("You get this email because you asked to be reminded of something you saved."),
    "digest": _l("You get this email because you watch these topics and threads."),
    "account": _l("You get this email because of something that happened to your Roundtable account."),
}
# About the account itself (registration, approval, password reset, new registrations for
# administrators): always sent, to people who cannot sign in yet too, and never unsubscribable.
ACCOUNT = "account"
EXCERPT_CHARS = 600


def render_email(template: str, context: dict) -> tuple[str, str]:
    """templates/mail/<template>.txt and .html. Rendered straight from the Jinja environment:
    no context processors, so nothing of the current request (user, CSRF token) leaks in."""
    env = current_app.jinja_env
    text = env.get_template(f"mail/{template}.txt").render(context)
    html = env.get_template(f"mail/{template}.html").render(context)
    return text.strip() + "\n", html


def excerpt(post: Post | None, limit: int = EXCERPT_CHARS) -> str:
    if post is None:
        return ""
    text = to_text(post.html)
    return text if len(text) <= limit else text[:limit].rstrip() + "…"


def queue_email(user: User, category: str, *, subject, template: str, context: dict,
                notification: Notification | None = None, post: Post | None = None,
                now: datetime | None = None) -> OutboxEmail:
    """Add an email for `user` to the outbox, due at `now`, in the caller's unit of work (the caller commits).

    Written in the recipient's language (their saved locale, else English): the subject (a
    lazy_gettext string or text already worded), both bodies, and the html lang and dir.
    """
    unsubscribe = "" if category == ACCOUNT else unsubscribe_url(user.id, category)
    lang = recipient_language(user)
    with recipient_locale(user):
        context = {**context, "user": user, "category": category, "why": str(WHY.get(category, "")),
                   "lang": lang, "dir": text_direction(lang),
                   "unsubscribe_url": unsubscribe, "preferences_url": site_url("/settings/notifications"),
                   "site": site_url()}
        subject = str(subject)
        text, html = render_email(template, context)
    row = OutboxEmail(user_id=user.id, category=category, to_address=user.email, to_name=user.name[:80],
                      subject=subject[:300], body_text=text, body_html=html, unsubscribe_url=unsubscribe,
                      message_id=make_msgid(domain=mail_domain()),
                      notification_id=notification.id if notification is not None else None,
                      post_id=post.id if post is not None else None,
                      status="queued", attempts=0, next_attempt_at=now or utcnow())
    db.session.add(row)
    return row


def queue_account_email(user: User, *, subject, paragraphs: list, link: str = "", link_text=None) -> OutboxEmail:
    """An email about `user`'s account: a subject, a few paragraphs and at most one link.

    Pass lazy_gettext strings: they are worded in the recipient's language when rendered.
    """
    return queue_email(user, ACCOUNT, subject=subject, template="account",
                       context={"subject": subject, "paragraphs": paragraphs, "link": link,
                                "link_text": link_text})


def queue_notification_email(user: User, note: Notification, *, thread=None, post=None) -> OutboxEmail | None:
    """The immediate email for a notification, if the recipient's preferences ask for it.

    Called by actions.notifications.notify() right after it adds the notification, so
    both are committed (or rolled back) together.
    """
    category = CATEGORY_OF_VERB.get(note.verb or "") or CATEGORY_OF_KIND.get(note.kind)
    if category is None or not user.email or not Guardian(user).can_use_site():
        return None
    # A reminder was asked for: it comes even from a muted thread.
    if not preferences(user).wants(category) or (category != "reminders" and is_muted(user, thread)):
        return None
    if note.kind == "mention" and not ratelimit.allow("mention_email", user.id):
        return None  # past the hourly cap of mention emails: the notification alone (in the site)
    context = {
        "note": note, "thread": thread, "topic": thread.topic if thread is not None else None,
        # public_name: the anonymous label for an anonymous post, never the author's name
        "author": public_name(post) if post is not None else "",
        "excerpt": excerpt(post), "url": site_url(note.url or "/notifications"),
    }
    # The subject is the notification's text, stored in the recipient's language by notify();
    # queue_email renders the bodies in it too, whoever's request (or no request) queues the email.
    return queue_email(user, category, subject=note.text, template="notification", context=context,
                       notification=note, post=post)

