"""What a file is, decided from its bytes alone (never its name or the Content-Type it came with).

`sniff(data, allowed=..., zip_limits=...)` answers a kinds.FileType or raises Refused
with a code the app turns into a message (community/files/service.py):

- images (JPEG, PNG, WebP, GIF) by their signature; they are then decoded and
  re-encoded by images.py, which also refuses anything Pillow cannot decode as that
  very format (a polyglot stops being one once re-encoded);
- PDF by its header;
- Office Open XML (docx, xlsx, pptx): a ZIP archive starting at byte 0 whose
  [Content_Types].xml names the main part; OpenDocument (odt, ods, odp): a ZIP whose
  first entry is `mimetype`. Before anything inside is read, the archive's entry
  count and unpacked size are bounded (zip bombs), and every entry is checked
  (CRC) within that bound. Documents with macros are refused;
- CSV and plain text: UTF-8 (a BOM allowed), no NUL or other control characters,
  and not markup: HTML, SVG or XML are refused even when they are valid text.

Anything else is refused, named when puremagic (a pure-Python signature database)
recognises it, so that the person is told "this is a Windows program", not just "no".
Imports nothing of the app: the file worker process loads it by its path.
"""
from __future__ import annotations

import csv
import io
import re
import zipfile
import zlib
from collections.abc import Collection
from typing import NamedTuple

import puremagic
from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from .kinds import TYPES, FileType


class Refused(Exception):
    """The file is not accepted. `code` says why; `params` fill in the message."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


class ZipLimits(NamedTuple):
    max_entries: int = 2000
    max_uncompressed: int = 200 * 1024 * 1024
    # An entry that unpacks to more than this many times its packed size (and past 1 MB) is a
    # bomb: real documents' XML packs 5-20 times, their images not at all.
    max_ratio: int = 200


DEFAULT_ZIP_LIMITS = ZipLimits()

# Parts of an archive read to decide what it is, with bounds of their own.
CONTENT_TYPES_MAX_BYTES = 1024 * 1024
OOXML_MAIN_TYPES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": "pptx",
}
OOXML_MACRO_TYPES = ("macroenabled", "vbaproject", "activex")
ODF_TYPES = {
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
}
ODF_MACRO_FOLDERS = ("Basic/", "Scripts/")

# Text that starts with "<" is markup (HTML, SVG, XML: a browser may run it), and so is text
# with one of these tags near its start, where browsers look when they guess a type.
MARKUP_ANYWHERE = re.compile(rb"<(svg|script|html|iframe|!doctype)[\s>/]", re.IGNORECASE)
# Control characters a text file has no use for (tab, line feed, form feed and carriage return are fine).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
CSV_DELIMITERS = (",", ";", "\t")
CSV_SAMPLE_LINES = 50
TEXT_SAMPLE_BYTES = 4096


def sniff(data: bytes, *, allowed: Collection[str], zip_limits: ZipLimits = DEFAULT_ZIP_LIMITS) -> FileType:
    """The type of `data`, if it is one of the `allowed` type names; else Refused."""
    if not data:
        raise Refused("empty")
    name = _signature(data, zip_limits)
    if name not in allowed:
        raise Refused("not_allowed", type=name)
    return TYPES[name]


def _signature(data: bytes, zip_limits: ZipLimits) -> str:
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "gif"
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return _archive(data, zip_limits)
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise Refused("legacy_office")  # .doc, .xls, .ppt (and password-protected Office files)
    return _text(data)


# --- text --------------------------------------------------------------------------------
def _text(data: bytes) -> str:
    """"csv" or "txt" for UTF-8 text that is not markup; else Refused."""
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    head = body[:TEXT_SAMPLE_BYTES]
    if head.lstrip()[:1] == b"<" or MARKUP_ANYWHERE.search(head):
        raise Refused("markup", what=_what_it_is(data))
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        if head.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise Refused("encoding") from None  # UTF-16 text
        what = _what_it_is(data)
        if what or b"\x00" in head:
            raise Refused("unknown", what=what) from None
        raise Refused("encoding") from None  # text in another encoding (Windows-1252...)
    if CONTROL.search(text):
        if "\x00" in text:
            raise Refused("unknown", what=_what_it_is(data))
        raise Refused("control_characters")
    return "csv" if _looks_like_csv(text) else "txt"


def _looks_like_csv(text: str) -> bool:
    """Two lines or more, every one of the first CSV_SAMPLE_LINES with the same number (2 or
    more) of fields for one delimiter. Deterministic, unlike csv.Sniffer's guesses."""
    lines = [line for line in text.splitlines()[:CSV_SAMPLE_LINES] if line.strip()]
    if len(lines) < 2:
        return False
    for delimiter in CSV_DELIMITERS:
        try:
            widths = {len(row) for row in csv.reader(lines, delimiter=delimiter)}
        except csv.Error:
            continue
        if len(widths) == 1 and widths.pop() >= 2:
            return True
    return False


# --- archives (Office Open XML, OpenDocument) ----------------------------------------------
# What zipfile raises on a damaged archive: NotImplementedError for an unknown compression
# method or version, RuntimeError for encrypted entries, zlib.error for broken compressed data.
ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, NotImplementedError, RuntimeError,
              ValueError, EOFError, OSError, KeyError, IndexError)


def _archive(data: bytes, limits: ZipLimits) -> str:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
        _check_bounds(entries, limits)
        if entries[0].filename == "mimetype":
            name = _opendocument(archive, entries)
        elif any(e.filename == "[Content_Types].xml" for e in entries):
            name = _office_open_xml(archive, entries)
        else:
            raise Refused("archive")
        if archive.testzip() is not None:  # every entry unpacks to its CRC (bounded just above)
            raise Refused("damaged")
    except ZIP_ERRORS:
        raise Refused("damaged") from None
    return name


def _check_bounds(entries: list[zipfile.ZipInfo], limits: ZipLimits) -> None:
    if not entries:
        raise Refused("damaged")
    if len(entries) > limits.max_entries:
        raise Refused("zip_bomb")
    if sum(e.file_size for e in entries) > limits.max_uncompressed:
        raise Refused("zip_bomb")
    for entry in entries:
        if entry.file_size > 1024 * 1024 and entry.file_size > limits.max_ratio * max(entry.compress_size, 1):
            raise Refused("zip_bomb")
        if entry.flag_bits & 0x1:
            raise Refused("encrypted")
    # Something before the archive (an image with a document glued behind it) is no document.
    if min(e.header_offset for e in entries) != 0:
        raise Refused("damaged")


def _read_bounded(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, limit: int) -> bytes:
    with archive.open(entry) as stream:
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise Refused("damaged")
    return data


def _opendocument(archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo]) -> str:
    mimetype = _read_bounded(archive, entries[0], 200).decode("ascii", "replace").strip()
    name = ODF_TYPES.get(mimetype)
    if name is None:
        raise Refused("archive")
    if any(e.filename.startswith(ODF_MACRO_FOLDERS) for e in entries):
        raise Refused("macros")
    return name


def _office_open_xml(archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo]) -> str:
    entry = next(e for e in entries if e.filename == "[Content_Types].xml")
    try:
        root = ElementTree.fromstring(_read_bounded(archive, entry, CONTENT_TYPES_MAX_BYTES))
    except (ElementTree.ParseError, DefusedXmlException, ValueError):
        raise Refused("damaged") from None
    types = [(el.get("ContentType") or "").lower() for el in root.iter() if el.get("ContentType")]
    if any(marker in t for t in types for marker in OOXML_MACRO_TYPES) \
            or any(e.filename.lower().endswith("vbaproject.bin") for e in entries):
        raise Refused("macros")
    found = {OOXML_MAIN_TYPES[t] for t in types if t in OOXML_MAIN_TYPES}
    if len(found) != 1:
        raise Refused("archive")
    return found.pop()


# --- naming what is refused --------------------------------------------------------------
def _what_it_is(data: bytes) -> str:
    """A human name for what `data` looks like ("Windows Executable"), or ""."""
    try:
        matches = puremagic.magic_string(data[:65536])
    except (puremagic.PureError, ValueError, IndexError):
        return ""
    return matches[0].name if matches else ""
