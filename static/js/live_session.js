/*
 * The live-session page (templates/live/session.html), live.
 *
 * Follows the rooms live:<id> (everyone) and livehosts:<id> (hosts and moderators:
 * questions waiting for approval) on the page's one socket. Without this script the page
 * still works: every control is a plain form. With it:
 *   - ask / vote / chat go over the socket with acks (questions.js, chat.js): the typed text
 *     stays until the server says ok, and refusals (slow mode, flood, silenced) are shown
 *     next to the text;
 *   - host actions use the JSON API, so the host's page never reloads (live_host.js);
 *   - room events update the state badge, the question queue, the chat and the presence
 *     line; news is announced politely through #live-announcer, focus is never taken.
 * What may be done comes from the server: data-can-vote, data-protected-ids (who cannot
 * be silenced), data-state, and the blanks it rendered for this reader.
 */
import { createChat } from "./chat.js";
import { $, $$, store, userId } from "./dom.js";
import { t, tn, tNodes } from "./i18n.js";
import { createEnd } from "./live_end.js";
import { createHostActions } from "./live_host.js";
import { announce, showBanner } from "./notices.js";
import { createQuestions } from "./questions.js";
import { follow } from "./rooms.js";
import { onDisconnect, socket } from "./socket.js";

const root = document.getElementById("live-session");
if (root && socket) start();

function start() {
  const STATE_LABELS = { scheduled: t("Scheduled"), live: t("Live now"), ended: t("Ended") };
  const timeZone = root.dataset.timezone || "UTC";
  let clockFormat;
  try {
    clockFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone });
  } catch {
    clockFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  }

  /** What the parts of the page share. */
  const live = {
    root,
    userId,
    sessionId: Number(root.dataset.sessionId),
    isHost: root.dataset.host === "true",
    protectedIds: new Set((root.dataset.protectedIds || "").split(/\s+/).filter(Boolean).map(Number)),
    state: root.dataset.state,
    order: root.dataset.order === "newest" ? "newest" : "votes",
    canVote: root.dataset.canVote === "true",
    silenced: false,
    /** A clock time (14:05) in the session's time zone. */
    setClock(el, iso) {
      const date = new Date(iso || "");
      if (!el || Number.isNaN(date.getTime())) return;
      el.setAttribute("datetime", iso);
      el.textContent = clockFormat.format(date);
    },
    /** Parts shown only in some session states (data-session-states="scheduled live"). */
    applySessionStates(scope = document) {
      for (const el of $$("[data-session-states]", scope)) {
        el.hidden = !el.dataset.sessionStates.split(" ").includes(live.state);
      }
    },
    /** What is typed in `field` survives a reload until the server accepts it. */
    keepDraft(field, key) {
      if (!field) return;
      const saved = store.get(key);
      if (saved && !field.value) field.value = saved;
      field.addEventListener("input", () => { if (field.value.trim()) store.set(key, field.value); else store.remove(key); });
    },
  };

  const end = createEnd(live);
  live.onWaitingChanged = end.syncWaiting;
  const questions = createQuestions(live);
  const chat = createChat(live);
  const host = createHostActions(live, questions, chat);

  function setSession(session) {
    if (!session || !session.state) return;
    const changed = session.state !== live.state;
    live.state = session.state;
    root.dataset.state = live.state;
    root.classList.remove("live-session--scheduled", "live-session--live", "live-session--ended");
    root.classList.add(`live-session--${live.state}`);
    const badge = $("#live-state");
    if (badge) {
      badge.textContent = STATE_LABELS[live.state] || live.state;
      badge.className = `badge live-state live-state--${live.state}`;
    }
    const link = $("#live-archive-link");
    if (link && session.archive_thread_id) {
      link.href = `/threads/${Number(session.archive_thread_id)}`;
      link.hidden = false;
    }
    if (live.state === "ended") {
      live.canVote = false;
      questions.disableVotes();
      end.ended(session);
    }
    live.applySessionStates();
    chat.applyEnabled();
    if (changed) {
      announce(live.state === "live" ? t("The session is live now. The chat is open.")
        : live.state === "ended" ? t("The session has ended. Links to its archive and to the follow-up discussion are at the top of the page.")
          : t("The session is scheduled."));
    }
  }

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
  onDisconnect(() => { if (presenceEl) presenceEl.textContent = ""; });

  /** After every (re)join: the snapshot is the truth (vote counts are not replayed). */
  function onSnapshot(ack) {
    if (ack.session) setSession(ack.session);
    if (Array.isArray(ack.questions)) questions.onSnapshot(ack.questions);
    if (Array.isArray(ack.chat)) chat.onSnapshot(ack.chat);
  }

  function onRoomEvent(name, data) {
    switch (name) {
      case "live.state":
        setSession(data.session);
        break;
      case "live.question":
        questions.upsert(data.question);
        break;
      case "live.question.updated":
        if (data.change === "votes" && !data.question) questions.onVotes(data);
        else questions.upsert({ ...(data.question || {}), id: data.question_id || data.question?.id });
        break;
      case "live.chat":
        chat.add(data.message);
        break;
      case "live.chat.hidden":
        chat.remove(data.message_id);
        break;
      case "presence":
        onPresence(data);
        break;
      default:
        break;
    }
  }

  follow(`live:${live.sessionId}`, root.dataset.cursor, onRoomEvent, onSnapshot);
  if (live.isHost) follow(`livehosts:${live.sessionId}`, root.dataset.hostsCursor, onRoomEvent);

  socket.on("live.silenced", (data) => {
    if (Number(data?.session_id) !== live.sessionId) return;
    live.silenced = true;
    chat.applyEnabled();
    const askSubmit = $("#ask-submit");
    if (askSubmit) askSubmit.disabled = true;
    const reason = data.reason ? ` ${t("Reason: “%(reason)s”.", { reason: data.reason })}` : "";
    const silencedText = `${t("A host silenced you for the rest of this session.")}${reason}`;
    showBanner(`${silencedText} ${t("Your text is kept.")}`, { key: "silenced", kind: "warning" });
    announce(silencedText);
  });

  // One listener for every form in the lists, including those added live.
  root.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    if (form.classList.contains("js-vote-form")) {
      if (!socket.connected) return; // the plain form posts it
      event.preventDefault();
      questions.vote(form);
    } else if (form.classList.contains("js-moderate-form")) {
      event.preventDefault();
      host.moderate(form);
    } else if (form.classList.contains("js-hide-chat-form")) {
      event.preventDefault();
      host.hideMessage(form);
    } else if (form.classList.contains("js-silence-form")) {
      event.preventDefault();
      host.silenceAuthor(form);
    }
  });

  chat.applyEnabled();
  chat.scrollToBottom();
}
