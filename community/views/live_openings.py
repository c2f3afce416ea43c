"""The opening posts of a live session's archive and follow-up, worded for each reader.

actions/live/archive.py stores both as Markdown in the words of the host who ended the session,
times in UTC: that text is what search finds and what the API's `body` holds. A page shows
neither: it words them for its reader, in their language and time zone (community/dates.py),
from the session's data as it is now (a question a host approves after the end is listed as
not reached), naming an anonymous asker only to whom the Guardian lets see that identity.
Once someone edits such a post, their words are shown as written.
"""
from __future__ import annotations

from flask import render_template
from markupsafe import Markup
from sqlalchemy import func, select

from .. import titles
from ..actions.live.archive import contents
from ..authors import author_display
from ..dates import live_when, local_clock
from ..extensions import db
from ..models import Post, Thread
from ..models.live import LiveQuestion, LiveSession
from ..permissions import Guardian

_SESSION_OF = {titles.ARCHIVE: LiveSession.archive_thread_id, titles.FOLLOW_UP: LiveSession.follow_up_thread_id}


def worded_opening(post: Post, viewer: Guardian | None) -> Markup | None:
    """The body of `post` for this reader when the site words it (the unedited opening post of a
    session's archive or follow-up), else None (the stored HTML is shown)."""
    thread = post.thread
    if not post.is_opening or post.edited_at is not None or thread.title_kind not in _SESSION_OF:
        return None
    session = db.session.scalar(select(LiveSession).where(_SESSION_OF[thread.title_kind] == thread.id))
    if session is None:
        return None
    if thread.title_kind == titles.ARCHIVE:
        return Markup(render_template("live/_archive_post.html", **archive_view(session, viewer)))
    archive = db.session.get(Thread, session.archive_thread_id) if session.archive_thread_id else None
    return Markup(render_template("live/_follow_up_post.html", session=session, archive=archive))


def archive_view(session: LiveSession, viewer: Guardian | None) -> dict:
    """What live/_archive_post.html shows: the questions with their askers as this reader may
    know them, the chat with its times in the reader's zone."""
    questions, not_reached, chat = contents(session)
    held = db.session.scalar(select(func.count(LiveQuestion.id)).where(
        LiveQuestion.session_id == session.id, LiveQuestion.state == "pending",
        LiveQuestion.held_by_words.is_(True))) or 0
    return {
        "session": session, "when": live_when(session), "held": held,
        "follow_up_id": session.follow_up_thread_id,
        "questions": [_question(q, viewer) for q in questions],
        "not_reached": [_question(q, viewer) for q in not_reached],
        "chat": [{"name": m.author.name, "time": local_clock(m.created_at), "html": m.html} for m in chat],
    }


def _question(question: LiveQuestion, viewer: Guardian | None) -> dict:
    return {"who": author_display(question, viewer), "votes": question.votes, "html": question.html,
            "answer_html": question.answer_html if question.answer else "",
            "answered_by": question.answered_by.name if question.answered_by else None,
            "follow_up_post_id": question.follow_up_post_id}
