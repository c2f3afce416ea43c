"""Why a post is held, hidden or deleted, in plain words in the reader's language.

A post stores its state's cause as a code (Post.state_cause) and a person's own words
(Post.state_reason: the moderator's reason); this module is the one place that words them,
for the post partial, the API's `state_note` and the edit and appeal pages. The author
always learns why, whoever is reading: the sentences never name the moderator.
"""
from __future__ import annotations

from flask_babel import gettext as _
from markupsafe import Markup


def _with_reason(text_with: str, text_without: str, reason: str) -> str:
    return text_with if reason else text_without


def _isolated(text: str) -> Markup:
    return Markup("<bdi>{}</bdi>").format(text)


def state_note(post, html: bool = False) -> str:
    """One sentence: why `post` is in its state ("" for a visible post). `html`: as Markup, the
    moderator's words isolated in <bdi> (their direction cannot reorder the sentence)."""
    if html:
        return Markup(_state_note(post, _isolated))
    return _state_note(post, str)


def _state_note(post, wrap) -> str:
    state, cause = post.state, post.state_cause
    plain = (post.state_reason or "").strip().rstrip(".")
    reason = wrap(plain) if plain else ""
    if state == "held":
        return {
            "policy": _("Awaiting review: in this topic a moderator approves posts before others see them."),
            "watched_word": _("Awaiting review: it contains a word the moderators of this topic check first."),
            "resubmitted": _("Sent back to the moderators after an edit: awaiting their review."),
            "restored": _("Awaiting review again."),
        }.get(cause or "", _("Awaiting review by a moderator."))
    if state == "hidden":
        if cause == "rejected":
            return _with_reason(_("A moderator did not approve this post: %(reason)s.", reason=reason),
                                _("A moderator did not approve this post."), reason)
        if cause == "flags":
            return _("Hidden after several people flagged it. A moderator will look at it soon.")
        return _with_reason(_("A moderator hid this post: %(reason)s.", reason=reason),
                            _("A moderator hid this post."), reason)
    if state == "deleted":
        if cause == "author":
            return _with_reason(_("Deleted by its author: %(reason)s.", reason=reason),
                                _("Deleted by its author."), reason)
        return _with_reason(_("Deleted by a moderator: %(reason)s.", reason=reason),
                            _("Deleted by a moderator."), reason)
    return ""


def author_options(post, can_edit: bool = True, can_appeal: bool = True, appeal_state: str | None = None) -> str:
    """What the author of a hidden post can do about it now ("" when nothing): `can_edit` and
    `can_appeal` as the Guardian and the appeals say; `appeal_state`, the latest appeal's."""
    if post.state != "hidden" or not (can_edit or can_appeal):
        return ""
    if post.state_cause == "flags":
        return _("You can edit it: it then goes back to the moderators.") if can_edit else ""
    if can_appeal and can_edit:
        return _("You can edit it and send it back to the moderators, or appeal the decision if you think "
                 "the post is fine as it is.")
    if can_appeal:
        return _("You can appeal the decision if you think the post is fine as it is.")
    if appeal_state == "open":
        return _("You can still edit it and send it back to the moderators: your appeal is then withdrawn.")
    if appeal_state == "upheld":
        return _("The decision cannot be appealed again, but you can still edit the post and send it back to "
                 "the moderators.")
    return _("You can edit it and send it back to the moderators.")


def appeal_note(appeal, html: bool = False) -> str:
    """Where an appeal stands, said to its author (`html`: Markup, the reason in <bdi>)."""
    if appeal is None:
        return ""
    plain = (appeal.reason or "").strip().rstrip(".")
    reason = _isolated(plain) if html else plain
    text = {
        "open": _("You appealed this decision. A moderator who did not make it will decide, and you will be told."),
        "upheld": _("Your appeal was decided: the post stays hidden. The moderator's reason: %(reason)s.",
                    reason=reason),
        "overturned": _("Your appeal was accepted: the post is visible again. The moderator's reason: %(reason)s.",
                        reason=reason),
        "withdrawn": _("Your appeal was withdrawn when you edited the post and sent it back."),
        "closed": _("Your appeal was closed: a moderator acted on the post in the meantime."),
    }.get(appeal.state, "")
    return Markup(text) if html else text
