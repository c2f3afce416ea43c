"""Documents without the properties that name people: `scrub_properties(data, type_name)`.

Word, Excel and PowerPoint (Office Open XML) keep who wrote and last saved a document,
their company and manager, in docProps/core.xml, docProps/app.xml and docProps/custom.xml;
OpenDocument keeps its creator in meta.xml; both keep each part's save time in the archive.
A supplier posting a grievance document anonymously must not be named by them, so every
office document is stored with those parts emptied (still valid, so the document opens
as before) and every entry's time set to 1980-01-01. The archive was checked by sniff.py
first (entries, unpacked size, CRCs), so reading it again here is bounded.

A PDF keeps its author, creator, producer and dates in its Info dictionary and XMP
metadata: it is rewritten by pypdf (pure Python, maintained) without them. A rewrite,
because an added revision would leave the old metadata in the file's bytes; it is
often larger than the original (pypdf writes objects out of their compressed streams).
A PDF pypdf cannot read is refused as damaged, an encrypted one as password-protected.

What is not touched: names inside the content itself (comment and tracked-change
authors, annotations, the text). Imports nothing of the app.
"""
from __future__ import annotations

import io
import logging
import zipfile

from pypdf import PdfReader, PdfWriter

from .sniff import Refused

EPOCH = (1980, 1, 1, 0, 0, 0)
OOXML_PROPERTIES = {
    "docProps/core.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"/>'),
    "docProps/app.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties"/>'),
    "docProps/custom.xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"/>'),
}
ODF_PROPERTIES = {
    "meta.xml": (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'office:version="1.2"><office:meta/></office:document-meta>'),
}


# pypdf reports every repair it makes to a damaged file as a warning: refusals say enough.
logging.getLogger("pypdf").setLevel(logging.ERROR)

# Where a PDF keeps metadata beside its Info dictionary (XMP streams, application data).
PDF_METADATA_KEYS = ("/Metadata", "/PieceInfo")


def scrub_properties(data: bytes, type_name: str) -> bytes:
    """`data` (a document already checked by sniff.py) without its people's properties."""
    if type_name == "pdf":
        return _scrub_pdf(data)
    return _scrub_archive(data, type_name)


def _scrub_pdf(data: bytes) -> bytes:
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise Refused("encrypted")
        writer = PdfWriter(clone_from=reader)
        writer.metadata = None
        for holder in (writer.root_object, *writer.pages):
            for key in PDF_METADATA_KEYS:
                if key in holder:
                    del holder[key]
        out = io.BytesIO()
        writer.write(out)
    except Refused:
        raise
    except Exception:  # noqa: BLE001 - a parser of hostile input: whatever it raises, the file is unusable
        raise Refused("damaged") from None
    return out.getvalue()


def _scrub_archive(data: bytes, type_name: str) -> bytes:
    """An Office Open XML or OpenDocument archive without its people's properties and save times."""
    replacements = ODF_PROPERTIES if type_name in ("odt", "ods", "odp") else OOXML_PROPERTIES
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
        for entry in source.infolist():
            info = zipfile.ZipInfo(entry.filename, date_time=EPOCH)
            info.compress_type = entry.compress_type
            info.external_attr = entry.external_attr
            content = replacements.get(entry.filename)
            target.writestr(info, content.encode() if content is not None else source.read(entry))
    return out.getvalue()
