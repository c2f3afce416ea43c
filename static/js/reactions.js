/*
 * Reactions and bookmarks on posts (templates/partials/post.html), wherever posts are shown.
 *
 * Without JavaScript each reaction is a form (POST /posts/<id>/reactions) and "Bookmark" a
 * link to the bookmark page. Here the same controls go through the JSON API with the page's
 * cookie and CSRF token: the button is pressed or released at once and put back if the
 * server says no. Counts stay live: `post.reactions` from the thread's room (counts only)
 * and from the reader's own room (their other tabs: which kinds are theirs), `bookmark.saved`
 * and `bookmark.removed` from their own room. Who reacted shows on hover and focus (asked
 * once, kept for a moment); anonymous authors are never in it: the server leaves them out.
 */
import { $$, csrfToken } from "./dom.js";
import { lang, t, tn } from "./i18n.js";
import { announce, showBanner } from "./notices.js";
import { socket } from "./socket.js";

const WHO_TTL_MS = 15000;

/** Call the JSON API; resolves to its JSON body, or throws an Error with the server's message. */
async function api(method, path, body) {
  let response;
  try {
    response = await fetch(`/api/v1${path}`, {
      method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), Accept: "application/json" },
      body: body ? JSON.stringify(body) : undefined,
    });
  } catch {
    throw new Error(t("The server could not be reached. Nothing was changed; try again."));
  }
  let data = {};
  try { data = await response.json(); } catch { /* an HTML error page */ }
  if (!response.ok) throw new Error(data?.error?.message || t("That did not work (%(status)s).", { status: response.status }));
  return data;
}

// --- reactions --------------------------------------------------------------------------------
function groupsOf(postId) {
  return $$(`.post-reactions[data-post-id="${Number(postId)}"]`);
}

function setPressed(button, on) {
  button.setAttribute("aria-pressed", on ? "true" : "false");
  button.classList.toggle("active", on);
  const input = button.form?.querySelector('input[name="on"]');
  if (input) input.value = on ? "0" : "1";
}

/** Show the counts (and, when given, which kinds are the reader's) of a post everywhere on the page. */
export function applyReactions(postId, counts, mine = null) {
  whoCache.delete(Number(postId));
  for (const group of groupsOf(postId)) {
    for (const button of group.querySelectorAll(".reaction[data-kind]")) {
      const kind = button.dataset.kind;
      const count = button.querySelector(".reaction-count");
      if (count && counts && typeof counts[kind] === "number") count.textContent = String(counts[kind]);
      if (Array.isArray(mine) && button.matches("button")) setPressed(button, mine.includes(kind));
    }
  }
}

async function toggle(form) {
  const button = form.querySelector("button.reaction");
  const group = form.closest(".post-reactions");
  if (!button || !group || form.dataset.busy) return;
  const postId = Number(group.dataset.postId);
  const kind = button.dataset.kind;
  const on = button.getAttribute("aria-pressed") !== "true";
  form.dataset.busy = "1";
  setPressed(button, on); // at once; put back below if refused
  try {
    const data = on ? await api("POST", `/posts/${postId}/reactions`, { kind })
      : await api("DELETE", `/posts/${postId}/reactions/${encodeURIComponent(kind)}`);
    applyReactions(postId, data.reactions, data.my_reactions);
  } catch (error) {
    setPressed(button, !on);
    showBanner(error.message, { key: "reaction" });
    announce(error.message);
  } finally {
    delete form.dataset.busy;
  }
}

// Who reacted: "Ana, Li and 3 others", per kind, on hover and focus.
const whoCache = new Map(); // post id -> { at, promise }

function whoFor(postId) {
  const known = whoCache.get(postId);
  if (known && Date.now() - known.at < WHO_TTL_MS) return known.promise;
  const promise = api("GET", `/posts/${postId}/reactions`).then((data) => data.reactions || {});
  whoCache.set(postId, { at: Date.now(), promise });
  promise.catch(() => whoCache.delete(postId));
  return promise;
}

function whoText(entry) {
  if (!entry || !entry.count) return t("Nobody yet.");
  const names = (entry.people || []).map((person) => person.name).filter(Boolean);
  const others = Number(entry.others || 0);
  if (!names.length) return tn("%(num)s person", "%(num)s people", others);
  // Joined as the reader's language joins names ("A and B", "A وB"), not with a Latin comma.
  const list = new Intl.ListFormat(lang, { type: "conjunction" }).format(names);
  return others ? tn("%(names)s and %(num)s other", "%(names)s and %(num)s others", others, { names: list }) : list;
}

async function showWho(control) {
  const group = control.closest(".post-reactions");
  if (!group || !window.bootstrap?.Tooltip) return;
  const kind = control.dataset.kind;
  let text;
  try {
    text = whoText((await whoFor(Number(group.dataset.postId)))[kind]);
  } catch {
    return;
  }
  if (!control.matches(":hover, :focus-within, :focus")) return; // the pointer moved on meanwhile
  const tip = window.bootstrap.Tooltip.getOrCreateInstance(control, { trigger: "manual", title: text });
  tip.setContent({ ".tooltip-inner": text });
  tip.show();
}

function hideWho(control) {
  window.bootstrap?.Tooltip?.getInstance(control)?.hide();
}

document.addEventListener("submit", (event) => {
  const form = event.target.closest?.(".js-reaction-form");
  if (!form) return;
  event.preventDefault();
  toggle(form);
});

for (const [on, off] of [["mouseover", "mouseout"], ["focusin", "focusout"]]) {
  document.addEventListener(on, (event) => {
    const control = event.target.closest?.(".post-reactions .reaction");
    if (control && !(event.relatedTarget && control.contains(event.relatedTarget))) showWho(control);
  });
  document.addEventListener(off, (event) => {
    const control = event.target.closest?.(".post-reactions .reaction");
    if (control && !(event.relatedTarget && control.contains(event.relatedTarget))) hideWho(control);
  });
}
document.addEventListener("keydown", (event) => {
  if (event.key === "Escape") for (const control of $$(".post-reactions .reaction")) hideWho(control);
  // The bookmark link is a toggle (role="button"): Space presses it, as it would a button.
  if (event.key === " " && event.target.closest?.(".js-bookmark")) {
    event.preventDefault();
    event.target.closest(".js-bookmark").click();
  }
});

// --- bookmarks --------------------------------------------------------------------------------
function setBookmark(link, id) {
  link.dataset.bookmarkId = id ? String(Number(id)) : "";
  link.setAttribute("aria-pressed", id ? "true" : "false");
  link.querySelector(".bi")?.setAttribute("class", id ? "bi bi-bookmark-fill" : "bi bi-bookmark");
  const label = link.querySelector(".bookmark-label");
  if (label) label.textContent = id ? t("Bookmarked") : t("Bookmark");
}

function applyBookmark(postId, id) {
  for (const link of $$(`.js-bookmark[data-post-id="${Number(postId)}"]`)) setBookmark(link, id);
}

document.addEventListener("click", async (event) => {
  const link = event.target.closest?.(".js-bookmark");
  // Bookmarked already: the link opens the bookmark (note, reminder, remove). Not yet: save it here.
  if (!link || link.dataset.bookmarkId || link.dataset.busy || event.ctrlKey || event.metaKey || event.shiftKey) return;
  event.preventDefault();
  link.dataset.busy = "1";
  try {
    const data = await api("POST", "/bookmarks", { post_id: Number(link.dataset.postId) });
    applyBookmark(link.dataset.postId, data.bookmark?.id);
    showBanner(t("Bookmarked. Open it again to add a note or a reminder."), { key: "bookmark", kind: "info" });
    announce(t("Bookmarked."));
  } catch (error) {
    showBanner(error.message, { key: "bookmark" });
  } finally {
    delete link.dataset.busy;
  }
});

if (socket) {
  socket.on("post.reactions", (data) => {
    if (!data?.post_id) return;
    // The thread room's copy has the counts; the reader's own room's also says which are theirs.
    const own = typeof data.room === "string" && data.room.startsWith("user:");
    applyReactions(data.post_id, data.reactions, own ? data.my_reactions : null);
  });
  socket.on("bookmark.saved", (data) => { if (data?.post_id) applyBookmark(data.post_id, data.id); });
  socket.on("bookmark.removed", (data) => { if (data?.post_id) applyBookmark(data.post_id, null); });
}
