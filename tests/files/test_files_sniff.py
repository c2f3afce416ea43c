"""Type sniffing and image cleaning (community/files/sniff.py, images.py) on real files made here."""
from __future__ import annotations

import io

import pytest
from PIL import Image

from community.files.images import ImageLimits, clean_image
from community.files.sniff import Refused, ZipLimits, sniff
from config import FILE_TYPE_NAMES
from tests.files import samples

ALL = FILE_TYPE_NAMES


def refusal(data: bytes, allowed=ALL, **kw) -> Refused:
    with pytest.raises(Refused) as caught:
        sniff(data, allowed=allowed, **kw)
    return caught.value


@pytest.mark.parametrize("make,expected", [
    (samples.jpeg_with_gps, "jpeg"),
    (lambda: samples.image_bytes("PNG"), "png"),
    (lambda: samples.image_bytes("WEBP"), "webp"),
    (samples.one_pixel_gif, "gif"),
    (samples.animated_gif, "gif"),
    (samples.pdf, "pdf"),
    (samples.ooxml, "docx"),
    (lambda: samples.ooxml(samples.XLSX_MAIN, "xl/workbook.xml"), "xlsx"),
    (samples.odf, "odt"),
    (lambda: samples.odf("application/vnd.oasis.opendocument.spreadsheet"), "ods"),
    (lambda: b"name,country,workers\nShakti,IN,120\nRubber Works,MY,80\n", "csv"),
    (lambda: b"\xef\xbb\xbfnombre;pais\nShakti;India\n", "csv"),
    (lambda: "Hola, proveedores.\nمرحبا\n".encode(), "txt"),
])
def test_accepted_types_are_told_by_their_content(make, expected):
    assert sniff(make(), allowed=ALL).name == expected


def test_a_renamed_html_file_is_refused_as_markup():
    assert refusal(samples.HTML_PAGE).code == "markup"  # whatever it was called: there is no name here


def test_an_svg_with_a_script_is_refused():
    refused = refusal(samples.SVG_WITH_SCRIPT)
    assert refused.code == "markup" and "Vector" in refused.params["what"]


@pytest.mark.parametrize("text", [
    b"   <html><body>hi</body></html>",
    b"Some words first\n<script>alert(1)</script>\n",
    b"<?xml version='1.0'?><note/>",
    b"<svg onload=alert(1)>",
])
def test_markup_hidden_in_text_is_refused(text):
    assert refusal(text).code == "markup"


def test_a_polyglot_is_taken_for_the_image_it_starts_as_and_loses_its_html_when_cleaned():
    polyglot = samples.polyglot_jpeg_html()
    assert b"<script>" in polyglot
    assert sniff(polyglot, allowed=ALL).name == "jpeg"
    cleaned = clean_image(polyglot, "jpeg")
    assert b"<script" not in cleaned.data and b"<html" not in cleaned.data
    Image.open(io.BytesIO(cleaned.data)).verify()


def test_an_image_header_on_something_else_is_refused_as_damaged():
    fake = b"\xff\xd8\xff\xe0" + b"<html><script>alert(1)</script></html>" * 20
    assert sniff(fake, allowed=ALL).name == "jpeg"
    with pytest.raises(Refused) as caught:
        clean_image(fake, "jpeg")
    assert caught.value.code == "damaged"


def test_a_png_sent_with_a_gif_header_is_not_decoded_as_something_else():
    # Pillow would happily open a PNG: the format the signature claims is the only one tried.
    png = samples.image_bytes("PNG")
    with pytest.raises(Refused):
        clean_image(b"GIF89a" + png[6:], "gif")


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    bomb = samples.zip_bomb(40)
    assert len(bomb) < 200_000
    assert refusal(bomb).code == "zip_bomb"
    # Bounded by the total too: a modest ratio, but more than the configured unpacked size.
    assert refusal(samples.ooxml(extra={"word/big.xml": b"x" * 300_000}),
                   zip_limits=ZipLimits(max_uncompressed=200_000)).code == "zip_bomb"


def test_an_archive_with_too_many_entries_is_refused():
    assert refusal(samples.many_entries(50), zip_limits=ZipLimits(max_entries=40)).code == "zip_bomb"


@pytest.mark.parametrize("make", [
    lambda: samples.ooxml(samples.DOCM_MAIN),
    lambda: samples.ooxml(extra={"word/vbaProject.bin": b"\0" * 10}),
    lambda: samples.odf(extra={"Basic/Standard/Module1.xml": "<script:module/>"}),
])
def test_documents_with_macros_are_refused(make):
    assert refusal(make()).code == "macros"


def test_a_plain_zip_and_a_legacy_office_file_are_refused():
    out = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(out, "w") as z:
        z.writestr("readme.txt", "hello")
    assert refusal(out.getvalue()).code == "archive"
    assert refusal(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600).code == "legacy_office"


def test_a_document_glued_behind_something_else_is_refused():
    # Something (here a fake local header and junk) before the real archive: no document.
    assert refusal(b"PK\x03\x04" + b"\0" * 64 + samples.ooxml()).code == "damaged"
    glued = samples.image_bytes("PNG") + samples.ooxml()
    assert sniff(glued, allowed=ALL).name == "png"  # an image first: re-encoded, the document is gone
    assert b"PK\x03\x04" not in clean_image(glued, "png").data


def test_a_damaged_archive_is_refused():
    docx = bytearray(samples.ooxml())
    docx[60:90] = b"\0" * 30  # inside the first entry's compressed data
    assert refusal(bytes(docx)).code == "damaged"


@pytest.mark.parametrize("data,code", [
    (b"", "empty"),
    ("café olé".encode("latin-1"), "encoding"),
    ("hola".encode("utf-16"), "encoding"),
    (b"line one\x1b[31m red\n", "control_characters"),
    (b"MZ\x90\x00" + b"\0" * 200, "unknown"),
    (b"\x7fELF\x02\x01\x01" + b"\0" * 200, "unknown"),
])
def test_other_content_is_refused_with_a_reason(data, code):
    assert refusal(data).code == code


def test_a_program_is_named_in_its_refusal():
    assert refusal(b"MZ\x90\x00" + b"\0" * 200).params["what"] == "Windows Executable"


def test_a_type_outside_the_allow_list_is_refused_by_name():
    refused = refusal(samples.pdf(), allowed=("jpeg", "png"))
    assert refused.code == "not_allowed" and refused.params == {"type": "pdf"}


# --- images -------------------------------------------------------------------------------
def test_exif_gps_icc_and_comments_are_removed_and_orientation_applied():
    photo = samples.jpeg_with_gps(40, 20, orientation=6, comment=b"taken at Factory 7")
    before = Image.open(io.BytesIO(photo))
    assert before.getexif().get_ifd(0x8825) and "icc_profile" in before.info
    cleaned = clean_image(photo, "jpeg")
    after = Image.open(io.BytesIO(cleaned.data))
    assert after.format == "JPEG"
    assert (after.width, after.height) == (20, 40) == (cleaned.width, cleaned.height)  # turned upright
    assert not after.getexif() and "exif" not in after.info
    assert "icc_profile" not in after.info and "comment" not in after.info
    for trace in (b"Exif\0\0", samples.CAMERA.encode(), b"Factory 7", b"ICC_PROFILE"):
        assert trace not in cleaned.data
    # Orientation 6 turns the blue left half to the top.
    r, g, b = after.convert("RGB").getpixel((10, 5))
    assert b > 150 and r < 100


def test_large_images_are_shrunk_and_get_a_thumbnail():
    big = samples.image_bytes("PNG", (3000, 1500))
    cleaned = clean_image(big, "png", ImageLimits(max_side=1000, thumbnail_side=200))
    assert (cleaned.width, cleaned.height) == (1000, 500)
    thumb = Image.open(io.BytesIO(cleaned.thumbnail))
    assert thumb.size == (200, 100) == (cleaned.thumbnail_width, cleaned.thumbnail_height)


def test_an_image_past_the_pixel_limit_is_refused_before_decoding():
    with pytest.raises(Refused) as caught:
        clean_image(samples.image_bytes("PNG", (2000, 2000)), "png", ImageLimits(max_pixels=1_000_000))
    assert caught.value.code == "image_too_large" and caught.value.params["pixels"] == 4_000_000


def test_a_one_pixel_gif_stays_a_one_pixel_gif():
    cleaned = clean_image(samples.one_pixel_gif(), "gif")
    assert (cleaned.width, cleaned.height) == (1, 1) and cleaned.thumbnail is None
    assert Image.open(io.BytesIO(cleaned.data)).format == "GIF"


def test_an_animated_gif_keeps_its_first_frame():
    cleaned = clean_image(samples.animated_gif(3), "gif")
    image = Image.open(io.BytesIO(cleaned.data))
    assert getattr(image, "n_frames", 1) == 1


def test_transparency_survives_in_png_and_webp():
    for fmt, name in (("PNG", "png"), ("WEBP", "webp")):
        lossless = {"lossless": True} if fmt == "WEBP" else {}
        data = samples.image_bytes(fmt, (4, 4), "RGBA", (10, 20, 30, 0), **lossless)
        image = Image.open(io.BytesIO(clean_image(data, name).data))
        assert image.mode == "RGBA" and image.getpixel((1, 1))[3] == 0


def test_a_truncated_image_is_refused():
    photo = samples.image_bytes("JPEG", (64, 64))
    with pytest.raises(Refused) as caught:
        clean_image(photo[: len(photo) // 2], "jpeg")
    assert caught.value.code == "damaged"


def test_damaged_variants_of_every_sample_are_refused_cleanly(tmp_path):
    """Seeded random damage (bytes changed, cut out, inserted) to real files: every outcome is
    an answer (accepted, or refused with a code), never an exception."""
    import random

    from community.files.process import process

    settings = {"types": list(ALL), "max_bytes": 1 << 20, "zip_limits": [2000, 200 << 20, 200],
                "image_limits": [40_000_000, 2560, 400]}
    seeds = [samples.jpeg_with_gps(), samples.image_bytes("PNG", (30, 30)), samples.image_bytes("WEBP", (30, 30)),
             samples.animated_gif(), samples.ooxml(), samples.odf(), samples.pdf()]
    rng = random.Random(18)
    source = tmp_path / "source"
    for _ in range(300):
        data = bytearray(rng.choice(seeds))
        for _ in range(rng.randint(1, 6)):
            at = rng.randrange(len(data))
            roll = rng.random()
            if roll < 0.6:
                data[at] = rng.randrange(256)
            elif roll < 0.8:
                del data[at:at + rng.randint(1, 20)]
            else:
                data[at:at] = rng.randbytes(rng.randint(1, 20))
            if not data:
                break
        source.write_bytes(bytes(data))
        answer = process(str(source), str(tmp_path), settings)
        assert answer["ok"] or answer["code"], answer


# --- office documents' properties ----------------------------------------------------------
@pytest.mark.parametrize("make,name", [(samples.docx_with_properties, "docx"), (samples.odt_with_properties, "odt")])
def test_office_documents_lose_the_properties_that_name_people(tmp_path, make, name):
    import zipfile

    from community.files.process import process

    source = tmp_path / "source"
    source.write_bytes(make())
    settings = {"types": list(ALL), "max_bytes": 1 << 20, "zip_limits": [2000, 200 << 20, 200],
                "image_limits": [40_000_000, 2560, 400]}
    answer = process(str(source), str(tmp_path), settings)
    assert answer["ok"] and answer["type"] == name
    stored = (tmp_path / "main").read_bytes()
    archive = zipfile.ZipFile(io.BytesIO(stored))
    unpacked = b"".join(archive.read(n) for n in archive.namelist())
    assert samples.AUTHOR.encode() not in unpacked and samples.COMPANY.encode() not in unpacked
    assert b"Hola, proveedores" in unpacked or b"document-content" in unpacked  # the content is kept
    entries = zipfile.ZipFile(io.BytesIO(stored)).infolist()
    assert {e.date_time for e in entries} == {(1980, 1, 1, 0, 0, 0)}
    assert sniff(stored, allowed=ALL).name == name  # still the same kind of document
    if name == "odt":
        assert entries[0].filename == "mimetype" and entries[0].compress_type == zipfile.ZIP_STORED


def test_a_pdf_loses_its_info_and_xmp_metadata(tmp_path):
    from pypdf import PdfReader

    from community.files.documents import scrub_properties

    original = samples.pdf_with_metadata()
    assert samples.AUTHOR.encode() in original
    cleaned = scrub_properties(original, "pdf")
    assert samples.AUTHOR.encode() not in cleaned and samples.COMPANY.encode() not in cleaned
    reader = PdfReader(io.BytesIO(cleaned))
    assert reader.metadata is None and "/Metadata" not in reader.trailer["/Root"] and len(reader.pages) == 1


def test_an_encrypted_or_unreadable_pdf_is_refused():
    from pypdf import PdfWriter

    from community.files.documents import scrub_properties

    writer = PdfWriter()
    writer.add_blank_page(100, 100)
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    for data, code in ((out.getvalue(), "encrypted"), (b"%PDF-1.4\n" + b"\0" * 50, "damaged")):
        with pytest.raises(Refused) as caught:
            scrub_properties(data, "pdf")
        assert caught.value.code == code


def test_a_16_bit_grey_image_is_scaled_not_clipped():
    cleaned = Image.open(io.BytesIO(clean_image(samples.grey_16_bit_png(), "png").data))
    assert cleaned.mode == "L" and [cleaned.getpixel((x, 0)) for x in range(4)] == [3, 117, 255, 0]
    see_through = Image.open(io.BytesIO(clean_image(samples.grey_16_bit_png(transparent=30000), "png").data))
    assert see_through.mode == "RGBA"
    assert [see_through.getpixel((x, 0))[3] for x in range(4)] == [255, 0, 255, 255]


@pytest.mark.parametrize("data, name, mode", [
    (lambda: samples.image_bytes("JPEG", (8, 8), "CMYK", (0, 255, 255, 0)), "jpeg", "RGB"),
    (samples.palette_png_with_transparency, "png", "RGBA"),
    (lambda: samples.image_bytes("GIF", (8, 8), "P", 1, transparency=1), "gif", "P"),
    (lambda: samples.image_bytes("PNG", (8, 8), "LA", (100, 0)), "png", "RGBA"),
])
def test_cmyk_palette_and_grey_with_alpha_are_cleaned(data, name, mode):
    cleaned = Image.open(io.BytesIO(clean_image(data(), name).data))
    assert cleaned.mode == mode and cleaned.size == (8, 8)
    if name == "jpeg":  # CMYK red (no cyan, full magenta and yellow) is RGB red, not its inverse
        red, green, blue = cleaned.getpixel((4, 4))
        assert red > 200 and green < 60 and blue < 60
    if mode == "RGBA":
        assert cleaned.getpixel((4, 4))[3] == 0
