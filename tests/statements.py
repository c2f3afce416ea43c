"""Counting the SQL a piece of code runs: `with statements(app) as seen: ...` collects every
statement sent to the database meanwhile (those starting with `starting`, and containing
`containing`, when given)."""
from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from community.extensions import db


@contextmanager
def statements(app, starting: str = "", containing: str = ""):
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith(starting.upper()) and containing in statement:
            seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)
