/*
 * Following rooms on the page's socket: join with `since`, replay what was missed, drop
 * duplicates. Every room event carries a `cursor`; we keep the highest one seen per room,
 * ignore anything at or below it (no duplicates) and rejoin with `since` after a reconnect
 * (nothing lost). Events that arrive while a join is being answered wait for the replay.
 * A `batch` carries several events of one room: each is delivered as if it came alone.
 */
import { t } from "./i18n.js";
import { announce, showBanner } from "./notices.js";
import { ACK_TIMEOUT_MS, onConnect, socket } from "./socket.js";

const rooms = new Map();

// A `batch` event (several events of one room within the server's tick) is handled event by
// event, in order, with the same cursor rules; what the handlers put off with `afterBatch`
// (chat lines, say) then runs once, so the page changes in one DOM update.
let batchDepth = 0;
const batchDone = [];

/** Whether a `batch` is being handled (its events' handlers may defer their DOM work). */
export function inBatch() {
  return batchDepth > 0;
}

/** Run `fn` once the batch being handled is done (at once when there is none); once per batch. */
export function afterBatch(fn) {
  if (!batchDepth) fn();
  else if (!batchDone.includes(fn)) batchDone.push(fn);
}

function deliverBatch(room, events) {
  batchDepth += 1;
  try {
    for (const event of events) {
      if (event?.name && event.data) deliver(room, event.name, event.data);
    }
  } finally {
    batchDepth -= 1;
    if (!batchDepth) {
      for (const fn of batchDone.splice(0)) {
        try { fn(); } catch (error) { console.error("batch update failed", room, error); }
      }
    }
  }
}

// Every event a room may carry (docs/socket-events.md); `moderation.queue` and
// `moderation.appeal` too, for the moderators' rooms, and `post.state` for one's own room.
const ROOM_EVENTS = [
  "post.created", "post.updated", "post.hidden", "post.deleted", "post.restored",
  "thread.created", "thread.updated", "thread.removed", "typing", "presence",
  "live.state", "live.question", "live.question.updated", "live.chat", "live.chat.hidden",
  "moderation.queue", "moderation.appeal", "post.state", "resource.created", "resource.updated",
];

/**
 * Follow `room` from `cursor` on: `onEvent(name, data)` gets each event once, in order;
 * `onJoined(ack)` runs after every (re)join, once the missed events are replayed. A `cursor` of
 * null follows from the first join on (a page that did not read the room's cursor).
 */
const leftListeners = new Map(); // room -> [fn]: told when the server makes this page leave it

/** `fn(reason)` runs when the server makes this page leave `room` (access taken away). */
export function onLeft(room, fn) {
  if (!leftListeners.has(room)) leftListeners.set(room, []);
  leftListeners.get(room).push(fn);
}

export function follow(room, cursor, onEvent, onJoined = null) {
  if (!socket) return;
  const from = cursor === null ? null : Number(cursor) || 0;
  rooms.set(room, { cursor: from, joining: false, buffer: [], onEvent, onJoined, left: false });
  if (socket.connected) join(room);
}

function join(room) {
  const entry = rooms.get(room);
  if (!entry || entry.left) return;
  entry.joining = true;
  entry.buffer = [];
  const request = entry.cursor === null ? { room } : { room, since: entry.cursor };
  socket.timeout(ACK_TIMEOUT_MS).emit("join", request, (err, ack) => {
    entry.joining = false;
    const buffered = entry.buffer;
    entry.buffer = [];
    if (err) {
      // No answer: try again while connected (the next connect rejoins anyway).
      if (socket.connected) setTimeout(() => join(room), 2000);
      return;
    }
    if (!ack || !ack.ok) {
      entry.left = true;
      showBanner(ack?.error?.message || t("Live updates for this page are not available."), { key: "join" });
      return;
    }
    if (ack.reset) {
      showBanner(t("Updates were missed while you were away."), {
        key: "reset", kind: "info", actionText: t("Reload"), onAction: () => location.reload(),
      });
    }
    for (const event of ack.missed || []) deliver(room, event.name, event.data);
    if (typeof ack.cursor === "number" && (entry.cursor === null || ack.cursor > entry.cursor)) entry.cursor = ack.cursor;
    if (entry.onJoined) {
      try { entry.onJoined(ack); } catch (error) { console.error("join hook failed", room, error); }
    }
    // Live events that arrived while we waited for the answer come after the replay.
    for (const [name, data] of buffered) deliver(room, name, data);
  });
}

function deliver(room, name, data) {
  const entry = rooms.get(room);
  if (!entry || entry.left || !data) return;
  if (entry.joining) {
    entry.buffer.push([name, data]);
    return;
  }
  const cursor = data.cursor;
  if (typeof cursor === "number") {
    if (entry.cursor !== null && cursor <= entry.cursor) return; // seen already (replayed and live, or twice)
    entry.cursor = cursor;
  }
  try {
    entry.onEvent(name, data);
  } catch (error) {
    console.error("live update failed", name, error);
  }
}

if (socket) {
  for (const name of ROOM_EVENTS) {
    socket.on(name, (data) => { if (data?.room) deliver(data.room, name, data); });
  }
  socket.on("batch", (data) => { if (data?.room && Array.isArray(data.events)) deliverBatch(data.room, data.events); });
  socket.on("room.left", (data) => {
    const entry = rooms.get(data?.room);
    if (entry) entry.left = true;
    for (const fn of leftListeners.get(data?.room) || []) fn(data?.reason || "");
    showBanner(data?.reason ? t("You left this page's live updates: %(reason)s", { reason: data.reason })
      : t("You left this page's live updates."),
    { key: "left", actionText: t("Reload"), onAction: () => location.reload() });
    announce(data?.reason || t("Live updates stopped for this page."));
  });

  onConnect(() => { for (const room of rooms.keys()) join(room); });
}
