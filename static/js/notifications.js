/*
 * Notifications on every page: the unread count in the navigation bar and a toast (a link
 * to what it is about), spoken once through the live region. A notification that comes
 * again with the same id (a batch reworded: "3 people found your answer helpful") replaces
 * its toast; `notification.removed` (all its reactions taken back) takes it away.
 */
import { $, safePath } from "./dom.js";
import { t, tn } from "./i18n.js";
import { announce } from "./notices.js";
import { socket } from "./socket.js";

const unreadBadge = $("#notification-count");

function setUnread(count) {
  if (!unreadBadge || typeof count !== "number") return;
  unreadBadge.textContent = String(count);
  unreadBadge.classList.toggle("d-none", count === 0);
  unreadBadge.closest("a")?.setAttribute("aria-label",
    tn("Notifications, %(num)s unread", "Notifications, %(num)s unread", count));
}

function dropToast(id) {
  if (!id) return;
  for (const old of document.querySelectorAll(`.rt-toast-container .toast[data-notification-id="${Number(id)}"]`)) {
    window.bootstrap?.Toast?.getInstance(old)?.dispose();
    old.remove();
  }
}

function toast(text, url, id) {
  if (!window.bootstrap?.Toast) return;
  dropToast(id);
  let holder = $(".rt-toast-container");
  if (!holder) {
    holder = document.createElement("div");
    holder.className = "toast-container rt-toast-container";
    document.body.append(holder);
  }
  const el = document.createElement("div");
  el.className = "toast";
  if (id) el.dataset.notificationId = String(Number(id));
  // Not a live region itself: #live-announcer already speaks the text once.
  const inner = document.createElement("div");
  inner.className = "d-flex";
  const content = document.createElement("div");
  content.className = "toast-body";
  // The text carries names and titles: English in an Arabic page must keep its punctuation.
  content.dir = "auto";
  const path = safePath(url);
  if (path) {
    const link = document.createElement("a");
    link.href = path;
    link.textContent = text;
    content.append(link);
  } else {
    content.textContent = text;
  }
  const close = document.createElement("button");
  close.type = "button";
  close.className = "btn-close me-2 m-auto";
  close.setAttribute("data-bs-dismiss", "toast");
  close.setAttribute("aria-label", t("Close"));
  inner.append(content, close);
  el.append(inner);
  holder.append(el);
  el.addEventListener("hidden.bs.toast", () => el.remove());
  window.bootstrap.Toast.getOrCreateInstance(el, { delay: 7000 }).show();
}

if (socket) {
  socket.on("notification", (data) => {
    setUnread(data?.unread);
    const note = data?.notification || {};
    if (note.text) {
      announce(note.text);
      toast(note.text, note.url, note.id);
    }
  });
  socket.on("notification.read", (data) => setUnread(data?.unread));
  socket.on("notification.removed", (data) => {
    setUnread(data?.unread);
    dropToast(data?.id);
  });
}
