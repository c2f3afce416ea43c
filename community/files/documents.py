"""Office documents without the properties that name people: `scrub_properties(data, type_name)`.

Word, Excel and PowerPoint (Office Open XML) keep who wrote and last saved a document,
their company and manager, in docProps/core.xml, docProps/app.xml and docProps/custom.xml;
OpenDocument keeps its creator in meta.xml; both keep each part's save time in the archive.
A supplier posting a grievance document anonymously must not be named by them, so every
office document is stored with those parts emptied (still valid, so the document opens
as before) and every entry's time set to 1980-01-01. The archive was checked by sniff.py
first (entries, unpacked size, CRCs), so reading it again here is bounded.

What is not touched: names inside the content itself (comment and tracked-change authors,
the text). PDFs are stored as sent. Imports nothing of the app.
"""
from __future__ import annotations

import io
import zipfile

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


def scrub_properties(data: bytes, type_name: str) -> bytes:
    """`data` (a docx/xlsx/pptx/odt/ods/odp already checked by sniff.py) without its people's
    properties and save times."""
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
