"""Cleaning images: decode, re-encode, and keep nothing but the pixels.

`clean_image(data, type_name, limits)` returns the image as it is stored and served:

- decoded by Pillow as exactly the format its signature claims (anything else, or a
  damaged or truncated file, is refused: "damaged"); larger than `max_pixels`
  (width x height) is refused before the pixels are decoded (decompression bombs);
- turned upright by its EXIF orientation, then colour-converted to sRGB when it
  carries an ICC profile, then stripped of everything but the pixels: EXIF (GPS
  positions, camera serial numbers, dates), ICC, XMP, IPTC, comments and text
  chunks do not survive, because the pixels are pasted into a new, empty image;
- shrunk to fit in `max_side` pixels, and given a thumbnail that fits in
  `thumbnail_side` (none when the image is that small already);
- encoded again in its own format. An animated GIF keeps its first frame only:
  re-encoding every frame would multiply the work, and a still first frame is
  what a post needs (the person is told in the docs).

Re-encoding is also the answer to polyglots: bytes after the image's end, or HTML in
a comment segment, are not pixels and are gone. CPU-bound: community/files/service.py
runs it in a worker process (community/files/worker.py), never on the eventlet hub.
Imports nothing of the app.
"""
from __future__ import annotations

import io
import re
import warnings
from typing import NamedTuple

from PIL import Image, ImageCms, ImageMath, ImageOps, UnidentifiedImageError

from .kinds import PILLOW_FORMATS
from .sniff import Refused


class ImageLimits(NamedTuple):
    max_pixels: int = 40_000_000
    max_side: int = 2560
    thumbnail_side: int = 400


class CleanImage(NamedTuple):
    data: bytes
    width: int
    height: int
    thumbnail: bytes | None
    thumbnail_width: int | None
    thumbnail_height: int | None


DEFAULT_IMAGE_LIMITS = ImageLimits()
JPEG_QUALITY = 85
WEBP_QUALITY = 85
# What Pillow raises on a damaged, truncated or hostile file.
DECODE_ERRORS = (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, IndexError,
                 TypeError, KeyError, Image.DecompressionBombError, Image.DecompressionBombWarning)


def clean_image(data: bytes, type_name: str, limits: ImageLimits = DEFAULT_IMAGE_LIMITS) -> CleanImage:
    pillow_format = PILLOW_FORMATS[type_name]
    with warnings.catch_warnings():
        # Pillow's own bomb warning (past Image.MAX_IMAGE_PIXELS) is a refusal here.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        warnings.simplefilter("ignore", UserWarning)  # Pillow's notes on damaged EXIF: refused or ignored
        try:
            with Image.open(io.BytesIO(data), formats=[pillow_format]) as source:
                if source.width * source.height > limits.max_pixels:
                    raise Refused("image_too_large", pixels=source.width * source.height, limit=limits.max_pixels)
                if source.width < 1 or source.height < 1:
                    raise Refused("damaged")
                if pillow_format == "JPEG":
                    # Decode at a reduced scale when the image is far larger than what is kept
                    # (JPEG can: 2 to 8 times less work and memory).
                    source.draft("RGB" if source.mode not in ("L", "CMYK") else source.mode,
                                 (limits.max_side, limits.max_side))
                source.seek(0)  # an animation's first frame
                source.load()
                image = _upright_srgb(source, pillow_format)
        except Refused:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as bomb:
            # Pillow's own bound, checked as the header is read (before ours above): a
            # decompression bomb is too large, not damaged (413 like any image past the limit).
            claimed = re.search(r"\((\d+) pixels\)", str(bomb))
            raise Refused("image_too_large", pixels=int(claimed.group(1)) if claimed else 0,
                          limit=min(limits.max_pixels, Image.MAX_IMAGE_PIXELS or limits.max_pixels)) from None
        except DECODE_ERRORS:
            raise Refused("damaged") from None
    image.thumbnail((limits.max_side, limits.max_side), Image.Resampling.LANCZOS)
    # The pixels alone, in a new image: no info dict, no EXIF, no profile, no comment.
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    thumbnail = None
    if max(clean.size) > limits.thumbnail_side:
        thumbnail = clean.copy()
        thumbnail.thumbnail((limits.thumbnail_side, limits.thumbnail_side), Image.Resampling.LANCZOS)
    return CleanImage(_encode(clean, pillow_format), clean.width, clean.height,
                      _encode(thumbnail, pillow_format) if thumbnail else None,
                      thumbnail.width if thumbnail else None, thumbnail.height if thumbnail else None)


def _upright_srgb(source: Image.Image, pillow_format: str) -> Image.Image:
    """The frame turned by its EXIF orientation, in sRGB (or grey), with alpha only where the
    format keeps it."""
    profile = source.info.get("icc_profile")
    image = _eight_bit(ImageOps.exif_transpose(source))  # a copy, upright
    alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info
    if alpha and pillow_format != "JPEG":
        target = "RGBA"
    elif image.mode in ("1", "L", "I", "I;16", "F") and not profile:
        target = "L"
    else:
        target = "RGB"
    if profile and target != "L" and image.mode in ("RGB", "RGBA", "CMYK"):
        try:
            converted = ImageCms.profileToProfile(
                image, ImageCms.ImageCmsProfile(io.BytesIO(profile)), ImageCms.createProfile("sRGB"),
                outputMode=target if image.mode != "CMYK" or target == "RGB" else "RGB")
            if converted is not None:
                image = converted
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            pass  # a broken profile: the pixels as they are
    if image.mode == "P" and target == "RGBA":
        image = image.convert("RGBA")
    return image if image.mode == target else image.convert(target)


def _eight_bit(image: Image.Image) -> Image.Image:
    """A 16-bit (or 32-bit integer) grey image as 8-bit grey, scaled: converting it directly
    clips every value over 255 to white, and a scanned page or a photo comes out blank. A
    transparent grey value (PNG tRNS) becomes an alpha channel."""
    if image.mode != "I" and not image.mode.startswith("I;16"):
        return image
    wide = image.convert("I")
    grey = wide.point(lambda v: v / 256).convert("L")
    transparent = image.info.get("transparency")
    if isinstance(transparent, int):
        alpha = ImageMath.lambda_eval(lambda args: (args["a"] != transparent) * 255, a=wide).convert("L")
        grey = grey.convert("LA")
        grey.putalpha(alpha)
    return grey


def _encode(image: Image.Image, pillow_format: str) -> bytes:
    out = io.BytesIO()
    if pillow_format == "JPEG":
        image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    elif pillow_format == "WEBP":
        image.save(out, "WEBP", quality=WEBP_QUALITY, exif=b"", icc_profile=b"", xmp=b"")
    elif pillow_format == "PNG":
        image.save(out, "PNG")
    else:
        image.save(out, "GIF")
    return out.getvalue()
