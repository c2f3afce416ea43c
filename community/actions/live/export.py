"""A live session's questions, votes and answers as CSV, for its hosts.

One row per question the hosts see (every state, so they can sort and filter), ranked by
votes: when and by whom it was asked (an anonymous asker only by the label: an export is
no reveal), its state, votes, text, the answer given live, and the answers given later in
the follow-up discussion (replies to the question's post there by the hosts and the
topic's moderators).

Spreadsheets run a cell that starts with =, +, -, @ (or a tab or carriage return) as a
formula: such a cell is written with a leading apostrophe (OWASP's advice), so a question
reading "=HYPERLINK(...)" stays text. Headers and states are in the reader's language;
times are ISO 8601 UTC.
"""
from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime

from flask import Response
from flask_babel import gettext as _
from sqlalchemy import select

from ...authors import translated_label
from ...extensions import db
from ...mail import site_url
from ...models import Post, User
from ...models.live import LiveQuestion, LiveSession
from ...permissions import Guardian

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str | int:
    """A value a spreadsheet shows as written: text that would start a formula is quoted."""
    if value is None:
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _state_words() -> dict[str, str]:
    return {"pending": _("waiting for approval"), "visible": _("not answered"), "answering": _("not answered"),
            "answered": _("answered"), "hidden": _("hidden"), "not_reached": _("not reached")}


def _utc(value: datetime | None) -> str:
    if value is None:
        return ""
    value = value if value.tzinfo else value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def questions_csv(actor: User, session: LiveSession) -> str:
    guardian = Guardian(actor)
    guardian.ensure_host_live(session)
    questions = db.session.scalars(select(LiveQuestion).where(LiveQuestion.session_id == session.id)
                                   .order_by(LiveQuestion.votes.desc(), LiveQuestion.id)).all()
    late = _late_answers(session, [q.follow_up_post_id for q in questions if q.follow_up_post_id])
    states = _state_words()
    out = io.StringIO()
    out.write("\ufeff")  # a byte-order mark: spreadsheet programs then read UTF-8 as UTF-8
    writer = csv.writer(out)
    writer.writerow([_("Rank"), _("Question id"), _("Asked at (UTC)"), _("Asked by"), _("Organisation"),
                     _("State"), _("Votes"), _("Question"), _("Answer"), _("Answered by"),
                     _("Answered at (UTC)"), _("Answers in the follow-up"), _("Follow-up link")])
    for rank, q in enumerate(questions, 1):
        asker, organisation = ((str(translated_label(q.author)), "") if q.anonymous
                               else (q.author.name, q.author.organisation.name))
        # Absolute (SITE_URL, as in emails): a spreadsheet has no site to resolve a path against.
        link = (site_url(f"/threads/{session.follow_up_thread_id}#post-{q.follow_up_post_id}")
                if q.follow_up_post_id else "")
        writer.writerow([safe_cell(v) for v in (
            rank, q.id, _utc(q.created_at), asker, organisation, states.get(q.state, q.state), q.votes, q.body,
            q.answer, q.answered_by.name if q.answered_by else "", _utc(q.answered_at),
            late.get(q.follow_up_post_id, ""), link)])
    return out.getvalue()


def _late_answers(session: LiveSession, post_ids: list[int]) -> dict[int, str]:
    """{follow-up post id: the hosts' and moderators' visible replies to it, oldest first}."""
    if not post_ids:
        return {}
    answerers = set(session.host_ids) | set(session.topic.moderator_ids)
    replies = db.session.scalars(select(Post).where(Post.reply_to_id.in_(post_ids), Post.state == "visible",
                                                    Post.author_id.in_(answerers), Post.anonymous.is_(False))
                                 .order_by(Post.id)).all()
    found: dict[int, list[str]] = {}
    for reply in replies:
        found.setdefault(reply.reply_to_id, []).append(f"{reply.author.name}: {reply.body}")
    return {post_id: "\n\n".join(texts) for post_id, texts in found.items()}


def filename(session: LiveSession) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", session.title.lower()).strip("-")[:40] or "session"
    return f"roundtable-live-{session.id}-{slug}-questions.csv"


def csv_response(text: str, session: LiveSession) -> Response:
    response = Response(text.encode("utf-8"), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename(session)}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
