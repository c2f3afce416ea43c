/*
 * "Preview" beside a composer: what the text will look like, rendered by the server
 * (POST /api/v1/preview: the one sanitiser, the same limits as sending), with its notes on
 * what will not be shown as written (an image, raw HTML). Nothing is saved or sent.
 *
 * The field says which rule holds: data-preview-kind (post / question / answer / chat).
 */
import { csrfToken } from "./dom.js";
import { t } from "./i18n.js";
import { announce } from "./notices.js";
import { tooLongMessage } from "./textlimit.js";
import { setHTML } from "./template.js";

async function fetchPreview(body, kind) {
  let response;
  try {
    response = await fetch("/api/v1/preview", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), Accept: "application/json" },
      body: JSON.stringify({ body, kind }),
    });
  } catch {
    throw new Error(t("The server could not be reached. Your text is kept; try the preview again."));
  }
  let data = {};
  try { data = await response.json(); } catch { /* an HTML error page */ }
  if (!response.ok) throw new Error(data?.error?.message || t("That did not work (%(status)s).", { status: response.status }));
  return data;
}

/** A Preview button after `field`'s counter or help, and the panel it fills. */
export function attachPreview(field) {
  const kind = field?.dataset.previewKind;
  if (!field || !kind) return;
  const id = field.id;
  const bar = document.createElement("div");
  bar.className = "composer-preview-bar mt-1";
  const button = document.createElement("button");
  button.type = "button";
  button.className = "btn btn-sm btn-outline-secondary";
  button.id = `${id}-preview-button`;
  button.textContent = t("Preview");
  button.setAttribute("aria-controls", `${id}-preview`);
  button.setAttribute("aria-expanded", "false");
  bar.append(button);
  const panel = document.createElement("section");
  panel.id = `${id}-preview`;
  panel.className = "composer-preview border rounded p-2 mt-2";
  panel.hidden = true;
  panel.setAttribute("aria-label", t("Preview"));
  const notes = document.createElement("ul");
  notes.className = "composer-preview-notes list-unstyled small mb-2";
  notes.setAttribute("role", "status");
  const body = document.createElement("div");
  body.className = "composer-preview-body post-body";
  body.dir = "auto";
  panel.append(notes, body);
  const anchor = document.getElementById(`${id}-count`) || field.closest("text-expander") || field;
  anchor.after(bar, panel);

  function note(text, kindClass) {
    const li = document.createElement("li");
    li.className = `alert ${kindClass} py-1 px-2 mb-1`;
    li.textContent = text;
    return li;
  }

  button.addEventListener("click", async () => {
    if (button.dataset.busy) return;
    if (!panel.hidden && button.getAttribute("aria-expanded") === "true" && button.dataset.shown === field.value) {
      panel.hidden = true; // a second click on an unchanged text closes it
      button.setAttribute("aria-expanded", "false");
      button.textContent = t("Preview");
      return;
    }
    panel.hidden = false;
    button.setAttribute("aria-expanded", "true");
    const tooLong = tooLongMessage(field);
    if (tooLong) {
      notes.replaceChildren(note(tooLong, "alert-danger"));
      body.replaceChildren();
      return;
    }
    button.dataset.busy = "1";
    button.textContent = t("Preview…");
    try {
      const data = await fetchPreview(field.value, kind);
      const items = (data.notes || []).map((n) => note(n.message, "alert-warning"));
      notes.replaceChildren(...items);
      setHTML(body, data.html); // sanitised by the server (community.markup)
      if (!data.html) body.textContent = t("Nothing to preview yet.");
      button.dataset.shown = field.value;
      button.textContent = t("Hide the preview");
      if (items.length) announce((data.notes || []).map((n) => n.message).join(" "));
    } catch (error) {
      notes.replaceChildren(note(error.message, "alert-danger"));
      body.replaceChildren();
      button.textContent = t("Preview");
      announce(error.message);
    } finally {
      delete button.dataset.busy;
    }
  });
  // Typing again makes the shown preview stale: the button offers a fresh one.
  field.addEventListener("input", () => {
    if (!panel.hidden) button.textContent = t("Update the preview");
  });
}
