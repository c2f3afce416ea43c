"""The end of a live session drops nothing: the archive, questions not reached, the follow-up.

Called by actions.live.end inside its unit of work (nothing here commits):

- questions still waiting for approval become "not reached": listed in the archive as
  such. Those held by the topic's watched words are the exception: they are never
  published without a host's decision, so they stay waiting (hosts may still approve or
  decline them after the end: `carry_late`);
- the archive thread (read-only): questions ranked by votes with their answers, those not
  reached, then the chat transcript;
- a follow-up discussion opens under it, in the same topic: every question not answered
  live is carried there as a post of its asker (an anonymous question stays anonymous), so
  hosts can answer late (a reply notifies the asker as any reply does) and everyone can
  continue. Askers are told where their question went.

The texts stored here are in the language of the host who ended the session (the author of
both threads), times in UTC, said so: they are what search finds and what the API's `body`
holds. Pages do not show them: they word both opening posts for each reader, in their language
and time zone, from the same data (views/live_openings.py), and both titles (titles.py).
"""
from __future__ import annotations

from datetime import UTC, datetime

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from ... import events, notices, titles
from ...authors import public_name
from ...extensions import db
from ...i18n import recipient_locale
from ...language import detect as detect_language
from ...models import Post, Thread, User, utcnow
from ...models.live import LiveChatMessage, LiveQuestion, LiveSession
from ...payloads import thread_payload
from ...rendering import render_trusted
from ..announce import announce_visible_post, refresh_thread_counts
from ..notifications import notify
from ..watching import auto_watch_thread

ANSWERED_LIVE = ("visible", "answering", "answered")  # shown during the session, ranked by votes
CARRIED = ("visible", "answering", "not_reached")      # not answered live: carried into the follow-up


def close(actor: User, session: LiveSession) -> list[LiveQuestion]:
    """Mark what was not reached, write the archive, open the follow-up (in the caller's
    transaction); returns the questions now not reached (the caller tells the room)."""
    waiting = db.session.scalars(select(LiveQuestion).where(LiveQuestion.session_id == session.id,
                                                            LiveQuestion.state == "pending")).all()
    not_reached = [question for question in waiting if not question.held_by_words]
    for question in not_reached:
        question.state = "not_reached"
    with recipient_locale(actor):
        # Stored in the host's words (search, the API, emails); pages word them for each reader.
        archive = Thread(topic=session.topic, kind="archive", locked=True, state="visible", author=actor,
                         title=_("Live session archive: %(title)s", title=session.title)[:200],
                         title_kind=titles.ARCHIVE, title_subject=session.title)
        follow_up = Thread(topic=session.topic, kind="discussion", state="visible", author=actor,
                           title=_("Follow-up: %(title)s", title=session.title)[:200],
                           title_kind=titles.FOLLOW_UP, title_subject=session.title)
        db.session.add_all([archive, follow_up])
        db.session.flush()
        session.archive_thread_id, session.follow_up_thread_id = archive.id, follow_up.id
        _follow_up_opening(actor, session, archive, follow_up)
        carried = db.session.scalars(
            select(LiveQuestion).where(LiveQuestion.session_id == session.id, LiveQuestion.state.in_(CARRIED),
                                       LiveQuestion.answer == "")
            .order_by(LiveQuestion.votes.desc(), LiveQuestion.id)).all()
        _carry(carried, follow_up)
        held = sum(1 for q in waiting if q.held_by_words)
        body = archive_markdown(session, follow_up, held)
        # No language: pages word it for each reader (views/live_openings.py); this text is
        # what search finds.
        db.session.add(Post(thread=archive, author=actor, body=body, html=render_trusted(body),
                            is_opening=True, state="visible", language=None))
    db.session.flush()
    for thread in (archive, follow_up):
        refresh_thread_counts(thread)
        thread.last_activity_at = utcnow()
        room = f"topic:{session.topic.slug}"
        events.queue_event(room, "thread.created", {"room": room, "thread": thread_payload(thread)})
    for host in session.hosts:
        auto_watch_thread(host, follow_up)  # hosts hear of late questions and replies
    _tell_askers(session, follow_up, carried)
    return not_reached


def carry_late(actor: User, session: LiveSession, question: LiveQuestion) -> None:
    """A question a host approved after the end (it was held by watched words): "not reached",
    carried into the follow-up, its asker told."""
    question.state = "not_reached"
    follow_up = db.session.get(Thread, session.follow_up_thread_id) if session.follow_up_thread_id else None
    if follow_up is None:
        return
    _carry([question], follow_up)
    refresh_thread_counts(follow_up)
    follow_up.last_activity_at = utcnow()
    announce_visible_post(db.session.get(Post, question.follow_up_post_id))
    _tell_askers(session, follow_up, [question])


def _follow_up_opening(actor: User, session: LiveSession, archive: Thread, follow_up: Thread) -> Post:
    body = "\n\n".join([
        _("This discussion continues the live session **%(title)s**. Its archive, with the questions "
          "ranked by votes, the answers and the chat, is here: [%(archive)s](/threads/%(id)s).",
          title=md_escape(session.title), archive=md_escape(archive.title), id=archive.id),
        _("The questions that were not answered during the session follow, each as its own post: "
          "hosts can answer them here, and everyone can carry on the conversation."),
    ])
    post = Post(thread=follow_up, author=actor, body=body, html=render_trusted(body), is_opening=True,
                state="visible", language=None)
    db.session.add(post)
    db.session.flush()
    return post


def _carry(questions: list[LiveQuestion], follow_up: Thread) -> None:
    """Each question as a post of its asker in the follow-up (already rendered and sanitised),
    written in one flush: a big session's hundreds of questions cost one round, not hundreds."""
    posts = [Post(thread=follow_up, author=q.author, body=q.body, html=q.html, anonymous=q.anonymous,
                  state="visible", language=detect_language(q.body)) for q in questions]
    db.session.add_all(posts)
    db.session.flush()
    for question, post in zip(questions, posts, strict=True):
        question.follow_up_post_id = post.id


def _tell_askers(session: LiveSession, follow_up: Thread, carried: list[LiveQuestion]) -> None:
    """One notification per asker, to the first of their questions in the follow-up."""
    first: dict[int, LiveQuestion] = {}
    for question in carried:
        first.setdefault(question.author_id, question)
    for question in first.values():
        asker = question.author
        if asker.state != "active":
            continue
        post = db.session.get(Post, question.follow_up_post_id)
        notify(asker, verb="live_carried",
               data={"session": {"id": session.id, "title": session.title}, "thread": notices.thread_ref(follow_up),
                     "post": {"id": post.id}},
               url=f"/threads/{follow_up.id}#post-{post.id}", thread=follow_up, post=post)


def contents(session: LiveSession) -> tuple[list[LiveQuestion], list[LiveQuestion], list[LiveChatMessage]]:
    """What an archive lists: the questions shown live ranked by votes, those not reached, the chat."""
    questions = db.session.scalars(
        select(LiveQuestion).where(LiveQuestion.session_id == session.id, LiveQuestion.state.in_(ANSWERED_LIVE))
        .order_by(LiveQuestion.votes.desc(), LiveQuestion.id)).all()
    not_reached = db.session.scalars(
        select(LiveQuestion).where(LiveQuestion.session_id == session.id, LiveQuestion.state == "not_reached")
        .order_by(LiveQuestion.id)).all()
    chat = db.session.scalars(
        select(LiveChatMessage).where(LiveChatMessage.session_id == session.id, LiveChatMessage.hidden.is_(False))
        .order_by(LiveChatMessage.id)).all()
    return list(questions), list(not_reached), list(chat)


def archive_markdown(session: LiveSession, follow_up: Thread, held: int = 0) -> str:
    """The archive's Markdown, in the words of the host who ended the session, times in UTC: the
    text search finds (pages word the archive for each reader from the same data)."""
    questions, not_reached, chat = contents(session)
    follow_link = f"/threads/{follow_up.id}"
    lines = [_("Archive of the live session **%(title)s**, held %(when)s.", title=md_escape(session.title),
               when=utc_span(session.started_at or session.starts_at, session.ended_at or session.ends_at)), ""]
    if session.description:
        lines += [session.description, ""]
    lines += [_("The discussion continues in the [follow-up](%(url)s): late questions are answered there.",
                url=follow_link), ""]
    lines += ["## " + _("Questions"), ""]
    if not questions:
        lines.append(_("No questions were asked."))
    for rank, q in enumerate(questions, 1):
        lines += ["### " + ngettext("%(rank)s. %(who)s asked (%(num)s vote)", "%(rank)s. %(who)s asked (%(num)s votes)",
                                    q.votes, rank=rank, who=md_escape(_asker(q))), "", quote(q.body), ""]
        if q.answer:
            who = q.answered_by.name if q.answered_by else _("the hosts")
            lines += ["**" + _("Answer from %(name)s:", name=md_escape(who)) + "**", "", q.answer, ""]
        else:
            lines += ["*" + _("Not answered during the session.") + "* " + _later(q, follow_link), ""]
    if not_reached or held:
        lines += ["## " + _("Not reached"), "",
                  _("These questions were still waiting for the hosts' approval when the session ended."), ""]
        for q in not_reached:
            lines += ["### " + _("%(who)s asked", who=md_escape(_asker(q))), "", quote(q.body), "",
                      _later(q, follow_link), ""]
        if held:
            lines += [ngettext("%(num)s more question is waiting for a host's review (it contains words this "
                               "topic reviews first); if it is approved, it appears in the follow-up.",
                               "%(num)s more questions are waiting for a host's review (they contain words this "
                               "topic reviews first); those approved appear in the follow-up.", held), ""]
    lines += ["## " + _("Chat transcript"), ""]
    if not chat:
        lines.append(_("No chat messages."))
    for m in chat:
        lines.append(f"- **{md_escape(m.author.name)}** ({_aware(m.created_at):%H:%M} UTC): {md_escape(m.body)}")
    return "\n".join(lines)


def _later(question: LiveQuestion, follow_link: str) -> str:
    if question.follow_up_post_id is None:
        return ""
    return _("[Answer it in the follow-up](%(url)s).", url=f"{follow_link}#post-{question.follow_up_post_id}")


def _asker(question: LiveQuestion) -> str:
    return str(public_name(question))


def utc_span(start, end) -> str:
    """"2026-12-04, 14:00–15:10 UTC": an archive is read in every zone and language, so it
    says which zone, in a form every language reads the same."""
    start, end = _aware(start), _aware(end)
    if start.date() == end.date():
        return f"{start:%Y-%m-%d}, {start:%H:%M}–{end:%H:%M} UTC"
    return f"{start:%Y-%m-%d %H:%M} – {end:%Y-%m-%d %H:%M} UTC"


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def md_escape(text: str) -> str:
    return "".join("\\" + c if c in "\\`*_[]<>#|" else c for c in (text or "").replace("\n", " "))


def quote(text: str) -> str:
    return "\n".join("> " + line for line in (text or "").splitlines())
