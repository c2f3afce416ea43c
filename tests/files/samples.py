"""Real files made in the test run (Pillow, zipfile): images with metadata, documents, hostile files."""
from __future__ import annotations

import io
import zipfile

from PIL import Image, ImageCms

GPS_LATITUDE = (52.0, 22.0, 7.5)
GPS_LONGITUDE = (4.0, 53.0, 11.25)
CAMERA = "RoundtableCam 3000"


def jpeg_with_gps(width: int = 40, height: int = 20, orientation: int = 6, comment: bytes = b"") -> bytes:
    """A JPEG photo with GPS position, camera model, an EXIF orientation (6: turn 90 degrees
    clockwise to show it), an sRGB ICC profile and, optionally, a comment segment."""
    image = Image.new("RGB", (width, height), (200, 30, 30))
    image.paste((30, 30, 200), (0, 0, width // 2, height))  # left half blue: orientation is visible
    exif = Image.Exif()
    exif[0x0110] = CAMERA  # Model
    exif[0x0112] = orientation
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: GPS_LATITUDE, 3: "E", 4: GPS_LONGITUDE})
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), icc_profile=icc, comment=comment, quality=90)
    return out.getvalue()


def image_bytes(fmt: str, size=(8, 8), mode="RGB", color=(10, 120, 10), **params) -> bytes:
    image = Image.new(mode, size, color)
    out = io.BytesIO()
    image.save(out, fmt, **params)
    return out.getvalue()


def one_pixel_gif() -> bytes:
    return image_bytes("GIF", (1, 1), "P", 0)


def animated_gif(frames: int = 3) -> bytes:
    images = [Image.new("P", (6, 6), i) for i in range(frames)]
    out = io.BytesIO()
    images[0].save(out, "GIF", save_all=True, append_images=images[1:], duration=100, loop=0)
    return out.getvalue()


def polyglot_jpeg_html() -> bytes:
    """A JPEG that is also an HTML page: a script in a comment segment, and after the image's end."""
    html = b"<html><body><script>alert(document.cookie)</script></body></html>"
    return image_bytes("JPEG", (16, 16), comment=html) + html


HTML_PAGE = b"<!DOCTYPE html>\n<html><head><title>Hi</title></head><body><script>alert(1)</script></body></html>\n"
SVG_WITH_SCRIPT = (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
                   b'<script>alert(document.domain)</script><rect width="10" height="10"/></svg>\n')

DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"


def ooxml(main_type: str = DOCX_MAIN, part: str = "word/document.xml", extra: dict | None = None) -> bytes:
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{part}" ContentType="{main_type}"/></Types>')
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", content_types)
        z.writestr("_rels/.rels", '<?xml version="1.0"?><Relationships/>')
        z.writestr(part, '<?xml version="1.0"?><document>Hola, proveedores</document>')
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return out.getvalue()


def odf(mimetype: str = "application/vnd.oasis.opendocument.text", extra: dict | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("mimetype"), mimetype, compress_type=zipfile.ZIP_STORED)
        z.writestr("content.xml", '<?xml version="1.0"?><office:document-content/>')
        z.writestr("META-INF/manifest.xml", '<?xml version="1.0"?><manifest/>')
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return out.getvalue()


def zip_bomb(unpacked_mb: int = 40) -> bytes:
    """A .docx-shaped archive with one part of `unpacked_mb` MB of zeros (a few tens of KB packed)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", ooxml_content_types())
        with z.open("word/document.xml", "w", force_zip64=True) as part:
            block = b"\0" * (1024 * 1024)
            for _ in range(unpacked_mb):
                part.write(block)
    return out.getvalue()


def many_entries(count: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as z:
        z.writestr("[Content_Types].xml", ooxml_content_types())
        for i in range(count):
            z.writestr(f"word/media/{i}.xml", b"")
    return out.getvalue()


def ooxml_content_types() -> str:
    return ('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f'<Override PartName="/word/document.xml" ContentType="{DOCX_MAIN}"/></Types>')


def pdf() -> bytes:
    """A real one-page PDF (pypdf writes it: an xref table, a trailer, what every PDF has)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


AUTHOR = "Ravi Kumar"
COMPANY = "Shakti Garments"


def docx_with_properties() -> bytes:
    """A .docx whose properties name its author, last editor and company."""
    core = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>' + AUTHOR + '</dc:creator>'
            '<cp:lastModifiedBy>' + AUTHOR + '</cp:lastModifiedBy></cp:coreProperties>')
    app = ('<?xml version="1.0"?><Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/'
           'extended-properties"><Company>' + COMPANY + '</Company></Properties>')
    return ooxml(extra={"docProps/core.xml": core, "docProps/app.xml": app})


def odt_with_properties() -> bytes:
    meta = ('<?xml version="1.0"?><office:document-meta xmlns:office="urn:oasis:names:tc:opendocument:xmlns:'
            'office:1.0" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"><office:meta>'
            '<meta:initial-creator>' + AUTHOR + '</meta:initial-creator></office:meta></office:document-meta>')
    return odf(extra={"meta.xml": meta})


def pdf_with_metadata() -> bytes:
    """A real one-page PDF (written by pypdf) whose Info dictionary names its author."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.add_metadata({"/Author": AUTHOR, "/Creator": COMPANY + " Word", "/Title": "Queja"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def png_declaring(width: int, height: int) -> bytes:
    """A small PNG whose header claims `width` x `height` pixels (a decompression bomb's header:
    the pixels are never there)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64))
            + chunk(b"IEND", b""))


def grey_16_bit_png(values=(1000, 30000, 65535), transparent: int | None = None) -> bytes:
    """A 16-bit grey PNG (as scanners make) whose first pixels hold `values`."""
    image = Image.new("I;16", (len(values) + 1, 2))
    for x, value in enumerate(values):
        image.putpixel((x, 0), value)
    out = io.BytesIO()
    image.save(out, "PNG", **({"transparency": transparent} if transparent is not None else {}))
    return out.getvalue()


def palette_png_with_transparency() -> bytes:
    """A palette PNG whose every pixel is palette entry 1, which tRNS makes transparent."""
    image = Image.new("P", (8, 8), 1)
    image.putpalette([0, 0, 0, 255, 0, 0])
    out = io.BytesIO()
    image.save(out, "PNG", transparency=1)
    return out.getvalue()
