/*
 * Read state on the thread page: how far the reader has read, recorded as posts scroll into
 * view (POST /api/v1/threads/<id>/read, throttled), and opening at "New since your last visit".
 *
 * The server knows where the reader stood: data-last-read-post-id on #thread (0: nothing
 * read). The mark only moves forward, on the server too. A page rendered for a browser
 * without JavaScript is recorded as read when it is shown; read_state.js sets the cookie
 * `rt_js` so that pages rendered for this script are recorded post by post, as they are seen.
 */
import { $, $$, csrfToken } from "./dom.js";

const SEND_EVERY_MS = 2000; // at most one request per two seconds per tab (the server allows 120 a minute)

/** The thread page's reading: `el` is #thread. Returns { observe(article), readUpTo(id) }. */
export function trackReading(el) {
  const threadId = Number(el.dataset.threadId);
  let sent = Number(el.dataset.lastReadPostId || 0); // the server's mark, as far as we know
  let seen = sent; // the highest post seen on screen
  let timer = null;
  let lastSend = 0;
  let backoffUntil = 0;

  // Posts gone from the page (hidden or deleted by a moderator while it was open) or waiting for
  // review are not the reader's to name: the highest post still shown, up to `limit`.
  const GONE = ".post--hidden, .post--held, .post--deleted";
  function shownUpTo(limit) {
    let best = 0;
    for (const article of $$("article.post[data-post-id]", el)) {
      const id = Number(article.dataset.postId || 0);
      if (id > best && id <= limit && !article.matches(GONE)) best = id;
    }
    return best;
  }

  async function send({ leaving = false } = {}) {
    timer = null;
    if (seen <= sent || Date.now() < backoffUntil) return;
    const upTo = shownUpTo(seen);
    if (upTo <= sent) {
      seen = sent; // what was seen is gone from the page: nothing to record
      return;
    }
    lastSend = Date.now();
    try {
      const response = await fetch(`/api/v1/threads/${threadId}/read`, {
        method: "POST",
        credentials: "same-origin",
        keepalive: leaving, // the page may be going away: let the request outlive it
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), Accept: "application/json" },
        body: JSON.stringify({ post_id: upTo }),
      });
      if (response.ok) {
        sent = Math.max(sent, upTo);
        el.dataset.lastReadPostId = String(sent);
      } else if (response.status === 429) {
        backoffUntil = Date.now() + 60000; // too fast: the next try in a minute carries everything seen
        schedule();
      } else {
        seen = Math.min(seen, sent); // anything else (the thread moved): nothing to retry
      }
    } catch {
      // Offline: the next post seen, or leaving the page, tries again.
    }
  }

  function schedule() {
    if (timer || seen <= sent) return;
    const wait = Math.max(0, lastSend + SEND_EVERY_MS - Date.now(), backoffUntil - Date.now());
    timer = setTimeout(send, wait);
  }

  function readUpTo(postId) {
    if (postId > seen) {
      seen = postId;
      schedule();
    }
  }

  // A post counts as seen once most of it (or all of a tall one's screenful) was on screen.
  const observer = "IntersectionObserver" in window ? new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      readUpTo(Number(entry.target.dataset.postId || 0));
      observer.unobserve(entry.target);
    }
  }, { threshold: [0.6] }) : null;

  function observe(article) {
    // The accepted answer lifted above the replies does not say the ones before it were read.
    if (!observer || !article || article.closest("#accepted-answer")) return;
    const id = Number(article.dataset.postId || 0);
    if (id > sent) observer.observe(article);
  }

  for (const article of $$("article.post[data-post-id]", el)) observe(article);

  const flush = () => {
    if (seen > sent) {
      clearTimeout(timer);
      send({ leaving: true });
    }
  };
  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "hidden") flush(); });
  window.addEventListener("pagehide", flush);

  return {
    observe,
    readUpTo,
    /** Another tab (read.updated) moved the mark: never send less than that. */
    markedElsewhere(postId) {
      if (postId > sent) {
        sent = postId;
        seen = Math.max(seen, postId);
        el.dataset.lastReadPostId = String(sent);
      }
    },
  };
}

/** Open at the first post not read before ("New since your last visit"), unless the address
 * already says where to go or the browser restored a scroll position. */
export function scrollToNewSince() {
  const marker = $("#new-since");
  if (!marker || location.hash || window.scrollY > 0) return;
  marker.scrollIntoView({ block: "start" });
}
