/*
 * Blur parts of an image before it is sent: the author drags rectangles over faces, name
 * tags or anything else, and those parts are pixelated in the browser. The image the
 * server receives never held those pixels (the server then removes all metadata anyway).
 *
 * editImage(file, container) resolves with the file to send (the original when nothing
 * was blurred), or null when the author cancels.
 */
import { t } from "./i18n.js";

const EDITABLE = new Set(["image/jpeg", "image/png", "image/webp"]);

export const canBlur = (file) => EDITABLE.has(file?.type);

/** The picture of `file`, decoded by the browser (no object URL: the page's CSP allows none). */
function loadImage(file) {
  return createImageBitmap(file, { imageOrientation: "from-image" });
}

/** Pixelate the rectangle (x, y, w, h) of the canvas: blocks of about 1/12 of its smaller side. */
export function pixelate(canvas, x, y, w, h) {
  if (w < 2 || h < 2) return;
  const block = Math.max(6, Math.round(Math.min(w, h) / 12));
  const small = document.createElement("canvas");
  small.width = Math.max(1, Math.ceil(w / block));
  small.height = Math.max(1, Math.ceil(h / block));
  small.getContext("2d").drawImage(canvas, x, y, w, h, 0, 0, small.width, small.height);
  const ctx = canvas.getContext("2d");
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(small, 0, 0, small.width, small.height, x, y, w, h);
  ctx.imageSmoothingEnabled = true;
}

function button(text, cls) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = `btn btn-sm ${cls}`;
  b.textContent = text;
  return b;
}

export async function editImage(file, container) {
  let img;
  try {
    img = await loadImage(file);
  } catch {
    return file; // the browser cannot show it: the server will say what is wrong with it
  }
  const canvas = document.createElement("canvas");
  canvas.width = img.width;
  canvas.height = img.height;
  // Shown scaled down to fit (static/css/app.css .blur-canvas: the width of the composer, 60% of
  // the window's height); the canvas itself keeps the image's real pixels.
  canvas.className = "blur-canvas border";
  canvas.style.cursor = "crosshair";
  canvas.style.touchAction = "none";
  canvas.setAttribute("role", "img");
  canvas.setAttribute("aria-label", t("The image, to blur parts of it"));
  canvas.getContext("2d").drawImage(img, 0, 0);

  const panel = document.createElement("div");
  panel.className = "blur-editor border rounded p-2 my-2";
  panel.dataset.blurEditor = "";
  const help = document.createElement("p");
  help.className = "small mb-1";
  help.textContent = t("Drag over faces or anything else that should not be seen, to blur it. Then send the image.");
  const send = button(t("Send image"), "btn-primary");
  const undo = button(t("Undo blurs"), "btn-outline-secondary");
  const cancel = button(t("Do not send"), "btn-link");
  const actions = document.createElement("div");
  actions.className = "d-flex gap-2 mt-1";
  actions.append(send, undo, cancel);
  panel.append(help, canvas, actions);
  container.append(panel);

  let blurred = 0;
  let start = null;
  // A pointer's place on the displayed (scaled) canvas, in the image's real pixels: inside the
  // border, times the real size over the displayed size.
  const toImage = (event) => {
    const box = canvas.getBoundingClientRect();
    const x = (event.clientX - box.left - canvas.clientLeft) * (canvas.width / (canvas.clientWidth || 1));
    const y = (event.clientY - box.top - canvas.clientTop) * (canvas.height / (canvas.clientHeight || 1));
    return [Math.max(0, Math.min(canvas.width, x)), Math.max(0, Math.min(canvas.height, y))];
  };
  canvas.addEventListener("pointerdown", (event) => {
    start = toImage(event);
    canvas.setPointerCapture(event.pointerId);
  });
  canvas.addEventListener("pointerup", (event) => {
    if (!start) return;
    const [x2, y2] = toImage(event);
    const [x1, y1] = start;
    start = null;
    const x = Math.max(0, Math.min(x1, x2));
    const y = Math.max(0, Math.min(y1, y2));
    const w = Math.min(canvas.width, Math.max(x1, x2)) - x;
    const h = Math.min(canvas.height, Math.max(y1, y2)) - y;
    if (w >= 2 && h >= 2) {
      pixelate(canvas, Math.round(x), Math.round(y), Math.round(w), Math.round(h));
      blurred += 1;
    }
  });

  return new Promise((resolve) => {
    const finish = (result) => {
      panel.remove();
      img.close();
      resolve(result);
    };
    undo.addEventListener("click", () => {
      canvas.getContext("2d").drawImage(img, 0, 0);
      blurred = 0;
    });
    cancel.addEventListener("click", () => finish(null));
    send.addEventListener("click", () => {
      if (!blurred) {
        finish(file);
        return;
      }
      canvas.toBlob((blob) => {
        finish(blob ? new File([blob], file.name, { type: file.type }) : file);
      }, file.type, 0.92);
    });
    send.focus();
  });
}
