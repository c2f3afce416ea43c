"""API route of the composer's Markdown preview: POST /preview (community.actions.preview)."""
from __future__ import annotations

from ..actions import preview as previews
from .common import bp, caller, json_body


@bp.post("/preview")
def preview_markdown():
    """`body` (Markdown) and `kind` (post / question / answer / chat: whose length limit holds)
    -> `html` (sanitised, exactly as it would be shown), `notes` (what will not be shown as
    written: images, raw HTML), `chars` and `max_chars`. Writes nothing."""
    data = json_body()
    return previews.preview(caller(), data.get("body"), data.get("kind", "post"))
