"""One file from bytes as sent to bytes as stored: sniff, clean (images, office documents), hash.

`process(source_path, out_dir, settings)` reads the file at `source_path`, and writes
what is to be stored to `out_dir/main` (and `out_dir/thumbnail` for images), answering
a plain dict (it crosses a pipe from the worker process):

    {"ok": true, "type": "jpeg", "size": ..., "sha256": ..., "width": ..., "height": ...,
     "thumbnail": {"sha256": ..., "size": ..., "width": ..., "height": ...} or null}
    {"ok": false, "code": "markup", "params": {...}}

`settings` is service.settings(app): plain values, so the worker needs no Flask.
Imports nothing of the app.
"""
from __future__ import annotations

import hashlib
import os

from .documents import scrub_properties
from .images import ImageLimits, clean_image
from .kinds import IMAGE_TYPES, TYPES
from .sniff import Refused, ZipLimits, sniff


def process(source_path: str, out_dir: str, settings: dict) -> dict:
    try:
        with open(source_path, "rb") as f:
            data = f.read(settings["max_bytes"] + 1)
        if len(data) > settings["max_bytes"]:
            raise Refused("too_large", limit=settings["max_bytes"])
        found = sniff(data, allowed=settings["types"], zip_limits=ZipLimits(*settings["zip_limits"]))
        answer = {"ok": True, "type": found.name, "width": None, "height": None, "thumbnail": None}
        if found.name in IMAGE_TYPES:
            cleaned = clean_image(data, found.name, ImageLimits(*settings["image_limits"]))
            data = cleaned.data
            answer.update(width=cleaned.width, height=cleaned.height)
            if cleaned.thumbnail is not None:
                answer["thumbnail"] = {**_write(out_dir, "thumbnail", cleaned.thumbnail),
                                       "width": cleaned.thumbnail_width, "height": cleaned.thumbnail_height}
        elif TYPES[found.name].kind == "document":
            data = scrub_properties(data, found.name)
        answer.update(_write(out_dir, "main", data))
        return answer
    except Refused as refusal:
        return {"ok": False, "code": refusal.code, "params": refusal.params}
    except MemoryError:
        return {"ok": False, "code": "too_complex", "params": {}}


def _write(out_dir: str, name: str, data: bytes) -> dict:
    with open(os.path.join(out_dir, name), "wb") as f:
        f.write(data)
    return {"sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
