// Similar questions while a new thread's title is typed (templates/new_thread.html).
// Debounced GET /api/v1/search/similar?title=...; answered questions come first.
// The status line is a polite live region (announced, never steals focus); the list
// is plain links that open in a new tab, so the text being written is never lost.
import { t, tn } from "./i18n.js";
import { threadTitle } from "./titles.js";

const input = document.getElementById("thread-title");
const box = document.getElementById("similar-questions");
if (input && box) start();

function start() {
  const status = document.getElementById("similar-questions-status");
  const list = document.getElementById("similar-questions-list");
  const url = box.dataset.similarUrl;
  const WAIT_MS = 350;
  const MIN_CHARS = 4;
  let timer = null;
  let controller = null;
  let lastTitle = "";
  let lastShown = "";

  function clear() {
    lastShown = "";
    list.replaceChildren();
    list.hidden = true;
    status.textContent = "";
  }

  function item(result) {
    const thread = result.thread;
    const li = document.createElement("li");
    li.className = "mb-1";
    const link = document.createElement("a");
    link.href = thread.url;
    link.target = "_blank";
    link.rel = "noopener";
    link.textContent = threadTitle(thread);
    link.dir = "auto"; // a title cannot reorder the list around it
    const newTab = document.createElement("span");
    newTab.className = "visually-hidden";
    newTab.textContent = ` ${t("(opens in a new tab)")}`;
    link.append(newTab);
    li.append(link);
    if (result.answered) {
      const badge = document.createElement("span");
      badge.className = "badge text-bg-success ms-2";
      badge.textContent = t("Answered");
      li.append(badge);
    }
    const meta = document.createElement("span");
    meta.className = "text-body-secondary ms-2";
    meta.textContent = tn("%(num)s reply", "%(num)s replies", thread.reply_count);
    li.append(meta);
    return li;
  }

  function show(results) {
    const key = results.map(function (r) { return r.thread.id + (r.answered ? "a" : ""); }).join(",");
    if (key === lastShown) return; // the same list: do not re-announce it
    if (!results.length) {
      clear();
      return;
    }
    lastShown = key;
    list.replaceChildren.apply(list, results.map(item));
    list.hidden = false;
    const n = results.length;
    status.textContent = tn(
      "%(num)s similar question was already asked (answered first). Does one of them answer yours?",
      "%(num)s similar questions were already asked (answered first). Does one of them answer yours?", n);
  }

  async function lookUp() {
    const title = input.value;
    if (title.trim().length < MIN_CHARS) {
      lastTitle = "";
      clear();
      return;
    }
    if (title === lastTitle) return;
    lastTitle = title;
    if (controller) controller.abort();
    controller = new AbortController();
    try {
      const response = await fetch(url + "?limit=5&title=" + encodeURIComponent(title), {
        credentials: "same-origin", headers: {Accept: "application/json"}, signal: controller.signal,
      });
      if (!response.ok) return; // suggestions are a help, never an obstacle
      const data = await response.json();
      show(data.results || []);
    } catch (err) {
      if (err.name !== "AbortError") clear();
    }
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(lookUp, WAIT_MS);
  });
  if (input.value.trim().length >= MIN_CHARS) lookUp(); // a re-rendered form keeps its title
}
