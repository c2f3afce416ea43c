"""API routes about the caller's own personal API tokens: list and revoke (created on the settings page
or with `flask users token`)."""
from __future__ import annotations

from ..actions import tokens
from .common import bp, caller


@bp.get("/tokens")
def list_tokens():
    """The caller's tokens, newest first: never their secrets. One page (a person has a handful)."""
    return {"tokens": [tokens.payload(t) for t in tokens.list_for(caller())], "next_cursor": None}


@bp.delete("/tokens/<int:token_id>")
def revoke_token(token_id: int):
    """Revoke one of the caller's tokens (the one making the call included): 204."""
    tokens.revoke(caller(), token_id)
    return "", 204
