/*
 * Small helpers every page script shares: finding elements, the CSRF token, parsing the
 * server's sanitised HTML, drafts in localStorage, ids for idempotent sends, form errors.
 */

export const $ = (selector, root = document) => root.querySelector(selector);
export const $$ = (selector, root = document) => Array.from(root.querySelectorAll(selector));
export const csrfToken = () => $('meta[name="csrf-token"]')?.content || "";
export const userId = Number(document.body.dataset.userId || 0);

/**
 * Parse HTML the server made safe (a post's or question's `html`, rendered and sanitised
 * by community/markup.py, or a blank rendered by a template) into nodes, without running
 * anything: a <template> element's content is inert.
 */
export function parseHTML(html) {
  const template = document.createElement("template");
  template.innerHTML = typeof html === "string" ? html : "";
  return template.content;
}

/** The text of some HTML, whitespace collapsed, cut at `limit` characters with "…". */
export function textOf(html, limit = 80) {
  const text = (parseHTML(html || "").textContent || "").replace(/\s+/g, " ").trim();
  return text.length <= limit ? text : `${text.slice(0, limit - 1).trimEnd()}…`;
}

export const store = {
  get(key) {
    try { return JSON.parse(localStorage.getItem(key) || "null"); } catch { return null; }
  },
  set(key, value) {
    try { localStorage.setItem(key, JSON.stringify(value)); } catch { /* private mode or full */ }
  },
  remove(key) {
    try { localStorage.removeItem(key); } catch { /* ignore */ }
  },
};

export function newClientId() {
  if (window.crypto?.randomUUID) return window.crypto.randomUUID();
  // randomUUID needs a secure context; plain http on a LAN still gets a v4 UUID.
  const b = window.crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function debounce(fn, ms) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

/** Only same-site paths: never a javascript: or another site's URL from a payload. */
export function safePath(url) {
  return typeof url === "string" && url.startsWith("/") && !url.startsWith("//") ? url : null;
}

/** Show (or clear, with "") a form's error box. */
export function showError(el, message) {
  if (!el) return;
  el.textContent = message || "";
  el.hidden = !message;
}

/** Tie a field to its error box (aria-describedby, aria-invalid, .is-invalid) while the error is shown. */
export function describe(field, errorEl, on) {
  if (!field || !errorEl) return;
  const ids = new Set((field.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean));
  if (on) ids.add(errorEl.id); else ids.delete(errorEl.id);
  field.setAttribute("aria-describedby", Array.from(ids).join(" "));
  field.setAttribute("aria-invalid", on ? "true" : "false");
  field.classList.toggle("is-invalid", on);
}
