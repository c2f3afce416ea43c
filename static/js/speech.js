/*
 * "Read new messages aloud": spoken with the browser's speech synthesis, only when the
 * reader switched it on (off by default; the choice is kept per person in this browser).
 * Where the browser cannot speak, the switch says so and stays off.
 */
import { store } from "./dom.js";
import { t } from "./i18n.js";

const synth = typeof window !== "undefined" ? window.speechSynthesis : undefined;
export const canSpeak = !!synth && typeof window.SpeechSynthesisUtterance === "function";

/** Speak `text` (queued after what is being said); false when nothing can be spoken. */
export function speak(text) {
  if (!canSpeak || !text) return false;
  const utterance = new window.SpeechSynthesisUtterance(text);
  synth.speak(utterance);
  return true;
}

/** Tie the switch `box` to the stored choice under `key`; returns () => is it on. */
export function speechSwitch(box, key) {
  if (!box) return () => false;
  box.checked = canSpeak && store.get(key) === true;
  if (!canSpeak) {
    box.disabled = true;
    box.title = t("This browser cannot read messages aloud.");
  }
  box.addEventListener("change", () => {
    store.set(key, box.checked);
    if (!box.checked) synth?.cancel();
  });
  return () => canSpeak && box.checked;
}
