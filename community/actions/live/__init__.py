"""Live sessions: sessions.py schedules and starts them, ending.py ends them (archive.py: the
archive, questions not reached, the follow-up; export.py: the questions as CSV); room.py is
what happens in their room (questions, votes, chat, silences). Faces use them as
`actions.live.*`.

Rooms: live:<id> for everyone in the session; livehosts:<id> for its hosts and the topic's
moderators (questions waiting for approval, with identities).
"""
from .ending import END_DECISIONS, end
from .room import CHAT_MAX_CHARS, QUESTION_MAX_CHARS, ask, chat, hide_chat, moderate_question, silence, vote
from .sessions import (
                   PUBLIC_STATES,
                   chat_payload,
                   get_question,
                   get_session,
                   is_silenced,
                   my_votes,
                   question_payload,
                   schedule,
                   session_payload,
                   start,
                   upcoming,
                   visible_questions,
)

__all__ = [
    "CHAT_MAX_CHARS", "END_DECISIONS", "PUBLIC_STATES", "QUESTION_MAX_CHARS", "ask", "chat", "chat_payload", "end",
    "get_question", "get_session", "hide_chat", "is_silenced", "moderate_question", "my_votes", "question_payload",
    "schedule", "session_payload", "silence", "start", "upcoming", "visible_questions", "vote",
]
