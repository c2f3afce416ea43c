/*
 * The length of what is being written: a live counter under the field, and the check
 * before anything is sent, giving the server's own words ("Your post is too long: 100,000
 * characters, the limit is 20,000.") whatever the length, so a text too long to send is
 * never sent (nor lost: it stays in the field and its draft).
 *
 * The field carries its rule as data: data-max-chars (the server's limit) and
 * data-limit-label (the server's label, "Your post", in the reader's language). Characters
 * are counted as the server counts them: code points, surrounding white space left out.
 */
import { describe } from "./dom.js";
import { lang, t } from "./i18n.js";
import { announce } from "./notices.js";

let numbers;
try {
  numbers = new Intl.NumberFormat(lang);
} catch {
  numbers = new Intl.NumberFormat();
}
const format = (n) => numbers.format(n);

/** Characters as the server counts them (Python's len() of the stripped text). */
export function charCount(text) {
  return Array.from((text || "").trim()).length;
}

/** The server's "too long" message for `field`'s text, or "" when it fits. */
export function tooLongMessage(field, text = field?.value) {
  const max = Number(field?.dataset.maxChars || 0);
  const count = charCount(text);
  if (!max || count <= max) return "";
  return t("%(label)s is too long: %(count)s characters, the limit is %(max)s.", {
    label: field.dataset.limitLabel || t("Your text"), count: format(count), max: format(max) });
}

/**
 * A counter under `field` ("1,234 of 20,000 characters"); past the limit it says so in
 * the server's words and marks itself. Screen readers hear it once, when the limit is
 * crossed, not at every key. Returns { refresh() }.
 */
export function attachCounter(field) {
  const max = Number(field?.dataset.maxChars || 0);
  if (!field || !max) return { refresh() {} };
  const counter = document.createElement("div");
  counter.id = `${field.id}-count`;
  counter.className = "form-text char-counter";
  const anchor = field.closest("text-expander") || field.closest(".live-chat-input") || field;
  const help = anchor.nextElementSibling?.classList.contains("form-text") ? anchor.nextElementSibling : null;
  (help || anchor).after(counter);
  let wasOver = false;
  function refresh() {
    const count = charCount(field.value);
    const over = tooLongMessage(field);
    counter.textContent = over || t("%(count)s of %(max)s characters", { count: format(count), max: format(max) });
    counter.classList.toggle("text-danger", !!over);
    counter.classList.toggle("is-near", !over && count > max * 0.9);
    if (over && !wasOver) announce(over);
    wasOver = !!over;
  }
  field.addEventListener("input", refresh);
  refresh();
  return { refresh };
}

/**
 * The check of a form sent the plain way (no socket): an alert at the top of `form` and a
 * function for its submit event that stops a `field` over its limit with the server's words
 * (announced, tied to the field; `focus`: the field takes the focus) and returns false, or
 * clears the alert and returns true.
 */
export function lengthGuard(form, field, { focus = false } = {}) {
  const error = document.createElement("div");
  error.className = "alert alert-danger";
  error.id = `${field.id}-too-long`;
  error.setAttribute("role", "alert");
  error.hidden = true;
  form.prepend(error);
  return (event) => {
    const tooLong = tooLongMessage(field);
    if (!tooLong) {
      error.hidden = true;
      describe(field, error, false);
      return true;
    }
    event.preventDefault();
    error.textContent = tooLong;
    error.hidden = false;
    describe(field, error, true);
    announce(tooLong);
    if (focus) field.focus();
    return false;
  };
}
