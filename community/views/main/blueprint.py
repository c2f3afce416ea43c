"""The reading pages' blueprint, "main" (its routes: topics.py and threads.py)."""
from __future__ import annotations

from flask import Blueprint

from ...auth import protect

bp = Blueprint("main", __name__)
protect(bp)  # signed in, with an account the Guardian admits
