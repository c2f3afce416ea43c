/*
 * The live-session page (templates/live/session.html): the live parts.
 *
 * Reuses the page's one Socket.IO connection from live.js (window.Roundtable) and
 * follows the rooms live:<id> (everyone) and livehosts:<id> (hosts and moderators:
 * questions waiting for approval). Without this file the page still works: every
 * control is a plain form. With it:
 *   - ask / vote / chat go over the socket (live.ask, live.vote, live.chat) with acks;
 *     the typed text stays until the server says ok, and refusals (slow mode, flood,
 *     silenced) are shown next to the text;
 *   - host actions (approve, answering now, answer, hide, hide a message, silence) use
 *     the JSON API with the page's CSRF token, so the host's page never reloads;
 *   - room events update the state badge, the question queue (re-sorted in place without
 *     moving the focused question), the chat (auto-scroll only when already at the
 *     bottom) and the presence line; new questions and messages are announced politely
 *     through #live-announcer, focus is never taken.
 * New questions and messages are built from the <template> blanks the server rendered
 * with the same macros as the page, so there is one markup source.
 */
(() => {
  "use strict";

  const root = document.getElementById("live-session");
  const RT = window.Roundtable;
  if (!root || !RT) return;

  const { socket, announce, follow, store } = RT;
  const ACK_TIMEOUT_MS = RT.ACK_TIMEOUT_MS || 10000;
  const $ = (selector, scope = document) => scope.querySelector(selector);
  const $$ = (selector, scope = document) => Array.from(scope.querySelectorAll(selector));
  const csrfToken = () => $('meta[name="csrf-token"]')?.content || "";

  const sessionId = Number(root.dataset.sessionId);
  const userId = Number(document.body.dataset.userId || 0);
  const isHost = root.dataset.host === "true";
  const timeZone = root.dataset.timezone || "UTC";
  const protectedIds = new Set((root.dataset.protectedIds || "").split(/\s+/).filter(Boolean).map(Number));
  const PUBLIC_STATES = ["visible", "answering", "answered"];
  const STATE_LABELS = { scheduled: t("Scheduled"), live: t("Live now"), ended: t("Ended") };
  const MAX_CHAT_NODES = 300; // big rooms: the page keeps the latest messages only

  let sessionState = root.dataset.state;
  let order = root.dataset.order === "newest" ? "newest" : "votes";
  let canVote = root.dataset.canVote === "true";
  let silenced = false;
  let chatSending = false; // a chat message is on its way

  const questionList = $("#question-list");
  const pendingList = $("#pending-list");
  const chatList = $("#chat-list");
  const chatLog = $("#chat-log");
  const questionTemplate = $("#question-template");
  const chatTemplate = $("#chat-template");

  // --- small helpers -------------------------------------------------------------------
  let clockFormat;
  try {
    clockFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone });
  } catch {
    clockFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  }
  function setTime(el, iso) {
    if (!el || !iso) return;
    const date = new Date(iso);
    if (Number.isNaN(date.getTime())) return;
    el.setAttribute("datetime", iso);
    el.textContent = clockFormat.format(date);
  }

  /** Parse server-rendered markup (a <template> blank, or sanitised HTML from markup.render). */
  function fragment(html) {
    const template = document.createElement("template");
    template.innerHTML = html;
    return template.content;
  }
  function textOf(html, limit = 80) {
    const text = (fragment(html || "").textContent || "").replace(/\s+/g, " ").trim();
    return text.length <= limit ? text : `${text.slice(0, limit - 1).trimEnd()}…`;
  }
  /** Organisations come as a name (chat) or an object with a name (question authors). */
  const orgName = (org) => (typeof org === "string" ? org : org?.name || "");
  function showError(el, message) {
    if (!el) return;
    el.textContent = message || "";
    el.hidden = !message;
  }
  function describe(field, errorEl, on) {
    if (!field || !errorEl) return;
    const ids = new Set((field.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean));
    if (on) ids.add(errorEl.id); else ids.delete(errorEl.id);
    field.setAttribute("aria-describedby", Array.from(ids).join(" "));
    field.setAttribute("aria-invalid", on ? "true" : "false");
    field.classList.toggle("is-invalid", on);
  }

  /** The JSON API with this page's session cookie and CSRF token; resolves to the JSON body. */
  async function api(path, body) {
    let response;
    try {
      response = await fetch(`/api/v1${path}`, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), Accept: "application/json" },
        body: JSON.stringify(body || {}),
      });
    } catch {
      throw new Error(t("The server could not be reached. Nothing was changed; try again."));
    }
    let data = {};
    try { data = await response.json(); } catch { /* an HTML error page */ }
    if (!response.ok) throw new Error(data?.error?.message || t("That did not work (%(status)s).", { status: response.status }));
    return data;
  }

  // --- the session state ---------------------------------------------------------------------
  function applySessionStates(scope = document) {
    for (const el of $$("[data-session-states]", scope)) {
      el.hidden = !el.dataset.sessionStates.split(" ").includes(sessionState);
    }
  }

  function applyChatEnabled() {
    const input = $("#chat-body");
    const submit = $("#chat-submit");
    const off = sessionState !== "live" || silenced;
    if (input) input.disabled = off;
    if (submit) submit.disabled = off || RT.isHeld(submit);
  }

  function setSession(session) {
    if (!session || !session.state) return;
    const changed = session.state !== sessionState;
    sessionState = session.state;
    root.dataset.state = sessionState;
    root.classList.remove("live-session--scheduled", "live-session--live", "live-session--ended");
    root.classList.add(`live-session--${sessionState}`);
    const badge = $("#live-state");
    if (badge) {
      badge.textContent = STATE_LABELS[sessionState] || sessionState;
      badge.className = `badge live-state live-state--${sessionState}`;
    }
    const link = $("#live-archive-link");
    if (link && session.archive_thread_id) {
      link.href = `/threads/${Number(session.archive_thread_id)}`;
      link.hidden = false;
    }
    if (sessionState === "ended") {
      canVote = false;
      for (const button of $$(".live-vote")) button.disabled = true;
    }
    applySessionStates();
    applyChatEnabled();
    if (changed) {
      announce(sessionState === "live" ? t("The session is live now. The chat is open.")
        : sessionState === "ended" ? t("The session has ended. A link to its archive is at the top of the page.")
          : t("The session is scheduled."));
    }
  }

  // --- questions -------------------------------------------------------------------------------
  const idOf = (li) => Number(li.dataset.questionId);
  const votesOf = (li) => Number(li.dataset.votes || 0);
  const summaryOf = (li) => textOf($(".live-question-body", li)?.innerHTML);

  function voteLabel(li) {
    const n = votesOf(li);
    return tn("Upvote: %(question)s, %(num)s vote", "Upvote: %(question)s, %(num)s votes", n, { question: summaryOf(li) });
  }

  function setVotes(li, votes) {
    if (typeof votes !== "number" || Number.isNaN(votes)) return;
    li.dataset.votes = String(votes);
    const count = $(".live-vote-count", li);
    if (count) count.textContent = String(votes);
    $(".live-vote", li)?.setAttribute("aria-label", voteLabel(li));
  }

  function setVoted(li, voted) {
    li.dataset.voted = voted ? "true" : "false";
    const button = $(".live-vote", li);
    if (button) {
      button.setAttribute("aria-pressed", voted ? "true" : "false");
      const icon = $("i", button);
      if (icon) icon.className = voted ? "bi bi-hand-thumbs-up-fill" : "bi bi-hand-thumbs-up";
    }
    const value = $('.js-vote-form input[name="value"]', li);
    if (value) value.value = voted ? "0" : "1";
  }

  function applyQuestionStates(li) {
    const state = li.dataset.state;
    for (const el of $$("[data-states]", li)) el.hidden = !el.dataset.states.split(" ").includes(state);
  }

  /** The application's own anonymous label, with its icon: no display name can look like it. */
  function anonymousBadge(label) {
    const badge = document.createElement("span");
    badge.className = "live-question-anon badge text-bg-dark";
    const icon = document.createElement("i");
    icon.className = "bi bi-incognito";
    icon.setAttribute("aria-hidden", "true");
    const text = document.createElement("span");
    text.className = "live-question-name";
    text.textContent = label || t("Anonymous");
    badge.append(icon, " ", text);
    return badge;
  }

  function setAuthor(li, author) {
    if (!author) return;
    let name = $(".live-question-name", li);
    const org = $(".live-question-org", li);
    let identity = $(".live-question-identity", li);
    if (author.anonymous) {
      if (name && !name.closest(".live-question-anon")) {
        const badge = anonymousBadge(author.label);
        name.replaceWith(badge);
        name = $(".live-question-name", badge);
      } else if (name) {
        name.textContent = author.label || t("Anonymous");
      }
      org?.remove();
      let note = null;
      // Named to this reader only when it is their own question, or a moderator revealed it
      // (each name in a <bdi>: it cannot reorder the line around it).
      if (author.id && author.id === userId) note = t("(you)");
      else if (author.name) {
        const organisation = orgName(author.organisation);
        note = organisation
          ? tNodes("(%(name)s, %(organisation)s — revealed to you)", { name: author.name, organisation })
          : tNodes("(%(name)s — revealed to you)", { name: author.name });
      }
      if (note) {
        if (!identity) {
          identity = document.createElement("span");
          identity.className = "live-question-identity";
          name?.closest(".live-question-anon")?.after(" ", identity);
        }
        identity.replaceChildren(note);
      }
    } else {
      if (name) name.textContent = author.name || "";
      if (org) org.textContent = orgName(author.organisation);
    }
  }

  function updateQuestion(li, q) {
    // An author named to this reader (their own anonymous question, or a moderator's view)
    // may arrive after the room's anonymous copy was shown: say who it is now.
    if (q.author?.anonymous && (q.author.id || q.author.name)) setAuthor(li, q.author);
    if (typeof q.votes === "number") setVotes(li, q.votes);
    if (typeof q.voted === "boolean") setVoted(li, q.voted);
    if ("answer_html" in q) {
      const box = $(".live-question-answer", li);
      if (box) {
        box.hidden = !q.answer_html;
        // answer_html is rendered and sanitised by the server (community.markup)
        $(".live-answer-body", box)?.replaceChildren(fragment(q.answer_html || ""));
      }
      const label = $(".js-answer-label", li);
      if (label) label.textContent = q.answer_html ? t("Edit the answer") : t("Write the answer");
    }
    if (q.state && q.state !== li.dataset.state) {
      const before = li.dataset.state;
      li.dataset.state = q.state;
      li.classList.remove(...["pending", "visible", "answering", "answered", "hidden"].map((s) => `live-question--${s}`));
      li.classList.add(`live-question--${q.state}`);
      if (q.state === "answering" && before !== "answering") announce(t("Answering now: %(question)s", { question: summaryOf(li) }));
      if (q.state === "answered" && before !== "answered") announce(t("Answered: %(question)s", { question: summaryOf(li) }));
    }
    applyQuestionStates(li);
    const button = $(".live-vote", li);
    if (button) button.disabled = !canVote;
  }

  function buildQuestion(q) {
    const id = String(Number(q.id));
    const li = fragment(questionTemplate.innerHTML.replaceAll("__QID__", id).trim()).querySelector("li.live-question");
    if (!li) return null;
    // the question's text is sanitised by the server (community.markup)
    $(".live-question-body", li).replaceChildren(fragment(q.html || ""));
    // host buttons say which question they act on (the page's "Hide" is never ambiguous)
    for (const span of $$(".js-q-summary", li)) span.textContent = `: ${summaryOf(li)}`;
    setAuthor(li, q.author);
    setTime($(".live-question-time", li), q.created_at);
    for (const input of $$('input[name="order"]', li)) input.value = order;
    li.dataset.state = "";
    setVoted(li, !!q.voted);
    setVotes(li, Number(q.votes || 0));
    return li;
  }

  function compare(a, b) {
    if (order === "newest") return idOf(b) - idOf(a);
    return (votesOf(b) - votesOf(a)) || (idOf(a) - idOf(b));
  }

  /**
   * Put the list in order without moving the element that has focus: the others move
   * around it, then the page scrolls by however far it was pushed, so it stays put.
   */
  function resort(list = questionList, cmp = compare) {
    if (!list) return;
    const items = Array.from(list.children);
    const desired = [...items].sort(cmp);
    if (desired.every((li, i) => li === items[i])) return;
    const active = document.activeElement;
    const anchor = active && list.contains(active) ? active.closest("li") : null;
    if (!anchor) {
      for (const li of desired) list.append(li);
      return;
    }
    const before = anchor.getBoundingClientRect().top;
    const at = desired.indexOf(anchor);
    for (let k = 0; k < at; k += 1) list.insertBefore(desired[k], anchor);
    for (let k = at + 1; k < desired.length; k += 1) list.append(desired[k]);
    const shift = anchor.getBoundingClientRect().top - before;
    if (shift) window.scrollBy(0, shift);
  }

  function refreshQueueNotes() {
    const none = $("#no-questions");
    if (none) none.hidden = !!questionList?.children.length;
    if (pendingList) {
      const count = pendingList.children.length;
      const section = $("#pending");
      if (section) section.hidden = count === 0;
      const counter = $("#pending-count");
      if (counter) counter.textContent = String(count);
    }
    const answering = questionList ? $('li[data-state="answering"]', questionList) : null;
    const banner = $("#live-answering");
    if (banner) {
      banner.hidden = !answering;
      const link = $("#live-answering-link");
      if (answering && link) {
        link.href = `#q-${idOf(answering)}`;
        link.textContent = summaryOf(answering);
      }
    }
  }

  /** Where a question belongs now (main list, approval list, or nowhere), keeping focus sane. */
  function place(li) {
    const state = li.dataset.state;
    const mine = li.classList.contains("live-question--mine");
    let target = null;
    if (state === "pending") target = isHost ? pendingList : (mine ? questionList : null);
    else if (PUBLIC_STATES.includes(state)) target = questionList;
    const hadFocus = li.contains(document.activeElement);
    if (!target) {
      if (li.isConnected) {
        const next = li.nextElementSibling || li.previousElementSibling;
        li.remove();
        if (hadFocus) (next || $("#questions-heading"))?.focus?.({ preventScroll: true });
      }
    } else if (li.parentElement !== target) {
      target.append(li);
      if (hadFocus) {
        // The host's own action moved it (approved): keep the keyboard on that question.
        li.tabIndex = -1;
        li.focus({ preventScroll: true });
      }
    }
    if (target === questionList) resort();
    else if (target === pendingList) resort(pendingList, (a, b) => idOf(a) - idOf(b));
    refreshQueueNotes();
  }

  function upsertQuestion(q, { quiet = false, mine = false } = {}) {
    if (!q || !Number(q.id)) return;
    let li = document.getElementById(`q-${Number(q.id)}`);
    const isNew = !li;
    if (isNew) {
      if (typeof q.html !== "string" || !q.state) return; // a bare state change of a question never shown here
      li = buildQuestion(q);
      if (!li) return;
    }
    if (mine) li.classList.add("live-question--mine");
    updateQuestion(li, q);
    place(li);
    if (isNew && li.isConnected && !quiet && !mine) {
      announce(li.dataset.state === "pending" ? t("A question is waiting for approval: %(question)s", { question: summaryOf(li) })
        : t("New question: %(question)s", { question: summaryOf(li) }));
    }
  }

  function onVotes(data) {
    const li = document.getElementById(`q-${Number(data.question_id)}`);
    if (!li) return;
    setVotes(li, Number(data.votes));
    if (li.parentElement === questionList) resort();
  }

  // sort toggle: links without JavaScript, an in-place re-sort with it
  for (const link of $$(".js-sort")) {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      order = link.dataset.order === "newest" ? "newest" : "votes";
      root.dataset.order = order;
      for (const other of $$(".js-sort")) {
        const on = other === link;
        other.classList.toggle("active", on);
        if (on) other.setAttribute("aria-current", "true"); else other.removeAttribute("aria-current");
      }
      for (const input of $$('input[name="order"]')) input.value = order;
      for (const input of $$('input[name="order"]', questionTemplate.content)) input.value = order;
      const url = new URL(location.href);
      if (order === "newest") url.searchParams.set("order", "newest"); else url.searchParams.delete("order");
      history.replaceState(null, "", url.pathname + url.search + url.hash);
      resort();
      announce(order === "newest" ? t("Questions sorted by newest first.") : t("Questions sorted by most votes."));
    });
  }

  // --- chat ------------------------------------------------------------------------------------
  const announceBox = $("#chat-announce");
  const announceKey = `rt:${userId}:live:announce-chat`;
  if (announceBox) {
    if (store.get(announceKey) === false) announceBox.checked = false;
    announceBox.addEventListener("change", () => store.set(announceKey, announceBox.checked));
  }

  const atBottom = () => !chatLog || chatLog.scrollHeight - chatLog.scrollTop - chatLog.clientHeight < 40;
  function scrollChatToBottom() {
    if (chatLog) chatLog.scrollTop = chatLog.scrollHeight;
    newBelow.hidden = true;
  }
  const newBelow = document.createElement("button");
  newBelow.type = "button";
  newBelow.className = "btn btn-sm btn-primary live-chat-new";
  newBelow.textContent = t("New messages below");
  newBelow.hidden = true;
  newBelow.addEventListener("click", scrollChatToBottom);
  chatLog?.after(newBelow);
  chatLog?.addEventListener("scroll", () => { if (atBottom()) newBelow.hidden = true; });

  function buildMessage(m) {
    const authorId = Number(m.author?.id || 0);
    const html = chatTemplate.innerHTML.replaceAll("__MID__", String(Number(m.id))).replaceAll("__UID__", String(authorId));
    const li = fragment(html.trim()).querySelector("li.live-chat-message");
    if (!li) return null;
    for (const el of $$(".js-name", li)) el.textContent = m.author?.name || "";
    const org = $(".live-chat-org", li);
    if (org) org.textContent = orgName(m.author?.organisation);
    // the message is sanitised by the server (community.markup)
    $(".live-chat-body", li).replaceChildren(fragment(m.html || ""));
    setTime($(".live-chat-time", li), m.created_at);
    const silence = $(".live-silence", li);
    if (silence) silence.hidden = protectedIds.has(authorId) || authorId === userId;
    for (const input of $$('input[name="order"]', li)) input.value = order;
    applySessionStates(li);
    return li;
  }

  function addMessage(m, { quiet = false } = {}) {
    if (!m || !Number(m.id) || m.hidden || document.getElementById(`m-${Number(m.id)}`)) return;
    const li = buildMessage(m);
    if (!li || !chatList) return;
    const stick = atBottom();
    const later = Array.from(chatList.children).find((other) => Number(other.dataset.messageId) > Number(m.id));
    chatList.insertBefore(li, later || null);
    while (chatList.children.length > MAX_CHAT_NODES && !chatList.firstElementChild.contains(document.activeElement)) {
      chatList.firstElementChild.remove();
    }
    $("#no-chat")?.setAttribute("hidden", "");
    if (stick) scrollChatToBottom();
    else if (!later) newBelow.hidden = false;
    if (!quiet && Number(m.author?.id) !== userId && announceBox?.checked !== false) {
      announce(t("%(name)s: %(text)s", { name: m.author?.name || t("Someone"), text: textOf(m.html, 140) }));
    }
  }

  function removeMessage(messageId) {
    const li = document.getElementById(`m-${Number(messageId)}`);
    if (!li) return;
    const hadFocus = li.contains(document.activeElement);
    li.remove();
    if (hadFocus) chatLog?.focus({ preventScroll: true });
    const none = $("#no-chat");
    if (none && chatList) none.hidden = chatList.children.length > 0;
  }

  // --- presence ------------------------------------------------------------------------------------
  const presenceEl = $("#live-presence");
  function onPresence(data) {
    if (!presenceEl) return;
    const count = Number(data.count || 0);
    // Where questions may be anonymous the server sends counts only: never names.
    const orgs = data.anonymous_room ? [] : (data.organisations || []).filter(Boolean);
    const orgCount = Number(data.organisation_count || orgs.length || 0);
    presenceEl.replaceChildren(!count ? "" : tn("%(num)s person here", "%(num)s people here", count),
      ...(!count ? [] : orgs.length ? [" · ", tNodes("organisations: %(names)s", { names: orgs })]
        : orgCount ? [` · ${tn("%(num)s organisation", "%(num)s organisations", orgCount)}`] : []));
  }
  RT.onDisconnect(() => { if (presenceEl) presenceEl.textContent = ""; });

  // --- the rooms ---------------------------------------------------------------------------------------
  /** After every (re)join: the snapshot is the truth (vote counts are not replayed). */
  function onSnapshot(ack) {
    if (ack.session) setSession(ack.session);
    if (Array.isArray(ack.questions)) {
      const seen = new Set(ack.questions.map((q) => Number(q.id)));
      for (const q of ack.questions) upsertQuestion(q, { quiet: true });
      for (const li of [...(questionList?.children || []), ...(pendingList?.children || [])]) {
        if (!seen.has(idOf(li))) li.remove(); // hidden while we were away
      }
      resort();
      refreshQueueNotes();
    }
    if (Array.isArray(ack.chat) && ack.chat.length) {
      const ids = new Set(ack.chat.map((m) => Number(m.id)));
      const oldest = Math.min(...ids);
      for (const m of ack.chat) addMessage(m, { quiet: true });
      for (const li of Array.from(chatList?.children || [])) {
        const id = Number(li.dataset.messageId);
        if (id >= oldest && !ids.has(id)) li.remove();
      }
    }
  }

  function onRoomEvent(name, data) {
    switch (name) {
      case "live.state":
        setSession(data.session);
        break;
      case "live.question":
        upsertQuestion(data.question);
        break;
      case "live.question.updated":
        if (data.change === "votes" && !data.question) onVotes(data);
        else upsertQuestion({ ...(data.question || {}), id: data.question_id || data.question?.id });
        break;
      case "live.chat":
        addMessage(data.message);
        break;
      case "live.chat.hidden":
        removeMessage(data.message_id);
        break;
      case "presence":
        onPresence(data);
        break;
      default:
        break;
    }
  }

  follow(`live:${sessionId}`, root.dataset.cursor, onRoomEvent, onSnapshot);
  if (isHost) follow(`livehosts:${sessionId}`, root.dataset.hostsCursor, onRoomEvent);

  socket.on("live.silenced", (data) => {
    if (Number(data?.session_id) !== sessionId) return;
    silenced = true;
    applyChatEnabled();
    const askSubmit = $("#ask-submit");
    if (askSubmit) askSubmit.disabled = true;
    const reason = data.reason ? ` ${t("Reason: “%(reason)s”.", { reason: data.reason })}` : "";
    const silencedText = `${t("A host silenced you for the rest of this session.")}${reason}`;
    RT.showBanner(`${silencedText} ${t("Your text is kept.")}`, { key: "silenced", kind: "warning" });
    announce(silencedText);
  });

  // --- drafts: what is typed survives a reload until the server accepts it -------------------------------
  function keepDraft(field, key) {
    if (!field) return;
    const saved = store.get(key);
    if (saved && !field.value) field.value = saved;
    field.addEventListener("input", () => { if (field.value.trim()) store.set(key, field.value); else store.remove(key); });
  }
  const askDraftKey = `rt:${userId}:live:${sessionId}:ask`;
  const chatDraftKey = `rt:${userId}:live:${sessionId}:chat`;

  // --- asking over the socket ------------------------------------------------------------------------------
  const askForm = $("#ask-form");
  const askBody = $("#ask-body");
  const askError = $("#ask-error");
  const askStatus = $("#ask-status");
  const askSubmit = $("#ask-submit");
  const askAnonymous = $("#ask-anonymous");
  const askClientId = $("#ask-client-id");
  let askSending = false;
  keepDraft(askBody, askDraftKey);

  askForm?.addEventListener("submit", (event) => {
    if (!socket.connected) {
      store.remove(askDraftKey); // the plain form posts it; a refusal comes back with the text
      return;
    }
    event.preventDefault();
    if (askSending) return;
    askSending = true;
    // aria-disabled, not disabled: disabling the focused button would drop keyboard focus
    askSubmit.setAttribute("aria-disabled", "true");
    askBody.readOnly = true;
    askStatus.textContent = t("Sending…");
    const payload = {
      session_id: sessionId, body: askBody.value, anonymous: !!askAnonymous?.checked,
      client_id: askClientId?.value || RT.newClientId(),
    };
    socket.timeout(ACK_TIMEOUT_MS).emit("live.ask", payload, (err, ack) => {
      askSending = false;
      askSubmit.removeAttribute("aria-disabled");
      askBody.readOnly = false;
      if (err || !ack?.ok) {
        askStatus.textContent = "";
        const message = err ? t("No answer from the server yet. Your question is kept: send it again.")
          : ack?.error?.message || t("Your question was not sent. It is kept here.");
        showError(askError, message);
        describe(askBody, askError, true);
        announce(message);
        if (ack?.error?.code === "rate_limited" && ack.error.retry_after) {
          RT.holdSend(askSubmit, ack.error.retry_after, askStatus);
        }
        return;
      }
      showError(askError, "");
      describe(askBody, askError, false);
      askBody.value = "";
      store.remove(askDraftKey);
      if (askAnonymous) askAnonymous.checked = false;
      if (askClientId) askClientId.value = RT.newClientId();
      const question = ack.question || {};
      upsertQuestion({ ...question, voted: false }, { mine: true });
      const message = question.state === "pending"
        ? t("Your question is waiting for a host's approval; only you and the hosts see it until then.")
        : t("Your question was posted.");
      askStatus.textContent = message;
    });
  });

  // --- voting over the socket ---------------------------------------------------------------------------------
  function vote(form) {
    const li = form.closest("li.live-question");
    const button = $(".live-vote", li);
    if (!li || !button || button.disabled || li.dataset.busy) return;
    const value = li.dataset.voted !== "true";
    const votes = votesOf(li);
    // Optimistic: the button answers at once; the ack (or a refusal) settles it.
    setVoted(li, value);
    setVotes(li, Math.max(0, votes + (value ? 1 : -1)));
    li.dataset.busy = "1";
    socket.timeout(ACK_TIMEOUT_MS).emit("live.vote", { session_id: sessionId, question_id: idOf(li), value }, (err, ack) => {
      delete li.dataset.busy;
      button.disabled = !canVote;
      if (err || !ack?.ok) {
        setVoted(li, !value);
        setVotes(li, votes);
        const message = err ? t("Your vote did not reach the server; try again.")
          : ack?.error?.message || t("Your vote was not counted.");
        RT.showBanner(message, { key: "vote", kind: "warning" });
        announce(message);
        return;
      }
      setVoted(li, !!ack.voted);
      if (typeof ack.votes === "number") setVotes(li, ack.votes);
      if (li.parentElement === questionList) resort();
    });
  }

  // --- host actions through the JSON API -------------------------------------------------------------------------
  async function moderate(form) {
    const li = form.closest("li.live-question");
    const action = form.querySelector('input[name="action"]')?.value;
    const answerField = form.querySelector('textarea[name="answer"]');
    const errorEl = form.querySelector(".js-form-error");
    if (form.dataset.busy) return;
    form.dataset.busy = "1";
    try {
      const data = await api(`/live/${sessionId}/questions/${idOf(li)}/moderation`,
        { action, answer: answerField ? answerField.value : "" });
      showError(errorEl, "");
      describe(answerField, errorEl, false);
      if (data.question) upsertQuestion(data.question, { quiet: true });
      if (action === "answered") {
        form.closest("details")?.removeAttribute("open");
        announce(t("The answer is saved and shown to everyone."));
      } else if (action === "hide") {
        announce(t("The question is hidden."));
      } else if (action === "approve") {
        announce(t("The question is approved and shown to everyone."));
      }
    } catch (error) {
      if (errorEl) {
        showError(errorEl, error.message);
        describe(answerField, errorEl, true);
      } else {
        RT.showBanner(error.message, { key: "moderate", kind: "warning" });
      }
      announce(error.message);
    } finally {
      delete form.dataset.busy;
    }
  }

  async function hideMessage(form) {
    const li = form.closest("li.live-chat-message");
    if (form.dataset.busy) return;
    form.dataset.busy = "1";
    try {
      await api(`/live/${sessionId}/chat/${Number(li.dataset.messageId)}/hide`);
      removeMessage(li.dataset.messageId);
      announce(t("The message is hidden."));
    } catch (error) {
      RT.showBanner(error.message, { key: "hide", kind: "warning" });
      announce(error.message);
    } finally {
      delete form.dataset.busy;
    }
  }

  async function silenceAuthor(form) {
    const errorEl = form.querySelector(".js-form-error");
    const reason = form.querySelector('input[name="reason"]');
    if (form.dataset.busy) return;
    form.dataset.busy = "1";
    try {
      const data = await api(`/live/${sessionId}/silence`, {
        user_id: Number(form.querySelector('input[name="user_id"]')?.value), reason: reason?.value || "",
      });
      showError(errorEl, "");
      form.closest("details")?.removeAttribute("open");
      const name = data?.silenced?.name;
      const text = name ? t("%(name)s is silenced for the rest of this session.", { name })
        : t("They are silenced for the rest of this session.");
      RT.showBanner(text, { key: "silence", kind: "info" });
      announce(text);
    } catch (error) {
      showError(errorEl, error.message);
      announce(error.message);
    } finally {
      delete form.dataset.busy;
    }
  }

  // One listener for every form in the lists, including those added live.
  root.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    if (form.classList.contains("js-vote-form")) {
      if (!socket.connected) return; // the plain form posts it
      event.preventDefault();
      vote(form);
    } else if (form.classList.contains("js-moderate-form")) {
      event.preventDefault();
      moderate(form);
    } else if (form.classList.contains("js-hide-chat-form")) {
      event.preventDefault();
      hideMessage(form);
    } else if (form.classList.contains("js-silence-form")) {
      event.preventDefault();
      silenceAuthor(form);
    }
  });

  // --- chatting over the socket ------------------------------------------------------------------------------------
  const chatForm = $("#chat-form");
  const chatBody = $("#chat-body");
  const chatError = $("#chat-error");
  const chatStatus = $("#chat-status");
  keepDraft(chatBody, chatDraftKey);

  chatForm?.addEventListener("submit", (event) => {
    if (!socket.connected) {
      store.remove(chatDraftKey);
      return;
    }
    event.preventDefault();
    if (chatSending || !chatBody.value.trim()) {
      if (!chatBody.value.trim()) {
        showError(chatError, t("Your message cannot be empty."));
        describe(chatBody, chatError, true);
      }
      return;
    }
    chatSending = true;
    applyChatEnabled();
    chatBody.readOnly = true;
    chatStatus.textContent = t("Sending…");
    socket.timeout(ACK_TIMEOUT_MS).emit("live.chat", { session_id: sessionId, body: chatBody.value }, (err, ack) => {
      chatSending = false;
      chatBody.readOnly = false;
      applyChatEnabled();
      chatStatus.textContent = "";
      if (err || !ack?.ok) {
        const message = err ? t("No answer from the server yet. Your message is kept: send it again.")
          : ack?.error?.message || t("Your message was not sent. It is kept here.");
        showError(chatError, message);
        describe(chatBody, chatError, true);
        announce(message);
        const chatSubmit = $("#chat-submit");
        if (ack?.error?.code === "rate_limited" && ack.error.retry_after && chatSubmit) {
          RT.holdSend(chatSubmit, ack.error.retry_after, chatStatus);
        }
        return;
      }
      showError(chatError, "");
      describe(chatBody, chatError, false);
      chatBody.value = "";
      store.remove(chatDraftKey);
      addMessage(ack.message, { quiet: true });
      scrollChatToBottom();
    });
  });

  // --- start ------------------------------------------------------------------------------------------------------------
  for (const li of $$("li.live-question")) applyQuestionStates(li);
  refreshQueueNotes();
  applyChatEnabled();
  scrollChatToBottom();
})();
