/*
 * The live session's chat (templates/live/session.html): messages arrive live (auto-scroll
 * only when the reader is already at the bottom, read aloud when switched on), and the
 * reader's own go over the socket with an ack, the text kept until the server says ok.
 *
 * Messages are built from the <template id="chat-template"> blank the server rendered with
 * the same macro as the page (live/_parts.html, chat_item).
 */
import { $, $$, describe, showError, store, textOf } from "./dom.js";
import { t } from "./i18n.js";
import { keepForFollowUp } from "./live_end.js";
import { announce } from "./notices.js";
import { orgName } from "./asker.js";
import { afterBatch, inBatch } from "./rooms.js";
import { holdSend, isHeld } from "./sending.js";
import { ACK_TIMEOUT_MS, socket } from "./socket.js";
import { speak, speechSwitch } from "./speech.js";
import { fromBlank, setHTML, setText } from "./template.js";
import { attachPreview } from "./preview.js";
import { attachCounter, tooLongMessage } from "./textlimit.js";

const MAX_CHAT_NODES = 300; // big rooms: the page keeps the latest messages only

/** `live`: the page's shared state (live_session.js). */
export function createChat(live) {
  const chatList = $("#chat-list");
  const chatLog = $("#chat-log");
  const chatTemplate = $("#chat-template");
  const announceBox = $("#chat-announce");
  // Off unless the reader switches it on (speech.js); a new key: the old one defaulted to on.
  const readAloud = speechSwitch(announceBox, `rt:${live.userId}:live:speak-chat`);
  let sending = false; // a message is on its way

  const atBottom = () => !chatLog || chatLog.scrollHeight - chatLog.scrollTop - chatLog.clientHeight < 40;
  const newBelow = document.createElement("button");
  function scrollToBottom() {
    if (chatLog) chatLog.scrollTop = chatLog.scrollHeight;
    newBelow.hidden = true;
  }
  newBelow.type = "button";
  newBelow.className = "btn btn-sm btn-primary live-chat-new";
  newBelow.textContent = t("New messages below");
  newBelow.hidden = true;
  newBelow.addEventListener("click", scrollToBottom);
  chatLog?.after(newBelow);
  chatLog?.addEventListener("scroll", () => { if (atBottom()) newBelow.hidden = true; });

  function build(m) {
    const authorId = Number(m.author?.id || 0);
    const li = fromBlank(chatTemplate, { __MID__: String(Number(m.id)), __UID__: String(authorId) });
    if (!li) return null;
    setText(li, ".js-name", m.author?.name || "");
    setText(li, ".live-chat-org", orgName(m.author?.organisation));
    setHTML($(".live-chat-body", li), m.html); // sanitised by the server (community.markup)
    live.setClock($(".live-chat-time", li), m.created_at);
    // Hosts, the topic's moderators and administrators cannot be silenced (the server's list).
    const silence = $(".live-silence", li);
    if (silence) silence.hidden = live.protectedIds.has(authorId);
    for (const input of $$('input[name="order"]', li)) input.value = live.order;
    live.applySessionStates(li);
    return li;
  }

  // Lines of a `batch` (rooms.js) wait for its end, then go into the list in one DOM update.
  let queued = [];

  function add(m, { quiet = false } = {}) {
    if (!m || !Number(m.id) || m.hidden || document.getElementById(`m-${Number(m.id)}`)) return;
    if (inBatch()) {
      queued.push([m, quiet]);
      afterBatch(placeQueued);
      return;
    }
    place([[m, quiet]]);
  }

  function placeQueued() {
    const items = queued;
    queued = [];
    place(items);
  }

  /** Put messages in the list in id order: the newest ones together, as one fragment. */
  function place(items) {
    if (!chatList) return;
    const stick = atBottom();
    const fragment = document.createDocumentFragment();
    const newest = () => Number(fragment.lastElementChild?.dataset.messageId
      || chatList.lastElementChild?.dataset.messageId || 0);
    let placedOlder = false;
    let spoken = 0;
    for (const [m, quiet] of items) {
      const id = Number(m.id);
      if (document.getElementById(`m-${id}`) || fragment.querySelector(`[data-message-id="${id}"]`)) continue;
      const li = build(m);
      if (!li) continue;
      if (id > newest()) {
        fragment.append(li);
      } else { // older than what is shown (a late one): in its place
        const later = [...fragment.children, ...chatList.children].find((other) => Number(other.dataset.messageId) > id);
        if (later?.parentNode === fragment) fragment.insertBefore(li, later);
        else chatList.insertBefore(li, later || null);
        placedOlder = true;
      }
      // read aloud as before, but at most three lines of one burst
      if (!quiet && Number(m.author?.id) !== live.userId && readAloud() && spoken < 3) {
        spoken += 1;
        speak(t("%(name)s: %(text)s", { name: m.author?.name || t("Someone"), text: textOf(m.html, 140) }));
      }
    }
    const addedNewest = fragment.children.length > 0;
    if (!addedNewest && !placedOlder) return;
    chatList.append(fragment);
    while (chatList.children.length > MAX_CHAT_NODES && !chatList.firstElementChild.contains(document.activeElement)) {
      chatList.firstElementChild.remove();
    }
    $("#no-chat")?.setAttribute("hidden", "");
    if (stick) scrollToBottom();
    else if (addedNewest) newBelow.hidden = false;
  }

  function remove(messageId) {
    const li = document.getElementById(`m-${Number(messageId)}`);
    if (!li) return;
    const hadFocus = li.contains(document.activeElement);
    li.remove();
    if (hadFocus) chatLog?.focus({ preventScroll: true });
    const none = $("#no-chat");
    if (none && chatList) none.hidden = chatList.children.length > 0;
  }

  /** After a (re)join: the latest messages are the truth (some may have been hidden meanwhile). */
  function onSnapshot(messages) {
    if (!messages.length) return;
    const ids = new Set(messages.map((m) => Number(m.id)));
    const oldest = Math.min(...ids);
    for (const m of messages) add(m, { quiet: true });
    for (const li of Array.from(chatList?.children || [])) {
      const id = Number(li.dataset.messageId);
      if (id >= oldest && !ids.has(id)) li.remove();
    }
  }

  function applyEnabled() {
    const input = $("#chat-body");
    const submit = $("#chat-submit");
    const off = live.state !== "live" || live.silenced;
    if (input) input.disabled = off;
    if (submit) submit.disabled = off || isHeld(submit);
  }

  const form = $("#chat-form");
  const body = $("#chat-body");
  const error = $("#chat-error");
  const status = $("#chat-status");
  const draftKey = `rt:${live.userId}:live:${live.sessionId}:chat`;
  live.keepDraft(body, draftKey);
  const counter = attachCounter(body);
  const notes = attachPreview(body, { button: false }); // what of the message will not be shown

  form?.addEventListener("submit", (event) => {
    const tooLong = tooLongMessage(body);
    if (tooLong) { // never sent, at any length: the server's words, the text kept
      event.preventDefault();
      showError(error, tooLong);
      describe(body, error, true);
      announce(tooLong);
      return;
    }
    if (!socket?.connected) {
      store.remove(draftKey);
      return;
    }
    event.preventDefault();
    if (sending || !body.value.trim()) {
      if (!body.value.trim()) {
        showError(error, t("Your message cannot be empty."));
        describe(body, error, true);
      }
      return;
    }
    sending = true;
    applyEnabled();
    body.readOnly = true;
    status.textContent = t("Sending…");
    socket.timeout(ACK_TIMEOUT_MS).emit("live.chat", { session_id: live.sessionId, body: body.value }, (err, ack) => {
      sending = false;
      body.readOnly = false;
      applyEnabled();
      status.textContent = "";
      if (err || !ack?.ok) {
        const message = err ? t("No answer from the server yet. Your message is kept: send it again.")
          : ack?.error?.message || t("Your message was not sent. It is kept here.");
        showError(error, message);
        describe(body, error, true);
        announce(message);
        const submit = $("#chat-submit");
        if (ack?.error?.code === "rate_limited" && ack.error.retry_after && submit) {
          holdSend(submit, ack.error.retry_after, status);
        }
        // Sent as the hosts ended it: kept, with where to post it now.
        if (ack?.error && "follow_up_thread_id" in ack.error) keepForFollowUp(live, body, "chat", ack.error.follow_up_thread_id);
        return;
      }
      showError(error, "");
      describe(body, error, false);
      body.value = "";
      counter.refresh();
      notes.refresh();
      store.remove(draftKey);
      add(ack.message, { quiet: true });
      scrollToBottom();
    });
  });

  return { add, remove, onSnapshot, applyEnabled, scrollToBottom };
}
