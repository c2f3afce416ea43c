/*
 * The thread page's composer: post over the socket with an ack, and never lose a draft.
 *
 * The text is kept in localStorage while it is typed; a reply on its way is "pending" (a
 * reload or a crash keeps it, and it is sent again, with the same client_id, when the
 * connection is back: the server answers the first post rather than a second one).
 * Without a socket the plain form posts it. Limits (data-max-chars) come from the server:
 * a counter shows them and a text over the limit is not sent (textlimit.js); a Preview
 * button shows it as it will be shown (preview.js).
 */
import { attachField } from "./attach.js";
import { $, debounce, describe, newClientId, showError, store, userId } from "./dom.js";
import { t } from "./i18n.js";
import { announce } from "./notices.js";
import { renderPost } from "./posts.js";
import { attachPreview } from "./preview.js";
import { holdSend, isHeld } from "./sending.js";
import { ACK_TIMEOUT_MS, everConnected, onConnect, socket } from "./socket.js";
import { attachCounter, tooLongMessage } from "./textlimit.js";

/**
 * `thread`: { threadId, mayReply(), isLocked(), showOwnPost(article) } from thread.js.
 * Returns { lockChanged() }, or null when the page has no composer.
 */
export function initComposer(thread) {
  const form = $("#composer-form");
  const textarea = $("#composer-body");
  const submit = $("#composer-submit");
  if (!form || !textarea || !submit || !socket) return null;
  const statusEl = $("#composer-status");
  const errorEl = $("#composer-error");
  const replyToInput = $("#composer-reply-to");
  const clientIdInput = $("#composer-client-id");
  const anonymousBox = $("#composer-anonymous");
  const languageSelect = $("#composer-language");
  const files = attachField(form); // null without the attach field
  const { threadId } = thread;
  const draftKey = `rt:${userId}:draft:${threadId}`;
  let clientId = clientIdInput?.value || newClientId();
  let sending = false; // a reply is on its way over the socket

  function snapshot(extra = {}) {
    return {
      thread_id: threadId,
      body: textarea.value,
      reply_to: replyToInput?.value ? Number(replyToInput.value) : null,
      reply_name: $("#reply-target-link")?.textContent || "",
      anonymous: !!anonymousBox?.checked,
      language: languageSelect?.value || "",
      client_id: clientId,
      attachments: files ? files.ids() : [],
      ...extra,
    };
  }
  function saveDraft(extra = {}) {
    const previous = store.get(draftKey) || {};
    if (!textarea.value.trim() && !previous.pending) {
      store.remove(draftKey);
      return;
    }
    store.set(draftKey, snapshot({ pending: !!previous.pending, submitted: false, ...extra, saved_at: Date.now() }));
  }
  const saveDraftSoon = debounce(() => saveDraft(), 500);

  function setStatus(text, pending = false) {
    if (!statusEl) return;
    statusEl.textContent = text;
    statusEl.classList.toggle("is-pending", pending);
  }
  function setError(message) {
    showError(errorEl, message);
    describe(textarea, errorEl, !!message);
  }
  function setBusy(busy) {
    sending = busy;
    submit.disabled = busy || !thread.mayReply() || isHeld(submit);
    textarea.readOnly = busy || !thread.mayReply();
    submit.textContent = busy ? t("Sending…") : t("Post reply");
  }

  function setReplyTarget(postId, name) {
    if (!replyToInput) return;
    replyToInput.value = postId ? String(postId) : "";
    const target = $("#reply-target");
    const link = $("#reply-target-link");
    if (target) target.hidden = !postId;
    if (link && postId) {
      link.textContent = name || t("a post");
      link.href = document.getElementById(`post-${postId}`) ? `#post-${postId}` : `/posts/${postId}`;
    }
  }

  // Restore a draft (or a reply still waiting to be sent) from this browser.
  let saved = store.get(draftKey);
  if (saved?.submitted) {
    if (errorEl?.hidden === false) {
      // The plain form was refused: the text is still a draft.
      saved = { ...saved, submitted: false };
      store.set(draftKey, saved);
    } else {
      // Posted with the plain form and no error came back: it is in the thread now.
      store.remove(draftKey);
      saved = null;
    }
  }
  if (saved && saved.thread_id === threadId) {
    const serverText = textarea.value;
    if (!serverText.trim() || saved.pending) {
      textarea.value = saved.body || "";
      if (saved.reply_to && !replyToInput.value) setReplyTarget(saved.reply_to, saved.reply_name);
      if (anonymousBox && saved.anonymous) anonymousBox.checked = true;
      if (languageSelect && saved.language) languageSelect.value = saved.language;
      files?.restore(saved.attachments);
    } else if (saved.body && saved.body.trim() && saved.body !== serverText) {
      // The page brought text of its own (a quote): keep both, the draft first.
      textarea.value = `${saved.body.trimEnd()}\n\n${serverText}`;
    }
    if (saved.client_id) clientId = saved.client_id;
    if (saved.pending) setStatus(t("Not sent yet: it will be sent when the connection is back."), true);
  }
  if (clientIdInput) clientIdInput.value = clientId;
  const counter = attachCounter(textarea);
  const preview = attachPreview(textarea);

  function keepPending(payload, message) {
    store.set(draftKey, { ...payload, pending: true, saved_at: Date.now() });
    setBusy(false);
    setStatus(message, true);
    announce(message);
  }

  function posted(ack) {
    const post = ack.post || {};
    store.remove(draftKey);
    textarea.value = "";
    counter.refresh();
    preview.refresh();
    clientId = newClientId();
    if (clientIdInput) clientIdInput.value = clientId;
    setReplyTarget(null);
    if (anonymousBox) anonymousBox.checked = false;
    files?.clear();
    setBusy(false);
    setError("");
    const message = post.state === "held"
      ? t("Your reply is awaiting review by a moderator.")
      : t("Your reply was posted.");
    setStatus(message);
    announce(message);
    // The ack's post is built for its author: shown with the author's own controls.
    thread.showOwnPost(renderPost(post));
  }

  function send(payload) {
    // Too long to post: say so here (the server's words), rather than send a message the
    // socket would refuse and the page would keep resending.
    const tooLong = tooLongMessage(textarea, payload.body);
    if (tooLong) {
      store.set(draftKey, { ...payload, pending: false, saved_at: Date.now() });
      setBusy(false);
      setStatus("");
      setError(tooLong);
      announce(tooLong);
      return;
    }
    setBusy(true);
    setStatus(t("Sending…"));
    setError("");
    // Until the server answers, the reply is "pending": a reload or a crash keeps it.
    store.set(draftKey, { ...payload, pending: true, saved_at: Date.now() });
    socket.timeout(ACK_TIMEOUT_MS).emit("post", payload, (err, ack) => {
      if (err) {
        keepPending(payload, t("No answer from the server yet. Your reply is kept and will be sent again automatically."));
        if (socket.connected) setTimeout(resendPending, 5000);
        return;
      }
      if (ack && ack.ok) {
        posted(ack);
        return;
      }
      // Refused: nothing is pending any more, but the text stays for the writer to fix.
      store.set(draftKey, { ...payload, pending: false, saved_at: Date.now() });
      setBusy(false);
      setStatus("");
      setError(ack?.error?.message || t("Your reply was not posted."));
      if (ack?.error?.code === "rate_limited" && ack.error.retry_after) holdSend(submit, ack.error.retry_after, statusEl);
    });
  }

  function resendPending() {
    const pending = store.get(draftKey);
    if (!pending || !pending.pending || sending || !socket.connected) return;
    const { pending: _p, saved_at: _s, reply_name: _n, ...payload } = pending;
    send({ ...payload, thread_id: threadId });
  }
  onConnect(resendPending);

  form.addEventListener("submit", (event) => {
    if (sending) {
      event.preventDefault();
      return;
    }
    const { reply_name: _n, ...payload } = snapshot();
    const tooLong = tooLongMessage(textarea, payload.body);
    if (tooLong) {
      // Never sent, by socket or form, at any length: the same words, the text kept.
      event.preventDefault();
      saveDraft();
      setError(tooLong);
      announce(tooLong);
      return;
    }
    if (socket.connected) {
      event.preventDefault();
      send(payload);
    } else if (everConnected() || navigator.onLine === false) {
      // Offline: keep it and send it (same client_id) as soon as we are back.
      event.preventDefault();
      keepPending(payload, t("You are offline. Your reply is kept and will be sent when the connection is back."));
    } else {
      // Sockets never worked here: the plain form posts it. The draft is kept, marked,
      // until the next page shows whether it was refused (then it is still wanted).
      saveDraft({ submitted: true });
    }
  });

  let lastTyping = 0;
  textarea.addEventListener("input", () => {
    saveDraftSoon();
    const now = Date.now();
    if (socket.connected && textarea.value.trim() && now - lastTyping > 3000) {
      lastTyping = now;
      socket.emit("typing", { thread_id: threadId, anonymous: !!anonymousBox?.checked });
    }
  });
  anonymousBox?.addEventListener("change", () => saveDraft());
  languageSelect?.addEventListener("change", () => saveDraft());

  // Reply and Quote set the composer's target instead of reloading the page.
  document.addEventListener("click", (event) => {
    const link = event.target.closest?.(".js-reply, .js-quote");
    if (!link || !thread.mayReply() || sending) return;
    event.preventDefault();
    const postId = Number(link.dataset.replyTo);
    setReplyTarget(postId, link.dataset.replyName);
    if (link.classList.contains("js-quote")) {
      const source = link.closest("article.post")?.querySelector(".post-body");
      const text = (source?.innerText || "").trim();
      const byline = t("%(name)s wrote:", { name: `**${link.dataset.replyName || t("Someone")}**` });
      const quote = `> ${byline}\n${text.split("\n").map((line) => `> ${line}`).join("\n")}\n\n`;
      textarea.value = textarea.value.trim() ? `${textarea.value.trimEnd()}\n\n${quote}` : quote;
    }
    saveDraft();
    counter.refresh();
    textarea.focus();
    textarea.setSelectionRange(textarea.value.length, textarea.value.length);
  });
  $("#reply-cancel")?.addEventListener("click", (event) => {
    event.preventDefault();
    setReplyTarget(null);
    saveDraft();
    textarea.focus();
  });

  return {
    /** The thread was locked or opened, or the page left its room: the text stays, readable and copyable, while it may not be sent. */
    lockChanged() {
      const notice = $("#composer-locked");
      if (notice) notice.hidden = thread.mayReply() || !thread.isLocked();
      textarea.readOnly = sending || !thread.mayReply();
      submit.disabled = sending || !thread.mayReply() || isHeld(submit);
    },
  };
}
