/*
 * The live appeals page (templates/moderation/appeals.html, /moderation/appeals).
 *
 * Follows the moderators' room "mods:<slug>" of every topic the moderator moderates, from the
 * cursors read when the page was rendered (data-rooms), for `moderation.appeal`:
 *  - `added`: a new appeal; its card is read from this page as the server renders it for this
 *    moderator (whether they may decide it is the Guardian's answer, not ours) and put first;
 *  - `upheld`, `overturned`, `withdrawn`, `closed`: settled elsewhere; the card says how and its
 *    form is disabled, so nobody decides it twice (the server refuses a second decision anyway).
 * Nothing the moderator is typing is replaced and focus never moves.
 */
import { $ } from "./dom.js";
import { t, tn, tNodes } from "./i18n.js";
import { announce } from "./notices.js";
import { follow } from "./rooms.js";
import { socket } from "./socket.js";

const root = $("#moderation-appeals");
if (root && socket) start();

function start() {
  const list = $("#open-appeals");
  const countEl = $("#open-appeals-count");
  let rooms;
  try {
    rooms = JSON.parse(root.dataset.rooms || "{}") || {};
  } catch {
    rooms = {};
  }
  const pending = new Set();
  const SETTLED = {
    upheld: () => t("upheld: the post stays hidden"),
    overturned: () => t("overturned: the post is visible again"),
    withdrawn: () => t("withdrawn: the post was edited and sent back to the moderators"),
    closed: () => t("closed: a moderator acted on the post in the meantime"),
  };

  const cardOf = (id) => document.getElementById(`appeal-${id}`);
  const openCards = () => Array.from(list?.querySelectorAll(".appeal-card:not(.appeal-card--settled)") || []);

  function updateCount() {
    const n = openCards().length;
    if (countEl) {
      countEl.dataset.count = String(n);
      countEl.textContent = tn("%(num)d open appeal", "%(num)d open appeals", n);
    }
    const none = $("#no-open-appeals");
    if (none) none.hidden = n > 0;
  }

  async function fetchCard(id) {
    const response = await fetch(location.pathname, { credentials: "same-origin", headers: { Accept: "text/html" } });
    if (!response.ok) return null;
    const doc = new DOMParser().parseFromString(await response.text(), "text/html");
    const card = doc.querySelector(`#open-appeals #appeal-${id}`);
    return card ? document.importNode(card, true) : null;
  }

  async function added(id) {
    if (!list || cardOf(id) || pending.has(id)) return;
    pending.add(id);
    try {
      const card = await fetchCard(id);
      if (!card || cardOf(id)) return; // settled meanwhile, or not one this moderator sees
      list.prepend(card);
      updateCount();
      const title = card.querySelector(".card-title > bdi:last-of-type")?.textContent || t("a thread");
      announce(t("New appeal about a post in “%(title)s”.", { title }));
    } catch (error) {
      console.error("appeals update failed", error);
    } finally {
      pending.delete(id);
    }
  }

  function settled(id, change, appeal) {
    const card = cardOf(id);
    if (!card || card.classList.contains("appeal-card--settled")) return;
    card.classList.add("appeal-card--settled");
    const note = card.querySelector('[data-part="settled"]');
    const word = SETTLED[change]?.() || change;
    const by = appeal?.reviewer?.name;
    if (note) {
      note.replaceChildren(by ? tNodes("Settled by %(name)s: %(state)s.", { name: by, state: word })
        : tNodes("Settled: %(state)s.", { state: word }));
      note.hidden = false;
    }
    for (const control of card.querySelectorAll("form button, form input:not([type=hidden])")) control.disabled = true;
    for (const form of card.querySelectorAll("form")) form.setAttribute("aria-disabled", "true");
    updateCount();
    announce(t("An appeal was settled: %(state)s.", { state: word }));
  }

  const names = Object.keys(rooms).filter((room) => room.startsWith("mods:"));
  for (const room of names) {
    follow(room, rooms[room], (name, data) => {
      if (name !== "moderation.appeal") return;
      const id = Number(data.appeal_id);
      if (!id) return;
      if (data.change === "added") added(id);
      else settled(id, data.change, data.appeal);
    });
  }
  const liveNote = $("#appeals-live-note");
  if (liveNote && names.length) liveNote.hidden = false;
}
