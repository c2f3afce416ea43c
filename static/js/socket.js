/*
 * The page's one Socket.IO connection (the vendor script socket.io.min.js provides `io`).
 *
 * Every page script that talks to the server live imports `socket` from here, so a page
 * never opens a second connection. Signed-out pages get `socket = null`. The badge
 * #connection-state says connected / reconnecting / offline; a server that closes the
 * connection on purpose (signed out, suspended: "session.ended") is not retried.
 */
import { $, userId } from "./dom.js";
import { t } from "./i18n.js";
import { announce, showBanner } from "./notices.js";

export const ACK_TIMEOUT_MS = 10000;

export const socket = userId && typeof io === "function" ? io({
  transports: ["websocket", "polling"],
  tryAllTransports: true,
  reconnection: true,
  reconnectionDelay: 1000,
  reconnectionDelayMax: 10000,
  randomizationFactor: 0.5,
}) : null;

const connectHooks = [];
const disconnectHooks = [];
const status = { everConnected: false, stopped: false };

/** Run `hook` on every (re)connection. */
export function onConnect(hook) { connectHooks.push(hook); }
/** Run `hook` whenever the connection drops. */
export function onDisconnect(hook) { disconnectHooks.push(hook); }
/** Has this page been connected at least once (so the socket works here)? */
export const everConnected = () => status.everConnected;

const stateBadge = $("#connection-state");
const STATES = {
  connected: [t("connected"), "text-bg-success"],
  reconnecting: [t("reconnecting"), "text-bg-warning"],
  offline: [t("offline"), "text-bg-secondary"],
};
let shownState = stateBadge?.dataset.state || null;

function setState(state) {
  if (!stateBadge || state === shownState) return;
  shownState = state;
  const [text, cls] = STATES[state];
  stateBadge.dataset.state = state;
  stateBadge.textContent = text;
  stateBadge.classList.remove("text-bg-success", "text-bg-warning", "text-bg-secondary");
  stateBadge.classList.add(cls);
}

function run(hooks, ...args) {
  for (const hook of hooks) {
    try { hook(...args); } catch (error) { console.error("connection hook failed", error); }
  }
}

if (socket) {
  socket.on("connect", () => {
    status.everConnected = true;
    setState("connected");
    run(connectHooks);
  });
  socket.on("disconnect", (reason) => {
    run(disconnectHooks);
    setState(status.stopped || reason === "io server disconnect" ? "offline" : "reconnecting");
  });
  socket.io.on("reconnect_attempt", () => { if (!status.stopped) setState("reconnecting"); });
  socket.io.on("reconnect_failed", () => setState("offline"));
  socket.on("connect_error", (err) => {
    if (socket.active === false) {
      // Refused by the server (e.g. the session ended): retrying would not help.
      setState("offline");
      showBanner(t("Live updates are off: %(reason)s.", { reason: err?.message || t("the server refused the connection") }),
        { key: "connect", actionText: t("Reload"), onAction: () => location.reload() });
    } else {
      setState(status.everConnected ? "reconnecting" : "offline");
    }
  });
  window.addEventListener("offline", () => setState("offline"));
  window.addEventListener("online", () => {
    if (!status.stopped && !socket.connected) socket.connect();
  });

  socket.on("session.ended", (data) => {
    status.stopped = true;
    socket.io.reconnection(false);
    socket.disconnect();
    setState("offline");
    const reason = data?.reason || t("Your session has ended.");
    showBanner(t("%(reason)s Sign in again to continue.", { reason }), {
      kind: "danger", key: "session", actionText: t("Sign in"), onAction: () => location.assign("/login"),
    });
    announce(reason);
  });
}
