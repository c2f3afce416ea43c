/*
 * The thread page (templates/thread.html), live: new replies, edits, removals, lock, pin and
 * accepted answer, who is typing and reading; the composer is composer.js.
 *
 * Posts arrive as data (the API's post object) and are shown with the page's own blanks
 * (posts.js). What the reader may do comes from the server: data-may-reply-open /
 * data-may-reply-locked (the Guardian's answer for either state of the thread) and
 * data-max-depth (how deep replies nest) on #thread.
 */
import { initComposer } from "./composer.js";
import { $, $$, userId } from "./dom.js";
import { t, tn, tNodes, tnNodes } from "./i18n.js";
import { announce, showBanner } from "./notices.js";
import { renderPost, shownName, updatePost } from "./posts.js";
import { followOwnState, isOwnArticle } from "./own_posts.js";
import { onReadUpdated } from "./read_state.js";
import { scrollToNewSince, trackReading } from "./reading.js";
import { follow, onLeft } from "./rooms.js";
import { onDisconnect } from "./socket.js";
import { applyThreadChange } from "./thread_changes.js";

const el = $("#thread");
if (el && userId) initThread();

function initThread() {
  const threadId = Number(el.dataset.threadId);
  const openingId = Number(el.dataset.openingPostId || 0);
  const onLastPage = Number(el.dataset.page || 1) >= Number(el.dataset.pages || 1);
  const maxDepth = Number(el.dataset.maxDepth || 1);
  const languageFilter = el.dataset.langFilter || ""; // ?lang=: only posts in that language are shown
  const presenceEl = $("#presence");
  const typingEl = $("#typing");
  let locked = el.dataset.locked === "true";
  let shutOut = false; // the server made this page leave the thread's room (no longer readable)
  const mayReply = () => !shutOut && el.dataset[locked ? "mayReplyLocked" : "mayReplyOpen"] === "true";
  let composer = null;
  const reading = trackReading(el);
  scrollToNewSince();
  onReadUpdated((data) => {
    if (Number(data.thread_id) === threadId) reading.markedElsewhere(Number(data.last_read_post_id || 0));
  });

  /** Reply and Quote: shown while the reader may reply (a lock may take that away, and give it back). */
  function applyReplyControls(root) {
    const may = mayReply();
    for (const control of $$(".js-reply, .js-quote", root)) {
      if (!may) {
        control.hidden = true;
        control.dataset.hiddenByLock = "true";
      } else if (control.dataset.hiddenByLock) {
        control.hidden = false;
        delete control.dataset.hiddenByLock;
      }
    }
  }

  function prepare(article) {
    markAccepted(article, Number(el.dataset.acceptedPostId || 0));
    applyReplyControls(article);
  }

  const totalEl = $("#replies-heading .text-body-secondary");
  function bumpTotal(delta) {
    if (!totalEl) return;
    const match = totalEl.textContent.match(/\d+/);
    if (match) totalEl.textContent = `(${Math.max(0, Number(match[0]) + delta)})`;
  }

  function showNewRepliesNotice() {
    const notice = $("#new-replies-notice");
    if (notice) notice.hidden = false;
  }

  /** Put a post's article where it belongs in the tree (chronologically); returns it, or null. */
  function insertPost(article, { highlight = true } = {}) {
    if (!article) {
      showNewRepliesNotice(); // a kind of post this page has no blank for: a reload shows it
      return null;
    }
    const id = Number(article.dataset.postId);
    if (document.getElementById(`post-${id}`)) return null;
    if (article.dataset.opening === "true") {
      const placeholder = $(".opening .post-missing");
      if (!placeholder) return null;
      prepare(article);
      placeholder.replaceWith(article);
      return article;
    }
    if (!onLastPage) {
      showNewRepliesNotice();
      return null;
    }
    if (languageFilter && article.dataset.language !== languageFilter) {
      showBanner(t("A reply in another language arrived: clear the language filter to see it."),
        { key: "lang-filter", kind: "info" });
      return null;
    }
    prepare(article);
    const parentId = Number(article.dataset.replyTo || 0);
    let container = $("#replies-root");
    let depth = 1;
    let nested = false;
    if (parentId && parentId !== openingId) {
      const childList = document.getElementById(`replies-${parentId}`);
      const parentNode = document.getElementById(`node-${parentId}`);
      if (childList) {
        container = childList;
        depth = Number(childList.dataset.depth || maxDepth);
        nested = true;
      } else if (parentNode) {
        // The parent is at the deepest level: sit beside it, saying whom we answer.
        container = parentNode.parentElement;
        depth = Number(parentNode.dataset.depth || maxDepth);
      }
    }
    if (!container) return null;
    if (nested) article.querySelector(".post-reply-to")?.remove();
    const node = document.createElement("li");
    node.className = "post-node";
    node.id = `node-${id}`;
    node.dataset.postId = String(id);
    node.dataset.depth = String(depth);
    node.append(article);
    if (depth < maxDepth) {
      const children = document.createElement("ol");
      children.className = "post-tree post-children";
      children.id = `replies-${id}`;
      children.dataset.depth = String(depth + 1);
      node.append(children);
    }
    const later = Array.from(container.children).find((li) => Number(li.dataset.postId) > id);
    container.insertBefore(node, later || null);
    $("#no-replies")?.remove();
    bumpTotal(1);
    reading.observe(article);
    if (highlight) {
      article.classList.add("post--new");
      setTimeout(() => article.classList.remove("post--new"), 3000);
    }
    return article;
  }

  function removePost(postId) {
    const gone = (node, what) => {
      const children = node?.querySelector(":scope > .post-children");
      if (children && children.children.length) {
        // Keep the replies under it; say the post itself is gone.
        const note = document.createElement("p");
        note.className = "post-missing";
        note.textContent = t("This post is no longer available.");
        what.replaceWith(note);
      } else if (node) {
        node.remove();
        bumpTotal(-1);
      } else {
        what.remove();
      }
    };
    const article = document.getElementById(`post-${postId}`);
    if (article) {
      if (article.closest("#accepted-answer")) {
        $("#accepted-answer")?.remove();
      } else if (article.dataset.opening === "true") {
        const note = document.createElement("p");
        note.className = "post-missing";
        note.textContent = t("The opening post is not available.");
        article.replaceWith(note);
      } else {
        gone(article.closest(".post-node"), article);
      }
    }
    const stub = document.getElementById(`stub-${postId}`);
    if (stub) gone(stub.closest(".post-node"), stub);
  }

  function markAccepted(root, acceptedId) {
    const articles = root.matches?.("article.post") ? [root] : $$("article.post", root);
    for (const article of articles) {
      const on = Number(article.dataset.postId) === acceptedId;
      article.classList.toggle("post--accepted", on);
      const badge = article.querySelector(".accepted-badge");
      if (badge) badge.hidden = !on;
      const acceptForm = article.querySelector(".js-accept-form");
      if (acceptForm) {
        const input = acceptForm.querySelector('input[name="post_id"]');
        if (input) input.value = on ? "" : acceptForm.dataset.postId;
        const button = acceptForm.querySelector("button");
        if (button) {
          const icon = document.createElement("i");
          icon.className = on ? "bi bi-x-circle" : "bi bi-check-circle";
          icon.setAttribute("aria-hidden", "true");
          button.replaceChildren(icon, ` ${on ? t("Unaccept answer") : t("Accept answer")}`);
        }
      }
    }
  }

  function setAccepted(acceptedId) {
    const id = Number(acceptedId || 0);
    if (String(id || "") === el.dataset.acceptedPostId) return;
    el.dataset.acceptedPostId = id ? String(id) : "";
    markAccepted(document, id);
    const answered = $("#thread-answered");
    if (answered) answered.hidden = !id;
    announce(id ? t("An answer was accepted.") : t("The accepted answer was withdrawn."));
  }

  function setLocked(value) {
    if (value === locked) return;
    locked = value;
    el.dataset.locked = String(value);
    const badge = $("#thread-locked");
    if (badge) badge.hidden = !value;
    applyReplyControls(document);
    if (composer) composer.lockChanged();
    else lockedNoticeChanged();
    announce(value ? t("This thread is locked.") : t("This thread is open again."));
  }

  /** A page opened while the thread was locked has no composer: unlocked, its notice offers one. */
  function lockedNoticeChanged() {
    const notice = $("#composer-locked-notice");
    if (!notice || el.dataset.kind === "archive") return;
    notice.dataset.lockedText ??= notice.textContent.trim();
    if (!mayReply()) {
      notice.textContent = notice.dataset.lockedText;
      return;
    }
    const reload = document.createElement("button");
    reload.type = "button";
    reload.className = "btn btn-sm btn-primary ms-2";
    reload.textContent = t("Reload");
    reload.addEventListener("click", () => location.reload());
    notice.replaceChildren(t("This thread is open again."), reload);
  }

  function applyThread(data) {
    const thread = data.thread || {};
    if (typeof thread.locked === "boolean") setLocked(thread.locked);
    const pin = $("#thread-pinned");
    if (pin && typeof thread.pinned === "boolean") pin.hidden = !thread.pinned;
    if ("accepted_post_id" in thread) setAccepted(thread.accepted_post_id);
    applyThreadChange(el, data); // approved, renamed, moved, merged, duplicate
  }

  // Typists are keyed by name where people are named, and by an opaque token where the
  // topic allows anonymous posts (the server then names nobody: "Someone is typing…").
  const typers = new Map(); // key -> { name, timer }
  function renderTyping() {
    if (!typingEl) return;
    const named = Array.from(typers.values()).map((entry) => entry.name);
    const names = named.filter(Boolean);
    // Names go in <bdi>s (tNodes): a name cannot reorder the sentence it sits in.
    typingEl.replaceChildren(named.length === 0 ? ""
      : names.length !== named.length ? tn("Someone is typing…", "%(num)s people are typing…", named.length)
        : names.length === 1 ? tNodes("%(name)s is typing…", { name: names[0] })
          : names.length === 2 ? tNodes("%(first)s and %(second)s are typing…", { first: names[0], second: names[1] })
            : tn("%(num)s person is typing…", "%(num)s people are typing…", names.length));
  }
  function onTyping(data) {
    const who = data.user || {};
    if (who.id && who.id === userId) return;
    const key = who.anonymous ? `anon:${who.typist || "?"}` : `user:${who.id}`;
    const name = who.anonymous ? null : who.name || t("Someone");
    clearTimeout(typers.get(key)?.timer);
    typers.set(key, { name, timer: setTimeout(() => { typers.delete(key); renderTyping(); }, 5000) });
    renderTyping();
  }
  function onPresence(data) {
    if (!presenceEl) return;
    const count = Number(data.count || 0);
    const names = data.anonymous_room ? [] : (data.users || []).map((u) => u.name).filter(Boolean);
    presenceEl.replaceChildren(!count ? ""
      : names.length ? tnNodes("%(num)s reading: %(names)s", "%(num)s reading: %(names)s", count, { names })
        : tn("%(num)s reading", "%(num)s reading", count));
  }
  onDisconnect(() => {
    if (presenceEl) presenceEl.textContent = "";
    typers.clear();
    renderTyping();
  });

  onLeft(`thread:${threadId}`, () => {
    // The text typed stays, readable and copyable; sending would only be refused.
    shutOut = true;
    applyReplyControls(document);
    if (composer) composer.lockChanged();
  });
  follow(`thread:${threadId}`, el.dataset.cursor, (name, data) => {
    switch (name) {
      case "post.created":
        if (insertPost(renderPost(data.post))) {
          announce(t("New reply from %(name)s", { name: shownName(data.post) || t("someone") }));
        }
        break;
      case "post.restored":
        insertPost(renderPost(data.post));
        break;
      case "post.updated": {
        const article = document.getElementById(`post-${Number(data.post?.id)}`);
        if (article) updatePost(article, data.post);
        break;
      }
      case "post.hidden":
        // The reader's own post stays, with why and what they can do (post.state, own room).
        if (isOwnArticle(document.getElementById(`post-${Number(data.post_id)}`))) break;
        removePost(data.post_id);
        break;
      case "post.deleted":
        if (!data.moved_to && isOwnArticle(document.getElementById(`post-${Number(data.post_id)}`))) {
          // The reader's own post, deleted (by a moderator, or by them elsewhere): shown as deleted, with why.
          followOwnState({ post_id: data.post_id, state: "deleted" }, prepare);
          break;
        }
        removePost(data.post_id);
        if (data.moved_to) {
          // Split off by a moderator: the reply lives on in a new thread.
          showBanner(t("A moderator moved some replies to a new thread."), { key: "split", kind: "info",
            actionText: t("Go there"), onAction: () => location.assign(`/threads/${Number(data.moved_to)}`) });
        }
        break;
      case "thread.updated":
        applyThread(data);
        break;
      case "typing":
        onTyping(data);
        break;
      case "presence":
        onPresence(data);
        break;
      default:
        break;
    }
  });

  // One's own room: one's posts here changing state, and changes of one's own thread heard
  // even where the thread's room is not followed (the same change twice is harmless).
  follow(`user:${userId}`, null, (name, data) => {
    if (Number(data.thread_id || data.thread?.id) !== threadId) return;
    if (name === "post.state") followOwnState(data, prepare);
    else if (name === "thread.updated") applyThread(data);
  });

  composer = initComposer({
    threadId, onLastPage, mayReply, isLocked: () => locked,
    showOwnPost(article) {
      // The room's copy may have arrived first; the author's own copy shows their controls.
      const existing = article && document.getElementById(article.id);
      if (existing) {
        prepare(article);
        existing.replaceWith(article);
      } else if (onLastPage) {
        insertPost(article);
      } else {
        showNewRepliesNotice();
      }
    },
  });
  applyReplyControls(document);
}
