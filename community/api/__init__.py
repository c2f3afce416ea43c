"""The JSON API under /api/v1, thin: parse JSON, call the same actions, answer JSON."""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from . import live, resources, routes, search, tokens, uploads  # noqa: E402,F401
