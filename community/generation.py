"""The data generation: every committed write moves one number on, in the same transaction.

A page's HTTP validator is taken from it BEFORE the page is rendered (views/revalidation.py):
if nothing was committed anywhere since a reader was sent a page, and nothing else the page
depends on differs (reader, session, locale, ...), the copy they hold is still what they would
be sent, and the repeat read is a 304 that renders nothing.

How it moves: any session that flushed, or ran an INSERT / UPDATE / DELETE (ORM or Core or
text), upserts row 1 of `data_generation` just before it commits (`before_commit`), so the new
number becomes visible in the same commit as the change, never before it. It is one global
number, not one per thread: coarse (any write anywhere sends every page again), but it needs no
list of what each page reads, and it cannot miss a fact the page shows. The row is taken last in
the transaction, so it is held only while the commit runs.

When the row is missing (a fresh database, the tables emptied), there is no generation: pages
fall back to the after-render ETag. The row comes back with a new random `epoch` on the next
write, so a number seen before the tables were emptied never validates again.
"""
from __future__ import annotations

import secrets

from sqlalchemy import event, select, text
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import TextClause

from .extensions import db
from .models import DataGeneration

_WROTE = "rt_wrote"
_WRITING_WORDS = ("INSERT", "UPDATE", "DELETE", "TRUNCATE", "REPLACE", "CREATE", "DROP", "ALTER")
_MOVE_ON = text(
    "INSERT INTO data_generation (id, number, epoch) VALUES (1, 1, :epoch) "
    "ON CONFLICT (id) DO UPDATE SET number = data_generation.number + 1"
)


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, _context) -> None:
    session.info[_WROTE] = True


@event.listens_for(Session, "do_orm_execute")
def _executed(state) -> None:
    statement = state.statement
    textual_write = (isinstance(statement, TextClause)
                     and statement.text.lstrip()[:8].upper().startswith(_WRITING_WORDS))
    if state.is_insert or state.is_update or state.is_delete or textual_write:
        state.session.info[_WROTE] = True


@event.listens_for(Session, "before_commit")
def _move_on(session: Session) -> None:
    if session.info.get(_WROTE) or session.new or session.dirty or session.deleted:
        session.execute(_MOVE_ON, {"epoch": secrets.token_hex(16)})


@event.listens_for(Session, "after_transaction_end")
def _ended(session: Session, transaction) -> None:
    if transaction.parent is None:
        session.info.pop(_WROTE, None)


def current(*also) -> tuple | None:
    """(epoch, number, *also) as committed now, or None when there is no generation row yet.
    `also`: scalar subqueries read in the same statement (one round trip)."""
    row = db.session.execute(select(DataGeneration.epoch, DataGeneration.number, *also)
                             .where(DataGeneration.id == 1)).first()
    return tuple(row) if row is not None else None
