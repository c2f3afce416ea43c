"""The one place that names the author of a post, a thread or a live question.

An anonymous author is named to the viewers the Guardian lets see the identity (the author
themself, and a moderator after a logged reveal: Guardian.can_see_identity); everyone else
gets a label, "Anonymous member" or "Anonymous supplier", and nothing more.

  anonymous_label(user)   the English label: the API's stable value, and stored English texts
  translated_label(user)  the label in the language of wherever it is shown (lazy)
  public_name(obj)        how everyone is told who wrote `obj`: the name, or the label (lazy)
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

_MEMBER_ROLES = ("member", "admin")
_LABELS = {True: _l("Anonymous member"), False: _l("Anonymous supplier")}


def anonymous_label(user) -> str:
    """The English label (the API's stable value); pages show translated_label(user)."""
    return "Anonymous member" if user.role in _MEMBER_ROLES else "Anonymous supplier"


def translated_label(user):
    """The anonymous label of `user`, worded when shown: in the reader's language on a page,
    in the recipient's in a notification or an email."""
    return _LABELS[user.role in _MEMBER_ROLES]


def public_name(obj, *, english: bool = False):
    """How `obj`'s author (a Post, Thread or LiveQuestion) is named to everyone: their name,
    or when anonymous the translated label (lazy: str() it where a plain string is needed;
    `english`: the English label, for texts stored in English such as a live session's archive)."""
    if not obj.anonymous:
        return obj.author.name
    return anonymous_label(obj.author) if english else translated_label(obj.author)
