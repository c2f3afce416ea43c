/*
 * A post object (a room event's, or the ack of one's own reply) as the thread page shows it.
 *
 * thread.html holds one <template class="post-blank" data-kind="…"> per kind of post the
 * page may be handed: by the reader ("mine") or someone else ("other"), named or anonymous,
 * visible or awaiting review (held), a reply or the opening post. Each is the post partial
 * (templates/partials/post.html) rendered by the server for a stand-in post, in the reader's
 * language, with the controls the Guardian gives the reader on such a post. This module
 * copies the right blank, puts the post's id where data-blank-id stands and fills in the
 * data; the parts a post does not have (edited, language, in reply to) are dropped. So a
 * live post is the same markup as after a reload, and nobody asks the server for it.
 */
import { fillAttachments } from "./attachments.js";
import { fillAvatar } from "./avatar.js";
import { $, safePath, userId } from "./dom.js";
import { lang, t } from "./i18n.js";
import { drop, fromBlank, setHTML, setText } from "./template.js";

const threadEl = $("#thread");
const page = threadEl ? {
  blankId: threadEl.dataset.blankId || "",
  language: threadEl.dataset.pageLanguage || lang,
  languageNames: JSON.parse(threadEl.dataset.languageNames || "{}"),
  openingId: Number(threadEl.dataset.openingPostId || 0),
} : null;

const zone = document.documentElement.getAttribute("time-zone") || undefined;
let fullFormat;
try {
  fullFormat = new Intl.DateTimeFormat(lang, { dateStyle: "long", timeStyle: "short", timeZone: zone });
} catch {
  fullFormat = new Intl.DateTimeFormat(lang, { dateStyle: "long", timeStyle: "short" });
}
function fullTime(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? "" : fullFormat.format(date);
}

/** Is this post the reader's own? (An anonymous author is named to themself only.) */
export const isMine = (post) => !!userId && Number(post?.author?.id) === userId;

/** The name a post goes by on this page: the author's, or the anonymous label in the page's language. */
export function shownName(post) {
  const author = post?.author || {};
  return author.anonymous ? t(author.label || "Anonymous") : author.name || "";
}

function blankFor(post) {
  const kind = [isMine(post) ? "mine" : "other", post.author?.anonymous ? "anonymous" : "named", post.state]
    .concat(post.is_opening ? ["opening"] : []).join("-");
  return document.querySelector(`template.post-blank[data-kind="${kind}"]`);
}

function fillReplyNote(article, post) {
  const parentId = Number(post.reply_to || 0);
  if (!parentId || parentId === page.openingId) {
    drop(article, ".post-reply-to");
    return;
  }
  const parent = document.getElementById(`post-${parentId}`);
  for (const link of article.querySelectorAll(".post-reply-to a[data-reply-link]")) {
    link.dataset.replyLink = String(parentId);
    link.href = parent ? `#post-${parentId}` : `/posts/${parentId}`;
    setText(link, "bdi", parent?.querySelector(".post-author-name")?.textContent || t("an earlier post"));
  }
}

function fillLanguage(article, post) {
  const code = post.language || "";
  article.dataset.language = code;
  const body = article.querySelector(".post-body");
  if (code) body?.setAttribute("lang", code); else body?.removeAttribute("lang");
  if (!code || code === page.language) {
    drop(article, ".post-language");
    return;
  }
  const name = article.querySelector(".post-language [lang]");
  if (name) {
    name.setAttribute("lang", code);
    name.textContent = page.languageNames[code] || code;
  }
}

function fillEdited(article, post) {
  if (!post.edited_at) {
    drop(article, ".post-edited");
    return;
  }
  article.querySelector(".post-edited")?.setAttribute("title", t("Edited %(time)s", { time: fullTime(post.edited_at) }));
}

/** A named author's profile link and avatar (initials on their colour), from the post object. */
function fillPerson(article, author) {
  const link = article.querySelector(".post-author-link");
  if (!link) return;
  link.href = safePath(author.url) || `/users/${Number(author.id)}`;
  fillAvatar(link, author.avatar);
}

/**
 * The <article> for `post`, or null when this page has no blank for its kind (then the page
 * says that new replies arrived and offers a reload).
 */
export function renderPost(post) {
  if (!page || !post || !Number(post.id)) return null;
  const article = fromBlank(blankFor(post), { [page.blankId]: String(Number(post.id)) });
  if (!article) return null;
  const author = post.author || {};
  article.dataset.replyTo = post.reply_to ? String(Number(post.reply_to)) : "";
  if (author.anonymous) {
    setText(article, ".post-author-name", shownName(post));
  } else {
    article.dataset.authorId = String(Number(author.id) || "");
    setText(article, ".post-author-name", author.name);
    setText(article, ".post-org", author.organisation?.name);
    fillPerson(article, author);
  }
  for (const control of article.querySelectorAll("[data-reply-name]")) control.dataset.replyName = shownName(post);
  const time = article.querySelector(".post-time relative-time");
  if (time) {
    time.setAttribute("datetime", post.created_at || "");
    time.textContent = fullTime(post.created_at);
  }
  fillEdited(article, post);
  fillLanguage(article, post);
  fillReplyNote(article, post);
  setHTML(article.querySelector(".post-body"), post.html);
  fillAttachments(article, post);
  return article;
}

/** An edit: the new text, the "edited" mark and the language; the rest of the article stays. */
export function updatePost(article, post) {
  setHTML(article.querySelector(".post-body"), post.html);
  fillAttachments(article, post);
  const fresh = renderPost(post);
  if (!fresh) return;
  for (const part of [".post-edited", ".post-language"]) {
    const now = fresh.querySelector(part);
    const before = article.querySelector(part);
    if (now && before) before.replaceWith(now);
    else if (now && part === ".post-edited") article.querySelector(".post-time")?.after(" ", now);
    else if (now) article.querySelector(".accepted-badge")?.before(now, " ");
    else before?.remove();
  }
  article.dataset.language = fresh.dataset.language;
  const written = fresh.querySelector(".post-body")?.getAttribute("lang");
  const body = article.querySelector(".post-body");
  if (written) body?.setAttribute("lang", written); else body?.removeAttribute("lang");
}
