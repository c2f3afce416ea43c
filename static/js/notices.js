/*
 * Telling the reader what happened without moving their focus: announce() speaks through the
 * polite live region #live-announcer (base.html); showBanner() puts a notice at the top of the
 * page (#live-status), with an optional action button.
 */
import { $, $$ } from "./dom.js";

const announcer = $("#live-announcer");
let announceTimer;
let toAnnounce = [];

export function announce(text) {
  if (!announcer || !text) return;
  // Messages arriving together are read together, not one over the other.
  if (!toAnnounce.includes(text)) toAnnounce.push(text);
  clearTimeout(announceTimer);
  announceTimer = setTimeout(() => {
    const message = toAnnounce.join(" ");
    toAnnounce = [];
    announcer.textContent = "";
    // A fresh text after a tick makes screen readers repeat an identical message.
    setTimeout(() => { announcer.textContent = message; }, 60);
  }, 200);
}

/** A notice at the top of the page; `key` replaces an earlier notice with the same key. */
export function showBanner(text, { kind = "warning", actionText = null, onAction = null, key = null } = {}) {
  let host = $("#live-status");
  if (!host) {
    host = document.createElement("div");
    host.className = "live-status";
    host.setAttribute("role", "status");
    host.setAttribute("aria-live", "polite");
    ($("#main") || document.body).prepend(host);
  }
  if (key) $$(`[data-banner="${key}"]`, host).forEach((el) => el.remove());
  const box = document.createElement("div");
  box.className = `alert alert-${kind} d-flex flex-wrap gap-2 align-items-center mb-2`;
  if (key) box.dataset.banner = key;
  const span = document.createElement("span");
  span.dir = "auto"; // may carry a name or a reason someone wrote
  span.textContent = text;
  box.append(span);
  if (actionText && onAction) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-sm btn-outline-dark";
    button.textContent = actionText;
    button.addEventListener("click", onAction);
    box.append(button);
  }
  host.append(box);
  return box;
}
