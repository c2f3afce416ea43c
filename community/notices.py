"""What a notification says, worded from its data in the reader's language at the moment it is read.

A notification is stored as data (models.Notification: `verb` and `data`); this module is
the one place that turns it into a sentence, with gettext in the current locale (a page or
API request: the reader's; notify(): the recipient's, for the email and the live toast).
Values that people wrote (names, titles, reasons) are shown as they were written; only the
sentence around them is translated.

`data` keys: "actors" ([{"id", "name"}] or [{"anonymous": "member"|"supplier"}]: an anonymous
author is never named), "thread" / "target" / "session" ({"id", "title"}; a thread
whose title the site words also "title_kind" and "title_subject": community/titles.py), "topic"
({"slug", "name"}), "organisation" ({"name"}), "reason" (a moderator's words), "minutes";
"reaction" (its kind), "count" (how many reacted: one notification for several while unread),
"answer" (the post is an answer to a question); "note" (a bookmark's own words); "resource"
({"id", "title"}), "language" (a code of language.POST_LANGUAGES), "version" (a number).
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import Markup

from . import dates, titles
from .language import POST_LANGUAGES

# verb -> the notification's kind (its icon, its label and which email preference it follows).
KINDS = {
    "reply": "reply", "answer": "answer", "mention": "mention", "accepted": "accepted",
    "post_approved": "moderation", "post_rejected": "moderation", "post_hidden": "moderation",
    "flag_upheld": "moderation", "flag_dismissed": "moderation", "silenced": "moderation",
    "thread_merged": "moderation", "thread_duplicate": "moderation",
    "appeal_filed": "moderation", "appeal_upheld": "moderation", "appeal_overturned": "moderation",
    "live_scheduled": "live", "live_started": "live", "live_carried": "live", "registration": "registration",
    "reaction": "reaction", "reminder": "reminder", "resource_new": "resource", "resource_updated": "resource",
}


def actor(user, anonymous: bool = False) -> dict:
    """How `data["actors"]` names someone: never an anonymous author's name or id."""
    if anonymous:
        return {"anonymous": "member" if user.role in ("member", "admin") else "supplier"}
    return {"id": user.id, "name": user.name}


def thread_ref(thread) -> dict:
    # A title the site words (a live session's archive or follow-up) is worded again for the reader.
    return {"id": thread.id, "title": thread.title, **titles.title_ref(thread)}


def topic_ref(topic) -> dict:
    return {"slug": topic.slug, "name": topic.name}


def _name(data: dict) -> str:
    actors = data.get("actors") or [{}]
    who = actors[0]
    if who.get("anonymous"):
        return _("Anonymous member") if who["anonymous"] == "member" else _("Anonymous supplier")
    return who.get("name") or _("Someone")


def _title(data: dict, key: str = "thread") -> str:
    return titles.ref_title(data.get(key) or {})


def _when(data: dict) -> str:
    """When a session is scheduled, in the reader's zone and language, naming the zone (so a
    text worded for someone else's zone is still right)."""
    session = data.get("session") or {}
    zone = dates.viewer_zone()
    start, end = datetime.fromisoformat(session["starts_at"]), datetime.fromisoformat(session["ends_at"])
    return f"{dates.span_text(start, end, zone)} ({zone.key})"


def _topic(data: dict) -> str:
    return (data.get("topic") or {}).get("name", "")


def _reason(data: dict) -> str:
    return data.get("reason") or ""


def _silenced(d: dict) -> str:
    minutes = int(d.get("minutes") or 0)
    if _reason(d):
        return ngettext("You were silenced in %(topic)s for %(num)d minute: %(reason)s",
                        "You were silenced in %(topic)s for %(num)d minutes: %(reason)s", minutes,
                        topic=_topic(d), reason=_reason(d))
    return ngettext("You were silenced in %(topic)s for %(num)d minute",
                    "You were silenced in %(topic)s for %(num)d minutes", minutes, topic=_topic(d))


def _merged(d: dict) -> str:
    if _reason(d):
        return _("A moderator merged “%(title)s” into “%(target)s”: %(reason)s", title=_title(d),
                 target=_title(d, "target"), reason=_reason(d))
    return _("A moderator merged “%(title)s” into “%(target)s”.", title=_title(d), target=_title(d, "target"))


def _duplicate(d: dict) -> str:
    if _reason(d):
        return _("A moderator closed “%(title)s” as a duplicate of “%(target)s”: %(reason)s", title=_title(d),
                 target=_title(d, "target"), reason=_reason(d))
    return _("A moderator closed “%(title)s” as a duplicate of “%(target)s”.", title=_title(d),
             target=_title(d, "target"))


def _reaction(d: dict) -> str:
    """One reactor named (or "Someone", for one who reacts unnamed: data without actors), or how many."""
    kind, answer, count = d.get("reaction"), bool(d.get("answer")), int(d.get("count") or 1)
    if count == 1:
        name = _name(d)
        if kind == "helpful":
            return (_("%(name)s found your answer helpful", name=name) if answer
                    else _("%(name)s found your post helpful", name=name))
        if kind == "thanks":
            return (_("%(name)s thanked you for your answer", name=name) if answer
                    else _("%(name)s thanked you for your post", name=name))
        return (_("%(name)s agreed with your answer", name=name) if answer
                else _("%(name)s agreed with your post", name=name))
    if kind == "helpful":
        return (_("%(num)s people found your answer helpful", num=count) if answer
                else _("%(num)s people found your post helpful", num=count))
    if kind == "thanks":
        return (_("%(num)s people thanked you for your answer", num=count) if answer
                else _("%(num)s people thanked you for your post", num=count))
    return (_("%(num)s people agreed with your answer", num=count) if answer
            else _("%(num)s people agreed with your post", num=count))


def _reminder(d: dict) -> str:
    if d.get("note"):
        return _("Reminder: %(title)s. Your note: %(note)s", title=_title(d), note=d["note"])
    return _("Reminder: %(title)s", title=_title(d))


def _language(d: dict) -> str:
    code = d.get("language") or ""
    return POST_LANGUAGES.get(code, code)


def _resource(d: dict, new: bool) -> str:
    if new:
        return _("New resource in %(topic)s: “%(title)s” (%(language)s)", topic=_topic(d),
                 title=_title(d, "resource"), language=_language(d))
    return _("Updated resource in %(topic)s: “%(title)s” (%(language)s, version %(number)s)", topic=_topic(d),
             title=_title(d, "resource"), language=_language(d), number=d.get("version"))


# The sentences keep the msgids notifications were stored with before they became data, so
# the catalogues already translate them.
SENTENCES: dict[str, Callable[[dict], str]] = {
    "reply": lambda d: _("%(name)s replied to your post in “%(title)s”", name=_name(d), title=_title(d)),
    "answer": lambda d: _("%(name)s answered your question “%(title)s”", name=_name(d), title=_title(d)),
    "mention": lambda d: _("%(name)s mentioned you in “%(title)s”", name=_name(d), title=_title(d)),
    "accepted": lambda d: _("Your answer to “%(title)s” was accepted", title=_title(d)),
    "post_approved": lambda d: _("Your post in “%(title)s” was approved", title=_title(d)),
    "post_rejected": lambda d: _("Your post in “%(title)s” was not approved: %(reason)s", title=_title(d),
                                 reason=_reason(d)),
    "post_hidden": lambda d: _("Your post in “%(title)s” was hidden by a moderator: %(reason)s",
                               title=_title(d), reason=_reason(d)),
    "flag_upheld": lambda d: _("A moderator reviewed the post you flagged in “%(title)s”: it has been hidden. "
                               "Thank you.", title=_title(d)),
    "flag_dismissed": lambda d: _("A moderator reviewed the post you flagged in “%(title)s”: it stays visible. "
                                  "Thank you.", title=_title(d)),
    "silenced": _silenced,
    "thread_merged": _merged,
    "thread_duplicate": _duplicate,
    "appeal_filed": lambda d: _("%(name)s appealed a moderator's decision on a post in “%(title)s”",
                                name=_name(d), title=_title(d)),
    "appeal_upheld": lambda d: _("Your appeal about your post in “%(title)s” was decided: the post stays "
                                 "hidden. %(reason)s", title=_title(d), reason=_reason(d)),
    "appeal_overturned": lambda d: _("Your appeal about your post in “%(title)s” was accepted: the post is "
                                     "visible again. %(reason)s", title=_title(d), reason=_reason(d)),
    "live_scheduled": lambda d: (
        _("Live session scheduled in %(topic)s: “%(title)s”, %(when)s", topic=_topic(d), title=_title(d, "session"),
          when=_when(d)) if (d.get("session") or {}).get("starts_at")
        else _("Live session scheduled in %(topic)s: “%(title)s”", topic=_topic(d), title=_title(d, "session"))),
    "live_started": lambda d: _("Live now in %(topic)s: “%(title)s”", topic=_topic(d), title=_title(d, "session")),
    "live_carried": lambda d: _("Your question in “%(title)s” was not answered during the session: it continues "
                                "in the follow-up discussion, where the hosts can answer it.",
                                title=_title(d, "session")),
    "registration": lambda d: _("%(name)s (%(organisation)s) registered and is waiting for your approval.",
                                name=_name(d), organisation=(d.get("organisation") or {}).get("name", "")),
    "reaction": _reaction,
    "reminder": _reminder,
    "resource_new": lambda d: _resource(d, new=True),
    "resource_updated": lambda d: _resource(d, new=False),
}
assert set(SENTENCES) == set(KINDS)


def words(verb: str | None, data: dict | None, html: bool = False) -> str | None:
    """The sentence for `verb` with `data`, in the current locale; None for an unknown verb.
    `html`: Markup, each value people wrote (names, titles, reasons) isolated in <bdi>, so a
    right-to-left title cannot reorder the sentence around it, nor the reverse."""
    sentence = SENTENCES.get(verb or "")
    if sentence is None:
        return None
    try:
        if html:
            return Markup(sentence(_isolated(data or {})))
        return sentence(data or {})
    except (TypeError, ValueError, AttributeError, KeyError):  # data of an unexpected shape: the stored text
        return None


# Values that are codes, not words (a date is read back with fromisoformat: never wrapped).
_CODES = frozenset({"slug", "anonymous", "starts_at", "ends_at", "reaction", "language", "title_kind"})


def _isolated(value, key: str = ""):
    if isinstance(value, dict):
        return {k: _isolated(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_isolated(v) for v in value]
    if isinstance(value, str) and value and key not in _CODES:
        return Markup("<bdi>{}</bdi>").format(value)
    return value


def text_of(note, html: bool = False) -> str:
    """What a notification says to whoever reads it now, in their language (`html`: as Markup,
    with the values people wrote isolated)."""
    said = words(note.verb, note.data, html=html)
    if said is not None:
        return said
    return Markup("<bdi>{}</bdi>").format(note.text) if html else note.text
