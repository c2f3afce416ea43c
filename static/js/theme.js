/*
 * The colour mode (Bootstrap 5.3's colour modes: data-bs-theme on <html>).
 *
 * The reader chooses Light, Dark or "Like my system" in the page footer; the choice is kept in
 * the `theme` cookie, so the server renders the page in an explicit choice (no script needed,
 * and without JavaScript the footer form sets it). "Like my system" follows the operating
 * system's setting, also when it changes while the page is open. Loaded early and async in
 * <head> (base.html) so the page rarely shows in the other mode first; it imports nothing.
 */
const root = document.documentElement;
const media = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
const CHOICES = ["auto", "light", "dark"];

const choice = () => (CHOICES.includes(root.dataset.themeChoice) ? root.dataset.themeChoice : "auto");

function apply() {
  const wanted = choice() === "auto" ? (media?.matches ? "dark" : "light") : choice();
  root.setAttribute("data-bs-theme", wanted);
}

function choose(value) {
  if (!CHOICES.includes(value)) return;
  root.dataset.themeChoice = value;
  const secure = location.protocol === "https:" ? "; Secure" : "";
  document.cookie = `theme=${value}; Path=/; Max-Age=${365 * 86400}; SameSite=Lax${secure}`;
  apply();
}

apply();
media?.addEventListener?.("change", apply);

function wireSwitch() {
  const picker = document.getElementById("theme-picker");
  if (!picker) return;
  picker.addEventListener("change", () => choose(picker.value));
  // The switch works at once: the button is for pages without JavaScript.
  document.querySelector(".js-theme-submit")?.setAttribute("hidden", "");
}
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", wireSwitch);
else wireSwitch();
