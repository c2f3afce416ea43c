"""Files and the resources library in a real browser against the real eventlet server (seeded demo):

- a member (Sofia) adds a guidance PDF to a topic's library in Spanish, then its English version;
  a supplier (Ravi) finds it by searching in Spanish (without the accent), opens it, and asks a
  question citing it: the question shows the resource's card;
- in a thread, a supplier drops an image in the composer, blurs a part of it, and the reply
  arrives with the image (the served image carries no EXIF) for another reader, live;
- files dropped (a DataTransfer dispatched with dragenter, dragover, drop) on the composer of the
  new-thread page and of the thread page are uploaded at once and listed, and go with the post.
"""
from __future__ import annotations

import io
import uuid

import pytest

from tests.e2e.helpers import connected, expect, page_errors, person

pytestmark = pytest.mark.e2e

SOFIA = "sofia@northwind.example"  # a member brand
RAVI = "ravi@shakti.example"  # a supplier
TOPIC = "forced-labour"


def guidance_pdf(title: str) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=300, height=300)
    writer.add_metadata({"/Author": "Sofia Martin", "/Title": title})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def photo() -> bytes:
    from PIL import Image

    from tests.files.samples import jpeg_with_gps

    assert Image  # Pillow is there
    return jpeg_with_gps(200, 120)


def test_a_member_shares_a_guide_in_two_languages_and_a_supplier_finds_and_cites_it(new_context, sign_in, tmp_path):
    marker = uuid.uuid4().hex[:6]
    spanish = tmp_path / "guia-reclutamiento.pdf"
    spanish.write_bytes(guidance_pdf("Guía"))
    english = tmp_path / "recruitment-guide.pdf"
    english.write_bytes(guidance_pdf("Guide"))

    sofia = person(new_context, sign_in, SOFIA, f"/t/{TOPIC}", live=False)
    sofia.locator("#topic-resources-link").click()
    sofia.get_by_role("link", name="Add a resource").click()
    sofia.get_by_label("Title", exact=True).fill(f"Guía de reclutamiento responsable {marker}")
    sofia.get_by_label("Summary").fill("Cómo verificar que los trabajadores no pagaron comisiones.")
    sofia.get_by_label("Kind").select_option("guidance")
    sofia.get_by_label("Language of this version").select_option("es")
    sofia.get_by_label("File", exact=True).set_input_files(str(spanish))
    with sofia.expect_navigation():
        sofia.get_by_role("button", name="Save").click()
    expect(sofia.locator("h1")).to_contain_text("Guía de reclutamiento")
    resource_path = sofia.url.split("127.0.0.1", 1)[1].split("/", 1)[1]
    sofia.get_by_role("link", name="Edit or add a version").click()
    sofia.get_by_label("Language of this version").select_option("en")
    sofia.get_by_label("Title in that language").fill(f"Responsible recruitment guide {marker}")
    sofia.get_by_label("File", exact=True).set_input_files(str(english))
    sofia.get_by_label("What changed").fill("English version")
    with sofia.expect_navigation():
        sofia.get_by_role("button", name="Save").click()
    expect(sofia.locator(".resource-versions li")).to_have_count(2)
    assert page_errors(new_context.console) == []

    ravi = person(new_context, sign_in, RAVI, f"/search?q=guia+reclutamiento+{marker}", live=False)
    card = ravi.locator("#search-resources a").first
    expect(card).to_contain_text("Guía de reclutamiento responsable")
    card.click()
    expect(ravi.locator(".resource-versions li")).to_have_count(2)
    download = ravi.locator('.resource-versions li[data-language="es"] a[download]')
    served = ravi.request.get(download.get_attribute("href"))
    assert served.status == 200 and served.body().startswith(b"%PDF-") and b"Sofia Martin" not in served.body()
    ravi.locator("#cite-in-question").click()
    ravi.get_by_label("Title", exact=True).fill(f"Does the recruitment guide cover labour agencies? {marker}")
    body = ravi.get_by_label("Message", exact=True)
    assert f"/{resource_path}" in body.input_value()
    body.press("End")
    body.press_sequentially(" Does it cover agencies that recruit abroad?")
    with ravi.expect_navigation():
        ravi.get_by_role("button", name="Start thread").click()
    expect(ravi.locator(".post--opening .resource-card")).to_contain_text("Guía de reclutamiento responsable")
    assert page_errors(new_context.console) == []


def test_a_supplier_drops_an_image_blurs_a_face_and_the_reply_shows_it_live(new_context, sign_in, tmp_path):
    from PIL import Image

    marker = uuid.uuid4().hex[:6]
    sofia = person(new_context, sign_in, SOFIA, f"/t/{TOPIC}", live=False)
    sofia.get_by_role("link", name="New thread").first.click()
    sofia.get_by_label("Title", exact=True).fill(f"Dormitory photos {marker}")
    sofia.get_by_label("Message", exact=True).fill("Please share photos of the dormitories.")
    with sofia.expect_navigation():
        sofia.get_by_role("button", name="Start thread").click()
    thread_path = "/" + sofia.url.split("127.0.0.1", 1)[1].split("/", 1)[1].split("#")[0]
    sofia.goto(thread_path)
    connected(sofia)

    ravi = person(new_context, sign_in, RAVI, thread_path)
    picture = tmp_path / "dormitory.jpg"
    picture.write_bytes(photo())
    expect(ravi.locator("[data-attach-blur-note]")).to_be_visible()
    ravi.locator("#composer-files").set_input_files(str(picture))
    canvas = ravi.locator("[data-blur-editor] canvas")
    expect(canvas).to_be_visible()
    box = canvas.bounding_box()
    ravi.mouse.move(box["x"] + 5, box["y"] + 5)
    ravi.mouse.down()
    ravi.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    ravi.mouse.up()
    ravi.get_by_role("button", name="Send image").click()
    expect(ravi.locator("[data-attach-list] .attach-item")).to_have_count(1)
    ravi.get_by_label("Message", exact=True).fill("Here is our dormitory.")
    ravi.get_by_role("button", name="Post reply").click()
    expect(ravi.locator("#composer-status")).to_contain_text("posted")
    expect(ravi.locator("[data-attach-list] .attach-item")).to_have_count(0)

    image = sofia.locator(".post:not(.post--opening) .post-attachment--image img").last
    expect(image).to_be_visible()
    served = sofia.request.get(image.get_attribute("src"))
    assert served.status == 200
    shown = Image.open(io.BytesIO(served.body()))
    assert not shown.getexif()
    assert page_errors(new_context.console) == []


def striped_portrait(width: int = 1000, height: int = 1600) -> bytes:
    """A tall photo of black and white stripes 4 px wide: pixelated, a part of it turns to blocks."""
    from PIL import Image, ImageDraw

    picture = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(picture)
    for x in range(0, width, 8):
        draw.rectangle((x, 0, x + 3, height), fill="black")
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=95)
    return out.getvalue()


def _changed(image, original, box: tuple[int, int, int, int]) -> float:
    """How much `box` of `image` differs from the `original`: the mean difference of their grey
    levels (a few units of JPEG noise where untouched; near 127 where blocks replaced stripes)."""
    from PIL import ImageChops, ImageStat

    return ImageStat.Stat(ImageChops.difference(image.convert("L").crop(box), original.convert("L").crop(box))).mean[0]


def test_the_blur_editor_fits_the_window_and_blurs_the_real_pixels_under_the_scaled_canvas(
        new_context, sign_in, tmp_path):
    """A 1000 x 1600 photo is shown scaled down (the buttons stay in view); a blur dragged on the
    scaled canvas lands on the same part of the image sent, in its real pixels."""
    from PIL import Image

    ravi = person(new_context, sign_in, RAVI, f"/t/{TOPIC}/new", live=False)
    picture = tmp_path / "portrait.jpg"
    picture.write_bytes(striped_portrait())
    ravi.locator("#thread-files").set_input_files(str(picture))
    canvas = ravi.locator("[data-blur-editor] canvas")
    expect(canvas).to_be_visible()
    viewport = ravi.viewport_size
    box = canvas.bounding_box()
    assert box["height"] <= viewport["height"] * 0.6 + 2 and box["width"] <= viewport["width"]
    assert abs(box["width"] / box["height"] - 1000 / 1600) < 0.02  # proportions kept
    assert ravi.evaluate("document.querySelector('[data-blur-editor] canvas').width") == 1000
    send = ravi.get_by_role("button", name="Send image")
    send.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box["y"] + box["height"] <= viewport["height"] and send.bounding_box()["y"] < viewport["height"]
    # Drag from 10% / 10% to 50% / 40% of the displayed canvas: image pixels (100, 160) to (500, 640).
    ravi.mouse.move(box["x"] + box["width"] * 0.1, box["y"] + box["height"] * 0.1)
    ravi.mouse.down()
    ravi.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.4, steps=4)
    ravi.mouse.up()
    send.click()
    item = ravi.locator("[data-attach-list] .attach-item")
    expect(item).to_have_count(1)
    upload_id = item.locator('input[name="attachments"]').get_attribute("value")
    served = ravi.request.get(f"/files/{upload_id}/portrait.jpg")
    assert served.status == 200, served.status
    image = Image.open(io.BytesIO(served.body()))
    assert image.size == (1000, 1600)
    original = Image.open(io.BytesIO(striped_portrait()))
    assert _changed(image, original, (150, 220, 450, 580)) > 60  # inside the blur: blocks, not stripes
    for outside in ((560, 220, 900, 580), (150, 700, 450, 1000), (150, 20, 450, 130)):
        assert _changed(image, original, outside) < 20, outside  # beside, below and above: untouched
    assert page_errors(new_context.console) == []


SIZES = (0, 1, 380, 1023, 11674, 10239, 2621440, 10 * 1024 * 1024)


@pytest.mark.parametrize("lang", ["en", "ar", "fr"])
def test_the_scripts_file_sizes_are_the_pages(new_context, sign_in, lang):
    """fileSize() of static/js/attachments.js (live posts, the composer's list) writes what the
    server's |filesize writes (community/i18n.py), in the page's language."""
    from community.i18n import _size_in

    ravi = person(new_context, sign_in, RAVI, f"/t/{TOPIC}/new?lang={lang}", live=False)
    assert ravi.evaluate("document.documentElement.lang") == lang
    written = ravi.evaluate("""async (sizes) => {
      const { fileSize } = await import("/static/js/attachments.js");
      return sizes.map(fileSize);
    }""", list(SIZES))
    assert written == [_size_in(size, lang) for size in SIZES]


# Drag and drop as a browser does it: a DataTransfer holding a File, and the dragenter, dragover
# and drop events on the composer's drop zone (static/js/attach.js, [data-attach-drop]).
DROP = """([input, name, text]) => {
  const zone = document.getElementById(input).closest("[data-attach-drop]");
  const data = new DataTransfer();
  data.items.add(new File([text], name, { type: "text/plain" }));
  const seen = [];
  for (const type of ["dragenter", "dragover", "drop"]) {
    const event = new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: data });
    zone.dispatchEvent(event);
    seen.push(event.defaultPrevented);
    if (type === "dragover") seen.push(zone.classList.contains("is-dragging"));
  }
  seen.push(zone.classList.contains("is-dragging"));
  return seen;
}"""


def test_files_dropped_on_the_composer_are_uploaded_on_the_new_thread_page_and_the_thread_page(new_context, sign_in):
    marker = uuid.uuid4().hex[:6]
    ravi = person(new_context, sign_in, RAVI, f"/t/{TOPIC}/new", live=False)
    # the drop zone takes the drop (every event's default prevented), highlighted while dragging
    assert ravi.evaluate(DROP, ["thread-files", "checklist.txt", "Dormitory checklist\n"]) == [
        True, True, True, True, False]
    items = ravi.locator("[data-attach-list] .attach-item")
    expect(items).to_have_count(1)
    expect(items.first).to_contain_text("checklist.txt")
    expect(items.first.locator('input[name="attachments"]')).to_be_checked()
    ravi.get_by_label("Title", exact=True).fill(f"Our dormitory checklist {marker}")
    ravi.get_by_label("Message", exact=True).fill("The checklist we use, attached.")
    with ravi.expect_navigation():
        ravi.get_by_role("button", name="Start thread").click()
    expect(ravi.locator(".post--opening .post-attachment--file")).to_contain_text("checklist.txt")

    connected(ravi)
    assert ravi.evaluate(DROP, ["composer-files", "notes.txt", "Notes from the visit\n"])[-1] is False
    items = ravi.locator("[data-attach-list] .attach-item")
    expect(items).to_have_count(1)
    expect(items.first).to_contain_text("notes.txt")
    ravi.get_by_label("Message", exact=True).fill("And the notes of the visit.")
    ravi.get_by_role("button", name="Post reply").click()
    expect(ravi.locator("#composer-status")).to_contain_text("posted")
    expect(ravi.locator(".post:not(.post--opening) .post-attachment--file").last).to_contain_text("notes.txt")
    assert page_errors(new_context.console) == []
