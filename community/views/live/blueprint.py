"""The live-session pages' blueprint, "live" (its routes: sessions.py and page.py)."""
from __future__ import annotations

from flask import Blueprint

from ...auth import protect

bp = Blueprint("live", __name__)
protect(bp)
