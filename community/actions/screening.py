"""What a post, question or chat message goes through before it is written, and the tools
moderators use to set it: silences, slow mode, watched words, the topic's review policy."""
from __future__ import annotations

import re
from datetime import UTC, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import func, select

from .. import notices
from ..dates import utc_when
from ..errors import Forbidden, Invalid, RateLimited
from ..events import action
from ..extensions import db
from ..models import Post, Thread, Topic, User, utcnow
from ..models.moderation import WATCH_ACTIONS, TopicSilence, WatchedWord
from ..permissions import Guardian
from . import validate
from .audit import audit
from .notifications import notify


# --- before a post is written ---------------------------------------------------------------
def check_slow_mode(actor: User, topic, guardian: Guardian) -> None:
    if not topic.slow_mode_seconds or guardian.is_moderator(topic):
        return
    last = db.session.scalar(
        select(func.max(Post.created_at)).join(Thread, Post.thread_id == Thread.id)
        .where(Post.author_id == actor.id, Thread.topic_id == topic.id)
    )
    if last is None:
        return
    if last.tzinfo is None:
        last = last.replace(tzinfo=UTC)
    wait = (last + timedelta(seconds=topic.slow_mode_seconds)) - utcnow()
    if wait.total_seconds() > 0:
        seconds = int(wait.total_seconds()) + 1
        raise RateLimited(ngettext("Slow mode is on in %(topic)s: you can post again in %(num)d second. "
                                   "Your text is kept.",
                                   "Slow mode is on in %(topic)s: you can post again in %(num)d seconds. "
                                   "Your text is kept.", seconds, topic=topic.name), retry_after=seconds)


def screen_post(actor: User, topic, guardian: Guardian) -> None:
    """Refuse a post from someone silenced in the topic or posting faster than slow mode allows."""
    check_not_silenced(actor, topic)
    check_slow_mode(actor, topic, guardian)


def initial_state(actor: User, topic, guardian: Guardian) -> str:
    """visible or held, from the topic's moderation policy."""
    if guardian.is_moderator(topic):
        return "visible"
    if topic.moderation == "all":
        return "held"
    if topic.moderation == "first_n" and topic.hold_first_n > 0:
        approved = db.session.scalar(
            select(func.count(Post.id)).where(Post.author_id == actor.id, Post.state == "visible")
        ) or 0
        if approved < topic.hold_first_n:
            return "held"
    return "visible"


# --- watched words and silences --------------------------------------------------------
def check_watched_words(topic: Topic, body: str) -> tuple[str, bool]:
    """Apply the site-wide and topic watched words to `body`.

    Returns the (possibly replaced) text and whether it must be held for review;
    a blocked word raises Invalid naming it, so the writer can rephrase.
    """
    words = db.session.scalars(select(WatchedWord).where(
        (WatchedWord.topic_id.is_(None)) | (WatchedWord.topic_id == topic.id))).all()
    held = False
    for watched in sorted(words, key=lambda w: ("block", "replace", "hold").index(w.action)):
        pattern = re.compile(r"(?<!\w)" + re.escape(watched.word) + r"(?!\w)", re.IGNORECASE)
        if not pattern.search(body):
            continue
        if watched.action == "block":
            raise Invalid(_("Your text contains “%(word)s”, which is not allowed in %(topic)s. "
                            "Your text is kept: rephrase it and send it again.", word=watched.word,
                            topic=topic.name), field="body")
        if watched.action == "replace":
            body = pattern.sub(watched.replacement or "■■■", body)
        else:
            held = True
    return body, held


@action
def add_watched_word(actor: User, word, action, topic: Topic | None = None, replacement=""):
    guardian = Guardian(actor)
    if topic is None:
        guardian.ensure_admin()
    else:
        guardian.ensure_moderate(topic)
    word = validate.text(word, "word", label=_l("The word"), max_chars=100, min_chars=2)
    action = validate.choice(action, "action", WATCH_ACTIONS, _l("The action"))
    replacement = validate.text(replacement, "replacement", label=_l("The replacement"), max_chars=100, min_chars=0)
    watched = WatchedWord(topic_id=topic.id if topic else None, word=word, action=action,
                          replacement=replacement, created_by_id=actor.id)
    db.session.add(watched)
    db.session.flush()
    audit(actor, "add_watched_word", "watched_word", watched.id, topic=topic,
          after={"word": word, "action": action, "replacement": replacement})
    return watched


@action
def remove_watched_word(actor: User, watched) -> None:
    guardian = Guardian(actor)
    topic = db.session.get(Topic, watched.topic_id) if watched.topic_id else None
    if topic is None:
        guardian.ensure_admin()
    else:
        guardian.ensure_moderate(topic)
    audit(actor, "remove_watched_word", "watched_word", watched.id, topic=topic,
          before={"word": watched.word, "action": watched.action})
    db.session.delete(watched)


def active_silence(topic: Topic, user: User):
    return db.session.scalar(select(TopicSilence).where(
        TopicSilence.topic_id == topic.id, TopicSilence.user_id == user.id, TopicSilence.until > utcnow())
        .order_by(TopicSilence.until.desc()).limit(1))


def check_not_silenced(actor: User, topic: Topic) -> None:
    silence = active_silence(topic, actor)
    if silence is not None and not Guardian(actor).is_moderator(topic):
        until = utc_when(silence.until)
        raise Forbidden(_("A moderator silenced you in %(topic)s until %(until)s UTC: %(reason)s Your text is kept.",
                          topic=topic.name, until=until, reason=silence.reason) if silence.reason else
                        _("A moderator silenced you in %(topic)s until %(until)s UTC. Your text is kept.",
                          topic=topic.name, until=until))


@action
def silence_user(actor: User, topic: Topic, user: User, minutes, reason="", *, anonymous: bool = False) -> None:
    """`anonymous`: silenced from an anonymous post, so the log keeps who it is to itself."""
    Guardian(actor).ensure_moderate(topic)
    if not Guardian(user).can_be_silenced(topic):
        raise Invalid(_("Moderators cannot be silenced in their own topic."))
    try:
        minutes = int(minutes)
    except (TypeError, ValueError):
        raise Invalid(_("The duration must be a number of minutes."), field="minutes") from None
    if not 1 <= minutes <= 60 * 24 * 365:
        raise Invalid(_("The duration must be between 1 minute and a year."), field="minutes")
    reason = validate.reason(reason)
    until = utcnow() + timedelta(minutes=minutes)
    db.session.add(TopicSilence(topic_id=topic.id, user_id=user.id, until=until, reason=reason, by_id=actor.id))
    audit(actor, "silence_user", "user", user.id, topic=topic, target_user=user, reason=reason, anonymous=anonymous,
          after={"until": until.isoformat(), "minutes": minutes})
    notify(user, verb="silenced", data={"topic": notices.topic_ref(topic), "minutes": minutes, "reason": reason},
           url=f"/t/{topic.slug}")
