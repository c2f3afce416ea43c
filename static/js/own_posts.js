/*
 * One's own posts follow their state on the thread page: `post.state` in the reader's own room
 * (docs/socket-events.md) says a post of theirs was approved, hidden (with the moderator's
 * reason), sent back to the moderators after an edit, or had its appeal decided; `post.deleted`
 * in the thread's room, that it was deleted.
 *
 * What a post in that state looks like to its author (why, in plain words; Edit and send back;
 * Appeal, when an appeal is still possible) is decided by the server, so the post is read
 * again as the server renders it for this reader: its permalink leads to the page of the
 * thread where it is, and that page's article replaces the one shown. When that fails, a
 * banner says the post changed and offers a reload. Focus stays where it is.
 */
import { $, $$ } from "./dom.js";
import { t } from "./i18n.js";
import { announce, showBanner } from "./notices.js";

const SAID = {
  visible: () => t("Your post was approved: everyone who reads the thread sees it now."),
  held: () => t("Your post is back with the moderators: they will review it."),
  hidden: () => t("A moderator hid your post. Why, and what you can do, is shown with it."),
  deleted: () => t("One of your posts was deleted. Why is shown with it."),
};

/** Is this article the reader's own post (the page marks it, data-mine)? */
export const isOwnArticle = (article) => article?.dataset.mine === "true";

/** The post as the server renders it for this reader now, or null. */
async function freshArticle(postId) {
  const response = await fetch(`/posts/${postId}`, {
    credentials: "same-origin", headers: { Accept: "text/html" },
  });
  if (!response.ok) return null;
  const doc = new DOMParser().parseFromString(await response.text(), "text/html");
  const found = doc.getElementById(`post-${postId}`);
  return found ? document.importNode(found, true) : null;
}

/** The notices of "awaiting review" (the page's banner, a flashed message) no longer hold. */
export function clearAwaiting({ thread = false } = {}) {
  for (const el of $$('[data-flash="awaiting"]')) el.remove();
  if (thread) $("#thread-awaiting")?.remove();
  const status = $("#composer-status");
  if (status && status.textContent === t("Your reply is awaiting review by a moderator.")) status.textContent = "";
}

/**
 * `post.state` for a post of this thread: show the reader's own post as it is now.
 * `prepare(article)` applies the page's rules (accepted answer, reply controls) to the new copy.
 */
export async function followOwnState(data, prepare) {
  const postId = Number(data?.post_id);
  const article = postId ? document.getElementById(`post-${postId}`) : null;
  if (!article || !isOwnArticle(article)) return;
  if (article.dataset.state === data.state && !["hidden", "deleted"].includes(data.state)) return; // already shown so
  if (data.state === "visible") clearAwaiting({ thread: article.dataset.opening === "true" });
  let fresh = null;
  try {
    fresh = await freshArticle(postId);
  } catch (error) {
    console.error("reading the post again failed", error);
  }
  const current = document.getElementById(`post-${postId}`);
  if (fresh && current) {
    // A reply nested under its parent does not repeat whom it answers.
    if (!current.querySelector(".post-reply-to")) fresh.querySelector(".post-reply-to")?.remove();
    prepare(fresh);
    current.replaceWith(fresh);
  } else if (current) {
    current.dataset.state = data.state;
    showBanner(t("One of your posts changed. Reload the page to see it as it is now."), {
      key: `post-state-${postId}`, kind: "info", actionText: t("Reload"), onAction: () => location.reload(),
    });
  }
  const said = SAID[data.state];
  if (said) announce(said());
}
