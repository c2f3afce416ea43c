/*
 * A write refused for going too fast ({code: "rate_limited", retry_after}): the text stays,
 * the send button waits, and the status line says when it can be sent (then that it can).
 */
import { t } from "./i18n.js";

export function holdSend(button, seconds, statusEl) {
  const until = Date.now() + Math.max(1, seconds) * 1000;
  button.disabled = true;
  button.dataset.heldUntil = String(until);
  const tick = () => {
    if (button.dataset.heldUntil !== String(until)) return; // a newer hold took over
    const left = Math.ceil((until - Date.now()) / 1000);
    if (left > 0) {
      if (statusEl) statusEl.textContent = t("You can send it in %(seconds)s s.", { seconds: left });
      setTimeout(tick, 1000);
      return;
    }
    delete button.dataset.heldUntil;
    button.disabled = false;
    if (statusEl) statusEl.textContent = t("You can send it now.");
  };
  tick();
}

export function isHeld(button) {
  return Number(button?.dataset.heldUntil || 0) > Date.now();
}
