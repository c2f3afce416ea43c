/*
 * What happens to a thread while its page is open (thread.updated, in the thread's room and,
 * for one's own threads, one's own room): approved, renamed, moved, merged, closed as a
 * duplicate. Lock, pin and the accepted answer are thread.js's (they change controls).
 *
 * The page follows: the "awaiting review" banner goes, the title and breadcrumb change, a
 * merged thread's reader goes to the old address (which leads to the posts where they are
 * now), a duplicate gets a banner linking to the original. Every change is announced.
 */
import { $ } from "./dom.js";
import { t, tNodes } from "./i18n.js";
import { announce, showBanner } from "./notices.js";
import { clearAwaiting } from "./own_posts.js";
import { threadTitle } from "./titles.js";

/** Jinja's truncate(60) for the breadcrumb: cut at a word, "..." after. */
function crumb(title) {
  if (title.length <= 60) return title;
  const cut = title.slice(0, 57);
  const space = cut.lastIndexOf(" ");
  return `${(space > 0 ? cut.slice(0, space) : cut).trimEnd()}...`;
}

function rename(el, title) {
  const heading = $("#thread-title");
  if (!title || !heading || heading.textContent === title) return;
  const before = heading.textContent;
  heading.textContent = title;
  const last = $("#thread-crumb");
  if (last) last.textContent = crumb(title);
  if (document.title.startsWith(before)) document.title = title + document.title.slice(before.length);
  announce(t("This thread was renamed: “%(title)s”.", { title }));
}

function move(el, slug, name) {
  if (!slug || slug === el.dataset.topicSlug) return;
  const link = $("#thread-topic-link");
  if (link) {
    link.setAttribute("href", `/t/${encodeURIComponent(slug)}`);
    if (name) link.textContent = name;
  }
  el.dataset.topicSlug = slug;
  announce(name ? t("This thread was moved to the topic “%(topic)s”.", { topic: name })
    : t("This thread was moved to another topic."));
}

/** Apply `data` (a thread.updated event) to the thread page `el`. */
export function applyThreadChange(el, data) {
  const thread = data.thread || {};
  switch (data.change) {
    case "approved":
      if ($("#thread-awaiting")) announce(t("This thread was approved: everyone in its topic can see it now."));
      clearAwaiting({ thread: true });
      break;
    case "renamed":
      rename(el, data.title || thread.title);
      break;
    case "move":
      move(el, thread.topic, data.topic_name);
      break;
    case "merged": {
      const target = Number(data.merged_into || thread.merged_into || 0);
      if (!target) break;
      const text = t("This thread was merged into another thread: taking you to its posts.");
      showBanner(text, { key: "merged", kind: "info" });
      announce(text);
      // The old address leads each reader to the posts where they are now (or says why not).
      setTimeout(() => location.assign(`/threads/${Number(el.dataset.threadId)}`), 1500);
      break;
    }
    case "duplicate": {
      const original = Number(data.duplicate_of || thread.duplicate_of || 0);
      if (!original || $("#duplicate-notice")) break;
      const text = t("This thread was closed as a duplicate of another thread.");
      const banner = showBanner(text, { key: "duplicate", kind: "warning", actionText: t("Go to the original thread"),
        onAction: () => location.assign(`/threads/${original}`) });
      announce(text);
      nameTheOriginal(banner, original);
      break;
    }
    default:
      break;
  }
}

/**
 * The room's event cannot name the original (not every reader of this thread may read it):
 * this reader asks for it as themselves, and the banner names it when they may, as the page
 * does after a reload.
 */
async function nameTheOriginal(banner, original) {
  try {
    const response = await fetch(`/api/v1/threads/${original}`, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!response.ok) return;
    const title = threadTitle((await response.json())?.thread);
    const span = banner.querySelector("span");
    if (title && span) {
      span.replaceChildren(tNodes("This thread was closed as a duplicate of “%(title)s”. Please continue there.", { title }));
    }
  } catch { /* the generic words stay */ }
}
