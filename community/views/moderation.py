"""moderation pages."""
from flask import Blueprint

bp = Blueprint("moderation", __name__)
