/*
 * The live review queue (templates/moderation/queue.html).
 *
 * Follows the moderators' room "mods:<slug>" of every topic shown on the page's one socket,
 * from the cursor read when the page was rendered, so nothing that happened in between is
 * missed. Then:
 *  - a new held or flagged post is fetched as a rendered card (the same macro as the
 *    page, /moderation/queue/items/<id>: the moderator's own queue, not a room broadcast)
 *    and inserted in order, announced politely;
 *  - a post handled by another moderator is marked "Handled by <name>" and its buttons
 *    are disabled, so nobody acts on it twice (the server refuses a second action anyway);
 *  - new flags on a card already shown update its flags without touching what the
 *    moderator is typing.
 * Focus is never moved. Without JavaScript the page still works (reload to refresh).
 */
import { t, tn, tNodes } from "./i18n.js";
import { announce } from "./notices.js";
import { follow } from "./rooms.js";
import { socket } from "./socket.js";
import { threadTitle } from "./titles.js";

const root = document.getElementById("moderation-queue");
if (root && socket) start();

function start() {
  const list = document.getElementById("queue-items");
  const countEl = document.getElementById("queue-count");
  let rooms;
  try {
    rooms = JSON.parse(root.dataset.rooms || "{}") || {};
  } catch {
    rooms = {};
  }
  const nextUrl = root.dataset.next || "/moderation";
  const itemBase = (root.dataset.itemUrl || "/moderation/queue/items/0").replace(/\/0$/, "/");

  const seen = new Set(); // "room#cursor": the replay and the live stream overlap around a (re)join
  const handledEarly = new Map(); // post id -> event, for a "handled" that beat its card here
  const pending = new Set(); // post ids whose card is being fetched

  const PAST = {
    approve: t("approved it"), reject: t("rejected it"), hide: t("hid it"), restore: t("restored it"),
    delete: t("deleted it"), undelete: t("restored it"), edit: t("edited it"),
  };

  // The same colours as the state_badge macro (templates/moderation/_macros.html).
  const STATE_BADGES = {
    visible: "text-bg-success", held: "text-bg-warning", hidden: "text-bg-danger", deleted: "text-bg-secondary",
  };

  const cards = () => Array.from(list.querySelectorAll("article.moderation-item"));
  const cardOf = (id) => document.getElementById(`queue-post-${id}`);
  const titleOf = (card) => card?.querySelector("h2 a, h3 a")?.textContent?.trim() || t("a thread");

  function updateCount() {
    if (!countEl) return;
    const open = cards().filter((c) => !c.classList.contains("moderation-item--handled")).length;
    const done = cards().length - open;
    countEl.dataset.count = String(open);
    let text = open
      ? tn("%(num)d post to review, oldest first.", "%(num)d posts to review, oldest first.", open)
      : t("Nothing to review. Held and flagged posts appear here.");
    if (done) {
      text += ` ${tn("%(num)s handled by another moderator is marked below.",
        "%(num)s handled by another moderator are marked below.", done)}`;
    }
    countEl.textContent = text;
  }

  /** Is the moderator in the middle of something on this card (focus inside, or typed text)? */
  function busy(card) {
    if (card.contains(document.activeElement)) return true;
    return Array.from(card.querySelectorAll("input:not([type=hidden]), textarea"))
      .some((input) => input.value !== input.defaultValue);
  }

  async function fetchCard(id) {
    const response = await fetch(`${itemBase}${id}?next=${encodeURIComponent(nextUrl)}`, {
      credentials: "same-origin",
      headers: { Accept: "text/html" },
    });
    if (response.status !== 200) return null; // 204: no longer in the queue; 403/404: not ours
    const template = document.createElement("template");
    template.innerHTML = await response.text();
    return template.content.querySelector("article.moderation-item");
  }

  function place(card) {
    const id = Number(card.dataset.postId);
    const after = cards().find((c) => Number(c.dataset.postId) > id);
    list.insertBefore(card, after || null);
  }

  function replaceParts(card, fresh) {
    for (const part of ["state", "flags"]) {
      const old = card.querySelector(`[data-part="${part}"]`);
      const now = fresh.querySelector(`[data-part="${part}"]`);
      if (old && now) old.replaceWith(now);
    }
  }

  async function arrived(id, data) {
    if (pending.has(id)) return;
    pending.add(id);
    try {
      const fresh = await fetchCard(id);
      const card = cardOf(id);
      const early = handledEarly.get(id);
      handledEarly.delete(id);
      if (!fresh) {
        if (card && early) markHandled(id, early);
        return;
      }
      if (early && !card) return; // came and went before we saw it: nothing to show
      const title = (data.thread && threadTitle(data.thread)) || titleOf(fresh);
      if (!card) {
        place(fresh);
        const n = cards().filter((c) => !c.classList.contains("moderation-item--handled")).length;
        announce(data.change === "flagged"
          ? t("New in the review queue: a post flagged in “%(title)s”. %(num)s to review.", { title, num: n })
          : t("New in the review queue: a post held for review in “%(title)s”. %(num)s to review.", { title, num: n }));
      } else if (card.classList.contains("moderation-item--handled") && !busy(card)) {
        card.replaceWith(fresh); // back in the queue (resubmitted, flagged again): a fresh card
        announce(t("Back in the review queue: a post in “%(title)s”.", { title }));
      } else {
        replaceParts(card, fresh);
        if (data.change === "flagged") announce(t("New flag on a post in “%(title)s”.", { title }));
      }
      updateCount();
    } catch (error) {
      console.error("review queue update failed", error);
    } finally {
      pending.delete(id);
    }
  }

  function markHandled(id, data) {
    const card = cardOf(id);
    if (!card) {
      handledEarly.set(id, data);
      return;
    }
    const who = data.by || t("another moderator");
    const what = PAST[data.action] || t("handled it");
    card.classList.add("moderation-item--handled");
    const note = card.querySelector('[data-part="handled"]');
    if (note) {
      note.replaceChildren(tNodes("Handled by %(name)s: %(action)s. Nothing more to do here.", { name: who, action: what }));
      note.hidden = false;
    }
    const state = data.post?.state;
    const badge = card.querySelector('[data-part="state"] .badge');
    if (badge && STATE_BADGES[state]) {
      badge.classList.remove(...Object.values(STATE_BADGES));
      badge.classList.add(STATE_BADGES[state]);
      badge.textContent = { held: t("Held for review"), visible: t("Visible"), hidden: t("Hidden"), deleted: t("Deleted") }[state];
    }
    for (const control of card.querySelectorAll("form button, form input:not([type=hidden]), form select, form textarea")) {
      control.disabled = true;
    }
    for (const form of card.querySelectorAll("form")) form.setAttribute("aria-disabled", "true");
    updateCount();
    announce(t("%(name)s %(action)s: the post in “%(title)s”.", { name: who, action: what, title: titleOf(card) }));
  }

  function onQueueEvent(room, data) {
    if (!data || typeof data !== "object") return;
    if (typeof data.cursor === "number") {
      const key = `${room}#${data.cursor}`;
      if (seen.has(key)) return;
      seen.add(key);
    }
    const id = Number(data.post?.id);
    if (!id) return;
    if (data.change === "added" || data.change === "flagged") arrived(id, data);
    else if (data.change === "handled") markHandled(id, data);
  }

  const names = Object.keys(rooms).filter((room) => room.startsWith("mods:"));
  for (const room of names) {
    // follow() joins (and rejoins after a reconnect) with `since`, handing us what was missed
    // and then each live event once.
    follow(room, rooms[room], (name, data) => {
      if (name === "moderation.queue") onQueueEvent(room, data);
    });
  }
  const liveNote = document.getElementById("queue-live-note");
  if (liveNote && names.length) liveNote.hidden = false;
}
