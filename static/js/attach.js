/*
 * The files of a post being written (templates/partials/attach_field.html): pick them or
 * drop them, blur parts of images (blur.js), and they are sent at once to POST /api/v1/uploads;
 * each stored file becomes a checked `attachments` box, which the socket composer sends as ids
 * and the plain form posts as it is. Without JavaScript the file input posts the files itself.
 */
import { $, csrfToken, safePath } from "./dom.js";
import { t } from "./i18n.js";
import { fileSize } from "./attachments.js";
import { canBlur, editImage } from "./blur.js";
import { announce } from "./notices.js";

const fields = new WeakMap();

function item(upload) {
  const li = document.createElement("li");
  li.className = "attach-item";
  li.dataset.uploadId = String(upload.id);
  const label = document.createElement("label");
  const box = document.createElement("input");
  box.type = "checkbox";
  box.name = "attachments";
  box.value = String(upload.id);
  box.checked = true;
  const name = document.createElement("bdi");
  name.textContent = upload.name || "";
  const size = document.createElement("span");
  size.className = "text-body-secondary";
  size.textContent = ` (${fileSize(upload.size)})`;
  label.append(box, " ", name, size);
  const url = safePath(upload.thumbnail_url);
  if (url) {
    const img = document.createElement("img");
    img.src = url;
    img.alt = "";
    img.className = "attach-thumb ms-2";
    img.style.maxHeight = "3em";
    label.append(img);
  }
  li.append(label);
  return li;
}

function initField(field) {
  const input = field.querySelector('input[type="file"]');
  const list = field.querySelector("[data-attach-list]");
  const drop = field.querySelector("[data-attach-drop]");
  const uploadUrl = safePath(field.dataset.uploadUrl);
  if (!input || !list || !uploadUrl || !window.fetch) return null;
  const maxBytes = Number(field.dataset.maxBytes || 0);
  field.querySelector("[data-attach-hint]")?.removeAttribute("hidden");
  field.querySelector("[data-attach-blur-note]")?.removeAttribute("hidden");
  const status = document.createElement("p");
  status.className = "small mb-0";
  status.setAttribute("role", "status");
  field.append(status);
  const error = document.createElement("p");
  error.className = "small text-danger mb-0";
  error.setAttribute("role", "alert");
  field.append(error);
  let busy = 0;

  async function send(file) {
    error.textContent = "";
    if (maxBytes && file.size > maxBytes) {
      error.textContent = t("%(name)s is too large: files may be up to %(size)s.", { name: file.name, size: fileSize(maxBytes) });
      return;
    }
    const chosen = canBlur(file) ? await editImage(file, field) : file;
    if (!chosen) return;
    busy += 1;
    status.textContent = t("Sending %(name)s…", { name: file.name });
    const body = new FormData();
    body.append("file", chosen, file.name);
    try {
      const response = await fetch(uploadUrl, {
        method: "POST", body, credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
      });
      const data = await response.json().catch(() => ({}));
      if (!response.ok || !data.upload) {
        error.textContent = data?.error?.message || t("%(name)s was not sent.", { name: file.name });
        status.textContent = "";
        return;
      }
      list.append(item(data.upload));
      status.textContent = t("%(name)s is ready: it will be in your post.", { name: data.upload.name });
      announce(status.textContent);
    } catch {
      error.textContent = t("%(name)s was not sent: no connection.", { name: file.name });
      status.textContent = "";
    } finally {
      busy -= 1;
    }
  }

  async function sendAll(files) {
    for (const file of Array.from(files || [])) await send(file);
  }

  input.addEventListener("change", () => {
    const files = Array.from(input.files || []);
    input.value = ""; // sent here: the form must not send them again
    sendAll(files);
  });
  for (const name of ["dragenter", "dragover"]) {
    drop?.addEventListener(name, (event) => {
      event.preventDefault();
      drop.classList.add("is-dragging");
    });
  }
  drop?.addEventListener("dragleave", () => drop.classList.remove("is-dragging"));
  drop?.addEventListener("drop", (event) => {
    event.preventDefault();
    drop.classList.remove("is-dragging");
    sendAll(event.dataTransfer?.files);
  });

  field.closest("form")?.addEventListener("submit", (event) => {
    if (busy > 0) {
      event.preventDefault();
      event.stopImmediatePropagation();
      error.textContent = t("Wait until your files are sent, then post.");
    }
  }, true);

  return {
    /** The ids of the files the author kept checked. */
    ids: () => Array.from(list.querySelectorAll('input[name="attachments"]:checked'), (box) => Number(box.value)),
    /** Still sending a file? */
    busy: () => busy > 0,
    /** After the post went: nothing attached any more. */
    clear() {
      list.replaceChildren();
      status.textContent = "";
      error.textContent = "";
    },
    /** A draft's ids shown again after a reload (names unknown: the id stands in). */
    restore(ids) {
      for (const id of ids || []) {
        if (!list.querySelector(`[data-upload-id="${Number(id)}"]`)) list.append(item({ id: Number(id), name: `#${Number(id)}` }));
      }
    },
  };
}

/** The controller of the attach field inside `form` (null when it has none, or no script support). */
export function attachField(form) {
  const field = form ? $("[data-attach-field]", form) : null;
  if (!field) return null;
  if (!fields.has(field)) fields.set(field, initField(field));
  return fields.get(field);
}

for (const form of document.querySelectorAll("form")) {
  if (form.querySelector("[data-attach-field]")) attachField(form);
}
