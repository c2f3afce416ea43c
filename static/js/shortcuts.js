/*
 * Keyboard shortcuts in the style of Discourse and GitHub, listed on /help/shortcuts:
 *   j / k  next / previous post (the page scrolls to it and it takes the focus)
 *   r      reply (to the post the keyboard is on, else to the thread)
 *   /      search
 *   ?      the list of shortcuts
 * Never while typing (inputs, text areas, selects, editable text) or with Ctrl, Alt or Meta:
 * the browser's and the screen reader's own keys stay theirs.
 */
import { $, $$ } from "./dom.js";

const TYPING = "input, textarea, select, [contenteditable=''], [contenteditable='true']";

function posts() {
  return $$("article.post").filter((post) => !post.closest("template") && post.offsetParent !== null);
}

function current(list) {
  const marked = list.findIndex((post) => post.classList.contains("post--current"));
  if (marked >= 0) return marked;
  const focused = list.findIndex((post) => post.contains(document.activeElement));
  return focused;
}

function moveTo(post) {
  for (const other of $$("article.post.post--current")) other.classList.remove("post--current");
  post.classList.add("post--current");
  if (!post.hasAttribute("tabindex")) post.setAttribute("tabindex", "-1");
  post.focus({ preventScroll: true });
  const still = window.matchMedia?.("(prefers-reduced-motion: reduce)").matches;
  post.scrollIntoView({ block: "start", behavior: still ? "auto" : "smooth" });
}

function step(delta) {
  const list = posts();
  if (!list.length) return false;
  const at = current(list);
  const next = at < 0 ? (delta > 0 ? 0 : list.length - 1) : Math.min(Math.max(at + delta, 0), list.length - 1);
  moveTo(list[next]);
  return true;
}

function reply() {
  const list = posts();
  const at = current(list);
  const control = (at >= 0 ? list[at].querySelector(".js-reply:not([hidden])") : null)
    || $("#composer textarea, #composer [name='body']");
  if (!control) return false;
  if (control.matches("a, button")) control.click();
  else control.focus();
  return true;
}

function search() {
  const field = $("#nav-search") || $("input[type='search']");
  if (!field) return false;
  const toggler = $(".navbar-toggler");
  if (field.offsetParent === null && toggler) toggler.click(); // the menu is folded on phones
  field.focus();
  field.select?.();
  return true;
}

const ACTIONS = {
  j: () => step(1),
  k: () => step(-1),
  r: reply,
  "/": search,
  "?": () => { location.assign("/help/shortcuts"); return true; },
};

document.addEventListener("keydown", (event) => {
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
  if (event.target.closest?.(TYPING)) return;
  const action = ACTIONS[event.key];
  if (action && action()) event.preventDefault();
});
