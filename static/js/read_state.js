/*
 * Read state on every page: `read.updated` (the person's own room, from their other tabs and
 * from this one) updates the unread and new badges of thread lists (the topic page, the
 * home page's lists), the home page's topic cards and Unread tab, and the navigation.
 *
 * A thread's change comes with its `unread` count; a "mark all read" (a topic, or
 * everything: `topic: null`) with `all: true`. Counts per topic are asked again from
 * GET /api/v1/me/unread (once, shortly after a burst of changes) on pages that show them.
 */
import { $, $$, debounce } from "./dom.js";
import { tn } from "./i18n.js";
import { socket } from "./socket.js";

const listeners = [];

// This browser runs our scripts (for a day, renewed on every page): the server then leaves
// recording what a thread page showed to reading.js, which records posts as they are seen.
document.cookie = "rt_js=1; path=/; max-age=86400; SameSite=Lax";

/** Call `hook(data)` on every read.updated (the thread page follows its own mark with it). */
export function onReadUpdated(hook) { listeners.push(hook); }

function rowsOf(threadId) {
  return $$(`.thread-row[data-thread-id="${threadId}"], .home-row[data-thread-id="${threadId}"]`);
}

function setRowUnread(row, unread) {
  const threadId = row.dataset.threadId;
  row.querySelector(".new-badge")?.remove();
  let badge = row.querySelector(".unread-badge");
  const title = row.querySelector("a.thread-title");
  if (!unread) {
    badge?.remove();
    row.classList.remove("home-row--unread");
    if (title) title.href = `/threads/${threadId}`;
    return;
  }
  if (!badge) {
    badge = document.createElement("a");
    badge.className = "badge text-bg-primary unread-badge";
    badge.href = `/threads/${threadId}/unread`;
    title?.after(" ", badge);
  }
  badge.textContent = tn("%(num)s unread", "%(num)s unread", unread);
  if (title) title.href = `/threads/${threadId}/unread`;
}

function clearTopic(slug) {
  const pageTopic = $("#topic")?.dataset.topicSlug;
  for (const row of $$(".thread-row[data-thread-id], .home-row[data-thread-id]")) {
    const rowTopic = row.dataset.topicSlug || pageTopic;
    if (slug === null || rowTopic === slug) setRowUnread(row, 0);
  }
  if (slug === null || pageTopic === slug) $(".topic-mark-read")?.remove();
}

function setBadge(holder, selector, className, text, href) {
  let badge = holder.querySelector(selector);
  if (!text) {
    badge?.remove();
    return;
  }
  if (!badge) {
    badge = document.createElement("a");
    badge.className = className;
    badge.href = href;
    holder.prepend(badge, " ");
  }
  badge.textContent = text;
}

/** The home page's topic cards, its Unread tab and the navigation, from GET /api/v1/me/unread. */
async function refreshCounts() {
  let summary;
  try {
    const response = await fetch("/api/v1/me/unread", { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!response.ok) return;
    summary = await response.json();
  } catch {
    return;
  }
  let total = 0;
  for (const topic of summary.topics || []) {
    const unread = Number(topic.unread || 0);
    const fresh = Number(topic.new || 0);
    total += unread + fresh;
    const meta = $(`.topic-card[data-topic-slug="${CSS.escape(String(topic.slug))}"] .topic-card-meta`);
    if (!meta) continue;
    const href = `/t/${encodeURIComponent(topic.slug)}`;
    setBadge(meta, ".new-badge", "badge text-bg-info new-badge", fresh ? tn("%(num)s new", "%(num)s new", fresh) : "", href);
    setBadge(meta, ".unread-badge", "badge text-bg-primary unread-badge",
      unread ? tn("%(num)s unread", "%(num)s unread", unread) : "", href);
  }
  showTotal(total);
}

function showTotal(total) {
  const tab = $("#home-unread-count");
  if (tab) {
    tab.textContent = String(total);
    tab.hidden = !total;
  }
  const nav = $("#nav-unread");
  if (nav) {
    nav.textContent = total ? String(total) : "";
    nav.hidden = !total;
  }
  if (!total) $(".home-mark-read")?.remove();
}

const countsShown = () => Boolean($(".topic-card[data-topic-slug]") || $("#home-unread-count") || $("#nav-unread:not([hidden])"));
const refreshSoon = debounce(refreshCounts, 1000);

if (socket) {
  socket.on("read.updated", (data) => {
    if (!data) return;
    if (data.all) {
      clearTopic(data.topic ?? null);
    } else if (data.thread_id) {
      for (const row of rowsOf(Number(data.thread_id))) setRowUnread(row, Number(data.unread || 0));
    }
    for (const hook of listeners) {
      try { hook(data); } catch (error) { console.error("read.updated hook failed", error); }
    }
    if (countsShown()) refreshSoon();
  });
}
