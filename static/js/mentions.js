// @mention autocomplete for composers, on GitHub's <text-expander> element
// (vendor/text-expander/bundle.js from npm @github/text-expander-element).
// Suggestions come from GET /api/v1/users?q=&thread=<id> (or &topic=<slug> on the new-thread
// page): only people who may read what is being written, from the 2nd character on; choosing
// one inserts "@handle ".
import { t } from "./i18n.js";

function option(user) {
  const li = document.createElement("li");
  li.setAttribute("role", "option");
  li.className = "list-group-item list-group-item-action py-1";
  li.dataset.value = "@" + user.handle;
  li.id = "mention-" + user.handle.replace(/[^a-z0-9-]/gi, "-");
  const name = document.createElement("bdi");  // a name cannot reorder the line around it
  name.className = "fw-bold";
  name.textContent = user.name;
  const rest = document.createElement("span");
  rest.className = "text-body-secondary small ms-2";
  const org = document.createElement("bdi");
  org.textContent = user.organisation;
  rest.append("@" + user.handle + " · ", org);
  li.append(name, rest);
  return li;
}

const MIN_CHARS = 2;
const MAX_RESULTS = 10; // the server's cap
const answers = new Map(); // "context|prefix" -> users (the lookup is rate limited: ask less)

function matches(user, text) {
  const q = text.toLowerCase();
  return user.handle.toLowerCase().startsWith(q) || user.name.toLowerCase().startsWith(q);
}

async function suggestions(text, where) {
  const context = where.thread ? "&thread=" + encodeURIComponent(where.thread)
    : "&topic=" + encodeURIComponent(where.topic || "");
  // A shorter prefix that found fewer than the cap found everyone this one can: filter it here.
  for (let n = text.length; n >= MIN_CHARS; n -= 1) {
    const known = answers.get(context + "|" + text.slice(0, n).toLowerCase());
    if (known && (n === text.length || known.length < MAX_RESULTS)) return known.filter((u) => matches(u, text));
  }
  const response = await fetch("/api/v1/users?q=" + encodeURIComponent(text) + context, {
    credentials: "same-origin", headers: {Accept: "application/json"},
  });
  if (!response.ok) return [];
  const users = (await response.json()).users || [];
  answers.set(context + "|" + text.toLowerCase(), users);
  return users;
}

// The element's events do not bubble: listen on each expander.
function onChange(event) {
  const {key, provide, text} = event.detail;
  const where = event.currentTarget.dataset;  // data-thread / data-topic on the expander
  if (key !== "@" || text.length < MIN_CHARS || !(where.thread || where.topic)) return;
  provide(suggestions(text, where).then((users) => {
    if (!users.length) return {matched: false};
    const menu = document.createElement("ul");
    menu.setAttribute("role", "listbox");
    menu.setAttribute("aria-label", t("People to mention"));
    menu.className = "mention-menu list-group shadow-sm";
    users.forEach((user) => menu.append(option(user)));
    return {matched: true, fragment: menu};
  }));
}

function onValue(event) {
  const item = event.detail.item;
  if (item && item.dataset.value) event.detail.value = item.dataset.value;
}

function wire() {
  document.querySelectorAll("text-expander").forEach((expander) => {
    if (expander.dataset.mentions) return;
    expander.dataset.mentions = "on";
    expander.addEventListener("text-expander-change", onChange);
    expander.addEventListener("text-expander-value", onValue);
  });
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", wire);
else wire();
