"""Live-session pages (blueprint "live"), thin like the other blueprints: load the session,
ask the Guardian, call community.actions.live, then redirect or render.

  sessions.py  the sessions list, scheduling a session, a session's iCalendar (.ics) file,
               and the upcoming sessions the home and topic pages list
  page.py      the session page and its plain-form fallbacks (start, end, ask, vote,
               moderate a question, reveal, chat, hide, silence)

Without JavaScript every control is a plain POST form; static/js adds the live parts over
the page's one socket. Times are shown with community/dates.py (the viewer's zone and
language); the schedule form reads "datetime-local" values in the viewer's zone.
"""
from __future__ import annotations

from . import page, sessions  # noqa: F401  (their routes)
from .blueprint import bp
from .page import chat_view, question_view, render_session

__all__ = ["bp", "chat_view", "question_view", "render_session"]
