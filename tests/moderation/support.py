"""Helpers shared by the moderation tests."""
from __future__ import annotations

from sqlalchemy import select

from community.extensions import db
from community.models import ModerationAction


def text(response) -> str:
    """The page's HTML with the <bdi> isolation of names dropped (tests read the words through it;
    tests/views/test_identity_bidi.py checks the isolation itself)."""
    return response.get_data(as_text=True).replace("<bdi>", "").replace("</bdi>", "")


def audit_rows(action: str | None = None, target_id: int | None = None) -> list[ModerationAction]:
    stmt = select(ModerationAction).order_by(ModerationAction.id)
    if action is not None:
        stmt = stmt.where(ModerationAction.action == action)
    if target_id is not None:
        stmt = stmt.where(ModerationAction.target_id == target_id)
    return list(db.session.scalars(stmt))


def last_audit() -> ModerationAction:
    return db.session.scalar(select(ModerationAction).order_by(ModerationAction.id.desc()).limit(1))


def card(page: str, post_id: int) -> str:
    """The review-queue card of one post in a page."""
    start = page.index(f'id="queue-post-{post_id}"')
    return page[start:page.find("</article>", start)]
