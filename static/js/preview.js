/*
 * "Preview" beside a composer: what the text will look like, rendered by the server
 * (POST /api/v1/preview: the one sanitiser, the same limits as sending), with its notes on
 * what will not be shown as written (an image, raw HTML). Nothing is saved or sent.
 *
 * The notes come without a click: when the text holds "![" or "<" (where an image or a tag
 * may start), the server is asked again a moment after typing stops, and its notes show
 * under the field. Which text is an image or a tag is the server's parse alone; the script
 * only decides when asking is worth it (the part that could matter changed).
 *
 * The field says which rule holds: data-preview-kind (post / question / answer / chat).
 */
import { csrfToken, debounce } from "./dom.js";
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

// Where an image or a tag may start: only then is the server asked without a click.
const MAY_NOT_SHOW = /!\[|</;
// The parts of a text that decide its notes: what could be an image or a tag, and the code
// marks around them (a tag inside `code` is shown as typed, and is no note).
const PARTS = /!\[[^\]\n]*\]?(?:\([^)\s]*\)?)?|<\/?[^\s<>]*>?|`+|~~~/g;
const notesKey = (text) => (text.match(PARTS) || []).join("\n");
const AUTO_NOTES_MS = 700;

/**
 * A Preview button after `field`'s counter or help, the notes on what will not be shown
 * (kept up to date while typing) and the panel the button fills. Returns { refresh() },
 * for a script that sets the field's text itself (after sending). With `button: false`
 * (a one-line chat message), the notes alone.
 */
export function attachPreview(field, { button: withButton = true } = {}) {
  const kind = field?.dataset.previewKind;
  if (!field || !kind || field.dataset.previewAttached) return { refresh() {} };
  field.dataset.previewAttached = "1";
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
  // Outside the panel: the notes are about the text, shown whether the preview is open or not.
  const notes = document.createElement("ul");
  notes.id = `${id}-notes`;
  notes.className = "composer-preview-notes list-unstyled small mt-2 mb-0";
  notes.setAttribute("role", "status");
  notes.hidden = true;
  const body = document.createElement("div");
  body.className = "composer-preview-body post-body";
  body.dir = "auto";
  panel.append(body);
  const anchor = document.getElementById(`${id}-count`) || field.closest("text-expander") || field;
  if (withButton) anchor.after(bar, notes, panel);
  else anchor.after(notes);
  let asked = ""; // the parts of the text the notes shown are about
  let ticket = 0; // the latest question to the server: older answers are dropped
  function showNotes(items) {
    notes.replaceChildren(...items);
    notes.hidden = !items.length;
  }

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
      showNotes([note(tooLong, "alert-danger")]);
      body.replaceChildren();
      return;
    }
    button.dataset.busy = "1";
    button.textContent = t("Preview…");
    try {
      const data = await fetchPreview(field.value, kind);
      const items = (data.notes || []).map((n) => note(n.message, "alert-warning"));
      showNotes(items);
      asked = notesKey(field.value);
      ticket += 1;
      setHTML(body, data.html); // sanitised by the server (community.markup)
      if (!data.html) body.textContent = t("Nothing to preview yet.");
      button.dataset.shown = field.value;
      button.textContent = t("Hide the preview");
      if (items.length) announce((data.notes || []).map((n) => n.message).join(" "));
    } catch (error) {
      showNotes([note(error.message, "alert-danger")]);
      body.replaceChildren();
      button.textContent = t("Preview");
      announce(error.message);
    } finally {
      delete button.dataset.busy;
    }
  });
  // The notes without a click: asked again only when the parts that decide them changed.
  async function checkNotes() {
    const text = field.value;
    if (!MAY_NOT_SHOW.test(text)) {
      asked = "";
      ticket += 1; // an answer on its way is about an older text
      showNotes([]);
      return;
    }
    const key = notesKey(text);
    if (key === asked || tooLongMessage(field)) return; // too long: the counter says so
    asked = key;
    const mine = ++ticket;
    try {
      const data = await fetchPreview(text, kind);
      if (mine === ticket) showNotes((data.notes || []).map((n) => note(n.message, "alert-warning")));
    } catch {
      if (mine === ticket) asked = ""; // unreachable or too many previews: the next pause asks again
    }
  }
  const checkSoon = debounce(checkNotes, AUTO_NOTES_MS);
  // Typing again makes the shown preview stale: the button offers a fresh one.
  field.addEventListener("input", () => {
    if (withButton && !panel.hidden) button.textContent = t("Update the preview");
    checkSoon();
  });
  if (MAY_NOT_SHOW.test(field.value)) checkSoon(); // a kept draft, or a refused form's text
  return { refresh: checkSoon };
}
