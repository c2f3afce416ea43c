/*
 * Roundtable live updates: the socket connection, notifications, and the live
 * parts of the topic and thread pages (new replies, edits, removals, lock/pin/
 * accepted answer, typing, presence) plus the composer that posts over the
 * socket and never loses a draft.
 *
 * Plain modern JS, no framework, no inline anything (the CSP forbids it). The
 * pages work without this file: it only adds to them. Every room event carries
 * a `cursor`; we keep the highest one seen per room, ignore anything at or below
 * it (no duplicates) and rejoin with `since` after a reconnect (nothing lost).
 */
(() => {
  "use strict";

  const body = document.body;
  const userId = Number(body.dataset.userId || 0);
  if (!userId || typeof window.io !== "function") return;

  const $ = (selector, root = document) => root.querySelector(selector);
  const $$ = (selector, root = document) => Array.from(root.querySelectorAll(selector));
  const csrfToken = () => $('meta[name="csrf-token"]')?.content || "";
  const ACK_TIMEOUT_MS = 10000;

  // --- small helpers -----------------------------------------------------------
  const store = {
    get(key) {
      try { return JSON.parse(localStorage.getItem(key) || "null"); } catch { return null; }
    },
    set(key, value) {
      try { localStorage.setItem(key, JSON.stringify(value)); } catch { /* private mode or full */ }
    },
    remove(key) {
      try { localStorage.removeItem(key); } catch { /* ignore */ }
    },
  };

  // A write refused for going too fast ({code: "rate_limited", retry_after}): the text stays,
  // the send button waits, and the status says when it can be sent (then that it can).
  function holdSend(button, seconds, statusEl) {
    const until = Date.now() + Math.max(1, seconds) * 1000;
    button.disabled = true;
    button.dataset.heldUntil = String(until);
    const tick = () => {
      if (button.dataset.heldUntil !== String(until)) return; // a newer hold took over
      const left = Math.ceil((until - Date.now()) / 1000);
      if (left > 0) {
        if (statusEl) statusEl.textContent = t("You can send it in %(seconds)s s.", { seconds: left });
        setTimeout(tick, 1000);
        return;
      }
      delete button.dataset.heldUntil;
      button.disabled = false;
      if (statusEl) statusEl.textContent = t("You can send it now.");
    };
    tick();
  }
  function isHeld(button) {
    return Number(button?.dataset.heldUntil || 0) > Date.now();
  }

  function newClientId() {
    if (window.crypto?.randomUUID) return window.crypto.randomUUID();
    // randomUUID needs a secure context; plain http on a LAN still gets a v4 UUID.
    const b = window.crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  function debounce(fn, ms) {
    let timer;
    return (...args) => {
      clearTimeout(timer);
      timer = setTimeout(() => fn(...args), ms);
    };
  }

  /** Only same-site paths: never a javascript: or another site's URL from a payload. */
  function safePath(url) {
    return typeof url === "string" && url.startsWith("/") && !url.startsWith("//") ? url : null;
  }

  // --- announcing (politely; focus is never moved) --------------------------------
  const announcer = $("#live-announcer");
  let announceTimer;
  let toAnnounce = [];
  function announce(text) {
    if (!announcer || !text) return;
    // Messages arriving together are read together, not one over the other.
    if (!toAnnounce.includes(text)) toAnnounce.push(text);
    clearTimeout(announceTimer);
    announceTimer = setTimeout(() => {
      const message = toAnnounce.join(" ");
      toAnnounce = [];
      announcer.textContent = "";
      // A fresh text after a tick makes screen readers repeat an identical message.
      setTimeout(() => { announcer.textContent = message; }, 60);
    }, 200);
  }

  /** A notice at the top of the page (thread page: #live-status), with an optional action. */
  function showBanner(text, { kind = "warning", actionText = null, onAction = null, key = null } = {}) {
    let host = $("#live-status");
    if (!host) {
      host = document.createElement("div");
      host.className = "live-status";
      host.setAttribute("role", "status");
      host.setAttribute("aria-live", "polite");
      const main = $("#main");
      (main || body).prepend(host);
    }
    if (key) $$(`[data-banner="${key}"]`, host).forEach((el) => el.remove());
    const box = document.createElement("div");
    box.className = `alert alert-${kind} d-flex flex-wrap gap-2 align-items-center mb-2`;
    if (key) box.dataset.banner = key;
    const span = document.createElement("span");
    span.textContent = text;
    box.append(span);
    if (actionText && onAction) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-sm btn-outline-dark";
      button.textContent = actionText;
      button.addEventListener("click", onAction);
      box.append(button);
    }
    host.append(box);
    return box;
  }

  // --- relative times: kept fresh, with the reader's local time in the tooltip ----------
  // "3 minutes ago" in the page's language (the browser knows every language's forms).
  let relativeFormat = null;
  try {
    relativeFormat = new Intl.RelativeTimeFormat(document.documentElement.lang || "en", { numeric: "always" });
  } catch {
    relativeFormat = null;
  }
  function relative(date) {
    const seconds = (Date.now() - date.getTime()) / 1000;
    if (seconds < 45) return t("just now");
    if (!relativeFormat) return null;
    const steps = [[3600, 60, "minute"], [86400, 3600, "hour"], [7 * 86400, 86400, "day"]];
    for (const [limit, size, unit] of steps) {
      if (seconds < limit) {
        const n = Math.max(1, Math.floor(seconds / size));
        return relativeFormat.format(-n, unit);
      }
    }
    return null; // older: the server's date stays
  }
  function refreshTimes(root = document) {
    // time[data-absolute]: a schedule (future or fixed times) that must not become "just now".
    for (const el of $$("time[datetime]:not([data-absolute])", root)) {
      const date = new Date(el.getAttribute("datetime"));
      if (Number.isNaN(date.getTime())) continue;
      const text = relative(date);
      if (text) el.textContent = text;
      if (!el.dataset.localised) {
        el.dataset.localised = "1";
        el.title = date.toLocaleString(undefined, { dateStyle: "long", timeStyle: "short" });
      }
    }
  }
  refreshTimes();
  setInterval(refreshTimes, 60000);

  // --- the connection -------------------------------------------------------------
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

  const socket = window.io({
    transports: ["websocket", "polling"],
    tryAllTransports: true,
    reconnection: true,
    reconnectionDelay: 1000,
    reconnectionDelayMax: 10000,
    randomizationFactor: 0.5,
  });
  let everConnected = false;
  let stopped = false;
  const onConnectHooks = [];
  const onDisconnectHooks = [];

  socket.on("connect", () => {
    everConnected = true;
    setState("connected");
    for (const hook of onConnectHooks) hook();
  });
  socket.on("disconnect", (reason) => {
    for (const hook of onDisconnectHooks) hook();
    // The server closing us on purpose (signed out, suspended) is not retried.
    setState(stopped || reason === "io server disconnect" ? "offline" : "reconnecting");
  });
  socket.io.on("reconnect_attempt", () => { if (!stopped) setState("reconnecting"); });
  socket.io.on("reconnect_failed", () => setState("offline"));
  socket.on("connect_error", (err) => {
    if (socket.active === false) {
      // Refused by the server (e.g. the session ended): retrying would not help.
      setState("offline");
      showBanner(t("Live updates are off: %(reason)s.", { reason: err?.message || t("the server refused the connection") }),
        { key: "connect", actionText: t("Reload"), onAction: () => location.reload() });
    } else {
      setState(everConnected ? "reconnecting" : "offline");
    }
  });
  window.addEventListener("offline", () => setState("offline"));
  window.addEventListener("online", () => {
    if (!stopped && !socket.connected) socket.connect();
  });

  socket.on("session.ended", (data) => {
    stopped = true;
    socket.io.reconnection(false);
    socket.disconnect();
    setState("offline");
    const reason = data?.reason || t("Your session has ended.");
    showBanner(t("%(reason)s Sign in again to continue.", { reason }), {
      kind: "danger", key: "session", actionText: t("Sign in"), onAction: () => location.assign("/login"),
    });
    announce(reason);
  });

  // --- notifications (every page) ----------------------------------------------------
  const unreadBadge = $("#notification-count");
  function setUnread(count) {
    if (!unreadBadge || typeof count !== "number") return;
    unreadBadge.textContent = String(count);
    unreadBadge.classList.toggle("d-none", count === 0);
    unreadBadge.closest("a")?.setAttribute("aria-label",
      tn("Notifications, %(num)s unread", "Notifications, %(num)s unread", count));
  }
  function toast(text, url) {
    if (!window.bootstrap?.Toast) return;
    let holder = $(".rt-toast-container");
    if (!holder) {
      holder = document.createElement("div");
      holder.className = "toast-container rt-toast-container";
      body.append(holder);
    }
    const el = document.createElement("div");
    el.className = "toast";
    // Not a live region itself: #live-announcer already speaks the text once.
    const inner = document.createElement("div");
    inner.className = "d-flex";
    const content = document.createElement("div");
    content.className = "toast-body";
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
  socket.on("notification", (data) => {
    setUnread(data?.unread);
    const note = data?.notification || {};
    if (note.text) {
      announce(note.text);
      toast(note.text, note.url);
    }
  });
  socket.on("notification.read", (data) => setUnread(data?.unread));

  // --- rooms: join with `since`, replay what was missed, drop duplicates -----------------
  const rooms = new Map();

  /** Follow `room` from `cursor` on; `onEvent(name, data)` gets each event once, in order. */
  function follow(room, cursor, onEvent, onJoined = null) {
    rooms.set(room, { cursor: Number(cursor) || 0, joining: false, buffer: [], onEvent, onJoined, left: false });
    if (socket.connected) join(room);
  }

  function join(room) {
    const entry = rooms.get(room);
    if (!entry || entry.left) return;
    entry.joining = true;
    entry.buffer = [];
    socket.timeout(ACK_TIMEOUT_MS).emit("join", { room, since: entry.cursor }, (err, ack) => {
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
      if (typeof ack.cursor === "number" && ack.cursor > entry.cursor) entry.cursor = ack.cursor;
      if (entry.onJoined) {
        try { entry.onJoined(ack); } catch (error) { console.error("join hook failed", room, error); } // eslint-disable-line no-console
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
      if (cursor <= entry.cursor) return; // seen already (replayed and live, or twice)
      entry.cursor = cursor;
    }
    try {
      entry.onEvent(name, data);
    } catch (error) {
      console.error("live update failed", name, error); // eslint-disable-line no-console
    }
  }

  const ROOM_EVENTS = [
    "post.created", "post.updated", "post.hidden", "post.deleted", "post.restored",
    "thread.created", "thread.updated", "thread.removed", "typing", "presence",
    "live.state", "live.question", "live.question.updated", "live.chat", "live.chat.hidden",
  ];
  for (const name of ROOM_EVENTS) {
    socket.on(name, (data) => { if (data?.room) deliver(data.room, name, data); });
  }

  socket.on("room.left", (data) => {
    const entry = rooms.get(data?.room);
    if (entry) entry.left = true;
    showBanner(data?.reason ? t("You left this page's live updates: %(reason)s", { reason: data.reason })
      : t("You left this page's live updates."),
    { key: "left", actionText: t("Reload"), onAction: () => location.reload() });
    announce(data?.reason || t("Live updates stopped for this page."));
  });

  onConnectHooks.push(() => { for (const room of rooms.keys()) join(room); });

  // Page scripts (static/js/live_session.js) reuse this one connection instead of opening another.
  window.Roundtable = {
    socket, follow, announce, showBanner, refreshTimes, store, newClientId, ACK_TIMEOUT_MS, holdSend, isHeld,
    onConnect: (hook) => onConnectHooks.push(hook),
    onDisconnect: (hook) => onDisconnectHooks.push(hook),
  };

  // --- topic page: count new/updated threads, never reshuffle the list under the reader ------
  const topicEl = $("#topic");
  if (topicEl) {
    const button = $("#topic-updates");
    const changed = new Set();
    let lastAnnounced = 0;
    follow(`topic:${topicEl.dataset.topicSlug}`, topicEl.dataset.cursor, (name, data) => {
      // thread.removed: moved to another topic (where it went is not said here).
      if (name === "thread.removed" && button && data.thread_id) {
        changed.add(Number(data.thread_id));
      } else {
        if ((name !== "thread.created" && name !== "thread.updated") || !data.thread || !button) return;
        changed.add(data.thread.id);
      }
      const n = changed.size;
      button.textContent = tn("%(num)s new or updated thread — show", "%(num)s new or updated threads — show", n);
      button.hidden = false;
      const now = Date.now();
      if (now - lastAnnounced > 5000) {
        lastAnnounced = now;
        announce(name === "thread.created" ? t("New thread: %(title)s", { title: data.thread.title }) : button.textContent);
      }
    });
    button?.addEventListener("click", () => location.reload());
  }

  // --- thread page -----------------------------------------------------------------
  const threadEl = $("#thread");
  if (threadEl) initThread(threadEl);

  function initThread(el) {
    const threadId = Number(el.dataset.threadId);
    const isModerator = el.dataset.moderator === "true" || body.dataset.moderator === "true";
    const isAsker = el.dataset.asker === "true";
    const openingId = Number(el.dataset.openingPostId || 0);
    const onLastPage = Number(el.dataset.page || 1) >= Number(el.dataset.pages || 1);
    let locked = el.dataset.locked === "true";

    const form = $("#composer-form");
    const textarea = $("#composer-body");
    const submit = $("#composer-submit");
    const statusEl = $("#composer-status");
    const errorEl = $("#composer-error");
    const replyToInput = $("#composer-reply-to");
    const clientIdInput = $("#composer-client-id");
    const anonymousBox = $("#composer-anonymous");
    const languageSelect = $("#composer-language");
    const languageFilter = el.dataset.langFilter || ""; // ?lang=: only posts in that language are shown
    const presenceEl = $("#presence");
    const typingEl = $("#typing");
    let sending = false; // a reply is on its way over the socket

    // Controls in live fragments say who may use them; show them to those people only.
    function allowed(control) {
      const article = control.closest("article.post");
      const authorId = Number(article?.dataset.authorId || 0);
      return control.dataset.requires.split(/\s+/).some((need) => {
        switch (need) {
          case "author": return authorId !== 0 && authorId === userId;
          case "not-author": return authorId === 0 || authorId !== userId;
          case "moderator": return isModerator;
          case "asker": return isAsker;
          case "reply": return !!form && (!locked || isModerator);
          default: return false;
        }
      });
    }
    function applyRequires(root) {
      for (const control of $$("[data-requires]", root)) control.hidden = !allowed(control);
    }

    function prepare(article) {
      // Fragments rendered for "anyone in the room" carry no CSRF token: add this page's.
      for (const input of $$('input[name="csrf_token"]', article)) {
        if (!input.value) input.value = csrfToken();
      }
      applyRequires(article);
      for (const link of $$("a[data-reply-link]", article)) {
        if (document.getElementById(`post-${link.dataset.replyLink}`)) link.href = `#post-${link.dataset.replyLink}`;
      }
      const accepted = Number(el.dataset.acceptedPostId || 0);
      markAccepted(article, accepted);
      refreshTimes(article);
    }

    function parseArticle(html) {
      if (typeof html !== "string") return null;
      const template = document.createElement("template");
      template.innerHTML = html.trim(); // server-rendered partial: sanitised post HTML
      return template.content.querySelector("article.post");
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

    /** Put a post where it belongs in the tree (chronologically); returns the article or null. */
    // Room fragments are rendered in English for anyone in the room; a page in another
    // language asks for its own, and so does a moderator for an anonymous post (their
    // copy names the author, marked as visible to moderators only).
    async function localFragment(data) {
      const lang = document.documentElement.lang || "en";
      const revealed = isModerator && data.post?.author?.anonymous;
      if ((lang === "en" && !revealed) || !data.post) return data.fragment;
      try {
        const response = await fetch(`/posts/${data.post.id}/fragment`, { credentials: "same-origin" });
        if (response.ok) return await response.text();
      } catch (err) {
        /* fall back to the room's English fragment */
      }
      return data.fragment;
    }

    function insertPost(html, { highlight = true } = {}) {
      const article = parseArticle(html);
      if (!article) return null;
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
          depth = Number(childList.dataset.depth || 2);
          nested = true;
        } else if (parentNode) {
          // The parent is at the deepest level: sit beside it, saying whom we answer.
          container = parentNode.parentElement;
          depth = Number(parentNode.dataset.depth || 3);
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
      if (depth < 3) {
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
      if (highlight) {
        article.classList.add("post--new");
        setTimeout(() => article.classList.remove("post--new"), 3000);
      }
      return article;
    }

    /** An edit: new body and "edited" mark; the rest (rendered for this reader) stays. */
    function updatePost(html) {
      const fresh = parseArticle(html);
      if (!fresh) return;
      const current = document.getElementById(`post-${fresh.dataset.postId}`);
      if (!current) return;
      const newBody = fresh.querySelector(".post-body");
      current.querySelector(".post-body")?.replaceChildren(...(newBody ? newBody.childNodes : []));
      const newEdited = fresh.querySelector(".post-edited");
      const oldEdited = current.querySelector(".post-edited");
      if (newEdited) {
        if (oldEdited) oldEdited.replaceWith(newEdited);
        else current.querySelector(".post-time")?.after(" ", newEdited);
      }
      refreshTimes(current);
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
      if (form && !isModerator) {
        const notice = $("#composer-locked");
        if (notice) notice.hidden = !value;
        textarea.readOnly = value; // the text stays, readable and copyable
        submit.disabled = value || sending;
      }
      applyRequires(document);
      announce(value ? t("This thread is locked.") : t("This thread is open again."));
    }

    function applyThread(data) {
      const thread = data.thread || {};
      if (typeof thread.locked === "boolean") setLocked(thread.locked);
      const pin = $("#thread-pinned");
      if (pin && typeof thread.pinned === "boolean") pin.hidden = !thread.pinned;
      if ("accepted_post_id" in thread) setAccepted(thread.accepted_post_id);
      if (data.change === "move" && thread.topic && thread.topic !== el.dataset.topicSlug) {
        showBanner(t("This thread was moved to another topic."), {
          key: "move", kind: "info", actionText: t("Reload"), onAction: () => location.reload(),
        });
      }
      // Merged into / closed as a duplicate of another thread: point readers there.
      const elsewhere = Number(data.merged_into || data.duplicate_of || 0);
      if (elsewhere && (data.change === "merged" || data.change === "duplicate")) {
        const text = data.change === "merged" ? t("This thread was merged into another thread.")
          : t("This thread was closed as a duplicate of another thread.");
        showBanner(text, { key: "merged", kind: "info", actionText: t("Go there"),
          onAction: () => location.assign(`/threads/${elsewhere}`) });
        announce(text);
      }
    }

    // typing and presence
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
    onDisconnectHooks.push(() => {
      if (presenceEl) presenceEl.textContent = "";
      typers.clear();
      renderTyping();
    });

    follow(`thread:${threadId}`, el.dataset.cursor, (name, data) => {
      switch (name) {
        case "post.created":
          localFragment(data).then((html) => {
            const article = insertPost(html);
            if (article) {
              const author = data.post?.author || {};
              announce(t("New reply from %(name)s", { name: author.anonymous ? author.label : author.name || t("someone") }));
            }
          });
          break;
        case "post.restored":
          localFragment(data).then((html) => insertPost(html));
          break;
        case "post.updated":
          updatePost(data.fragment);
          break;
        case "post.hidden":
        case "post.deleted":
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

    // --- the composer: post over the socket, keep every draft ---------------------------
    if (!form || !textarea) return;

    const draftKey = `rt:${userId}:draft:${threadId}`;
    let clientId = clientIdInput?.value || newClientId();

    function snapshot(extra = {}) {
      return {
        thread_id: threadId,
        body: textarea.value,
        reply_to: replyToInput?.value ? Number(replyToInput.value) : null,
        reply_name: $("#reply-target-link")?.textContent || "",
        anonymous: !!anonymousBox?.checked,
        language: languageSelect?.value || "",
        client_id: clientId,
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
    function showError(message) {
      if (!errorEl) return;
      errorEl.textContent = message;
      errorEl.hidden = !message;
      textarea.setAttribute("aria-invalid", message ? "true" : "false");
      const describedBy = new Set((textarea.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean));
      if (message) describedBy.add("composer-error"); else describedBy.delete("composer-error");
      textarea.setAttribute("aria-describedby", Array.from(describedBy).join(" "));
    }
    function setBusy(busy) {
      sending = busy;
      submit.disabled = busy || (locked && !isModerator) || isHeld(submit);
      textarea.readOnly = busy || (locked && !isModerator);
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
      } else if (saved.body && saved.body.trim() && saved.body !== serverText) {
        // The page brought text of its own (a quote): keep both, the draft first.
        textarea.value = `${saved.body.trimEnd()}\n\n${serverText}`;
      }
      if (saved.client_id) clientId = saved.client_id;
      if (saved.pending) setStatus(t("Not sent yet: it will be sent when the connection is back."), true);
    }
    if (clientIdInput) clientIdInput.value = clientId;

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
      clientId = newClientId();
      if (clientIdInput) clientIdInput.value = clientId;
      setReplyTarget(null);
      if (anonymousBox) anonymousBox.checked = false;
      setBusy(false);
      showError("");
      const message = post.state === "held"
        ? t("Your reply is awaiting review by a moderator.")
        : t("Your reply was posted.");
      setStatus(message);
      announce(message);
      if (!ack.fragment) return;
      const existing = document.getElementById(`post-${post.id}`);
      if (existing) {
        // The room's copy arrived first; the author's own copy shows their controls.
        const mine = parseArticle(ack.fragment);
        if (mine) {
          prepare(mine);
          existing.replaceWith(mine);
        }
      } else if (onLastPage) {
        insertPost(ack.fragment);
      } else {
        showNewRepliesNotice();
      }
    }

    function send(payload) {
      // Too long to post: say so here (the server's words), rather than send a message the
      // socket would refuse and the page would keep resending.
      const maxChars = Number(textarea.dataset.maxChars || 0);
      if (maxChars && (payload.body || "").trim().length > maxChars) {
        store.set(draftKey, { ...payload, pending: false, saved_at: Date.now() });
        showError(t("Your post is too long: %(count)s characters, the limit is %(max)s.", {
          count: (payload.body || "").trim().length.toLocaleString(), max: maxChars.toLocaleString() }));
        return;
      }
      setBusy(true);
      setStatus(t("Sending…"));
      showError("");
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
        showError(ack?.error?.message || t("Your reply was not posted."));
        if (ack?.error?.code === "rate_limited" && ack.error.retry_after) holdSend(submit, ack.error.retry_after, statusEl);
      });
    }

    function resendPending() {
      const pending = store.get(draftKey);
      if (!pending || !pending.pending || sending || !socket.connected) return;
      const { pending: _p, saved_at: _s, reply_name: _n, ...payload } = pending;
      send({ ...payload, thread_id: threadId });
    }
    onConnectHooks.push(resendPending);

    form.addEventListener("submit", (event) => {
      if (sending) {
        event.preventDefault();
        return;
      }
      const { reply_name: _n, ...payload } = snapshot();
      if (socket.connected) {
        event.preventDefault();
        send(payload);
      } else if (everConnected || navigator.onLine === false) {
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
      if (!link || (locked && !isModerator) || sending) return;
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
      textarea.focus();
      textarea.setSelectionRange(textarea.value.length, textarea.value.length);
    });
    $("#reply-cancel")?.addEventListener("click", (event) => {
      event.preventDefault();
      setReplyTarget(null);
      saveDraft();
      textarea.focus();
    });

    applyRequires(document);
  }
})();
