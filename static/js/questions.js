/*
 * The live session's questions (templates/live/session.html): the queue, re-sorted in place
 * without moving the focused question; asking and voting over the socket with acks.
 *
 * New questions are built from the <template id="question-template"> blank the server
 * rendered with the same macro as the page (live/_parts.html, question_item).
 */
import { setAuthor } from "./asker.js";
import { $, $$, describe, newClientId, showError, store, textOf } from "./dom.js";
import { t, tn } from "./i18n.js";
import { keepForFollowUp } from "./live_end.js";
import { announce, showBanner } from "./notices.js";
import { attachPreview } from "./preview.js";
import { afterBatch } from "./rooms.js";
import { holdSend } from "./sending.js";
import { ACK_TIMEOUT_MS, socket } from "./socket.js";
import { fromBlank, setHTML, setText } from "./template.js";
import { attachCounter, tooLongMessage } from "./textlimit.js";

// Listed for everyone: the public states, and (after the end) the questions not reached.
const PUBLIC_STATES = ["visible", "answering", "answered", "not_reached"];
const QUESTION_STATES = ["pending", "visible", "answering", "answered", "hidden", "not_reached"];

export const idOf = (li) => Number(li.dataset.questionId);
const votesOf = (li) => Number(li.dataset.votes || 0);
const summaryOf = (li) => textOf($(".live-question-body", li)?.innerHTML);

/** `live`: the page's shared state (live_session.js). */
export function createQuestions(live) {
  const questionList = $("#question-list");
  const pendingList = $("#pending-list");
  const questionTemplate = $("#question-template");

  function voteLabel(li) {
    return tn("Upvote: %(question)s, %(num)s vote", "Upvote: %(question)s, %(num)s votes", votesOf(li), { question: summaryOf(li) });
  }

  function setVotes(li, votes) {
    if (typeof votes !== "number" || Number.isNaN(votes)) return;
    li.dataset.votes = String(votes);
    setText(li, ".live-vote-count", String(votes));
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

  function applyStates(li) {
    const state = li.dataset.state;
    for (const el of $$("[data-states]", li)) el.hidden = !el.dataset.states.split(" ").includes(state);
  }

  function update(li, q) {
    // An author named to this reader (their own anonymous question, or a moderator's view)
    // may arrive after the room's anonymous copy was shown: say who it is now.
    if (q.author?.anonymous && (q.author.id || q.author.name)) setAuthor(li, q.author, live.userId);
    if (typeof q.votes === "number") setVotes(li, q.votes);
    if (typeof q.voted === "boolean") setVoted(li, q.voted);
    if ("answer_html" in q) {
      const box = $(".live-question-answer", li);
      if (box) {
        box.hidden = !q.answer_html;
        setHTML($(".live-answer-body", box), q.answer_html); // sanitised by the server (community.markup)
      }
      setText(li, ".js-answer-label", q.answer_html ? t("Edit the answer") : t("Write the answer"));
    }
    if (q.state && q.state !== li.dataset.state) {
      const before = li.dataset.state;
      li.dataset.state = q.state;
      li.classList.remove(...QUESTION_STATES.map((s) => `live-question--${s}`));
      li.classList.add(`live-question--${q.state}`);
      if (q.state === "answering" && before !== "answering") announce(t("Answering now: %(question)s", { question: summaryOf(li) }));
      if (q.state === "answered" && before !== "answered") announce(t("Answered: %(question)s", { question: summaryOf(li) }));
    }
    applyStates(li);
    // A question still waiting is decided after the end too (held by watched words).
    const controls = $(".live-question-controls", li);
    if (controls) controls.dataset.sessionStates = li.dataset.state === "pending" ? "scheduled live ended" : "scheduled live";
    live.applySessionStates(li);
    const button = $(".live-vote", li);
    if (button) button.disabled = !live.canVote;
  }

  function build(q) {
    const li = fromBlank(questionTemplate, { __QID__: String(Number(q.id)) });
    if (!li) return null;
    setHTML($(".live-question-body", li), q.html); // sanitised by the server (community.markup)
    // host buttons say which question they act on (the page's "Hide" is never ambiguous)
    setText(li, ".js-q-summary", `: ${summaryOf(li)}`);
    setAuthor(li, q.author, live.userId);
    live.setClock($(".live-question-time", li), q.created_at);
    for (const input of $$('input[name="order"]', li)) input.value = live.order;
    li.dataset.state = "";
    setVoted(li, !!q.voted);
    setVotes(li, Number(q.votes || 0));
    return li;
  }

  function compare(a, b) {
    if (live.order === "newest") return idOf(b) - idOf(a);
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

  function refreshNotes() {
    const none = $("#no-questions");
    if (none) none.hidden = !!questionList?.children.length;
    if (pendingList) {
      const count = pendingList.children.length;
      const section = $("#pending");
      if (section) section.hidden = count === 0;
      setText(document, "#pending-count", String(count));
      live.onWaitingChanged?.($$("li.live-question", pendingList).map((li) => ({ id: idOf(li), summary: summaryOf(li) })));
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
    if (state === "pending") target = live.isHost ? pendingList : (mine ? questionList : null);
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
    afterBatch(settle); // once per `batch` (rooms.js), after its last question
  }

  /** Both lists in order (resort leaves one already in order alone) and their notes up to date. */
  function settle() {
    resort();
    resort(pendingList, (a, b) => idOf(a) - idOf(b));
    refreshNotes();
  }

  function upsert(q, { quiet = false, mine = false } = {}) {
    if (!q || !Number(q.id)) return;
    let li = document.getElementById(`q-${Number(q.id)}`);
    const isNew = !li;
    if (isNew) {
      if (typeof q.html !== "string" || !q.state) return; // a bare state change of a question never shown here
      li = build(q);
      if (!li) return;
    }
    if (mine) li.classList.add("live-question--mine");
    update(li, q);
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

  /** After a (re)join: the snapshot is the truth (vote counts are not replayed). */
  function onSnapshot(questions) {
    const seen = new Set(questions.map((q) => Number(q.id)));
    for (const q of questions) upsert(q, { quiet: true });
    for (const li of [...(questionList?.children || []), ...(pendingList?.children || [])]) {
      if (!seen.has(idOf(li))) li.remove(); // hidden while we were away
    }
    resort();
    refreshNotes();
  }

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
    socket.timeout(ACK_TIMEOUT_MS).emit("live.vote", { session_id: live.sessionId, question_id: idOf(li), value }, (err, ack) => {
      delete li.dataset.busy;
      button.disabled = !live.canVote;
      if (err || !ack?.ok) {
        setVoted(li, !value);
        setVotes(li, votes);
        const message = err ? t("Your vote did not reach the server; try again.")
          : ack?.error?.message || t("Your vote was not counted.");
        showBanner(message, { key: "vote", kind: "warning" });
        announce(message);
        return;
      }
      setVoted(li, !!ack.voted);
      if (typeof ack.votes === "number") setVotes(li, ack.votes);
      if (li.parentElement === questionList) resort();
    });
  }

  // sort toggle: links without JavaScript, an in-place re-sort with it
  for (const link of $$(".js-sort")) {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      live.order = link.dataset.order === "newest" ? "newest" : "votes";
      live.root.dataset.order = live.order;
      for (const other of $$(".js-sort")) {
        const on = other === link;
        other.classList.toggle("active", on);
        if (on) other.setAttribute("aria-current", "true"); else other.removeAttribute("aria-current");
      }
      for (const input of $$('input[name="order"]')) input.value = live.order;
      for (const input of $$('input[name="order"]', questionTemplate.content)) input.value = live.order;
      const url = new URL(location.href);
      if (live.order === "newest") url.searchParams.set("order", "newest"); else url.searchParams.delete("order");
      history.replaceState(null, "", url.pathname + url.search + url.hash);
      resort();
      announce(live.order === "newest" ? t("Questions sorted by newest first.") : t("Questions sorted by most votes."));
    });
  }

  initAsking(live, upsert);
  for (const li of $$("li.live-question")) applyStates(li);
  refreshNotes();
  return { upsert, onVotes, onSnapshot, vote, disableVotes: () => $$(".live-vote").forEach((b) => { b.disabled = true; }) };
}

/** Asking over the socket: the typed text stays (and survives a reload) until the server says ok. */
function initAsking(live, upsert) {
  const form = $("#ask-form");
  const body = $("#ask-body");
  if (!form || !body) return;
  const error = $("#ask-error");
  const status = $("#ask-status");
  const submit = $("#ask-submit");
  const anonymous = $("#ask-anonymous");
  const clientId = $("#ask-client-id");
  const draftKey = `rt:${live.userId}:live:${live.sessionId}:ask`;
  let sending = false;
  live.keepDraft(body, draftKey);
  const counter = attachCounter(body);
  const preview = attachPreview(body);
  // A host's written answer: its counter, Preview and notes when they start writing it.
  document.addEventListener("focusin", (event) => {
    const answer = event.target.closest?.('textarea[data-preview-kind="answer"]');
    if (!answer || answer.dataset.previewAttached) return;
    attachCounter(answer);
    attachPreview(answer);
  });

  form.addEventListener("submit", (event) => {
    const tooLong = tooLongMessage(body);
    if (tooLong) { // never sent, at any length: the server's words, the text kept
      event.preventDefault();
      showError(error, tooLong);
      describe(body, error, true);
      announce(tooLong);
      return;
    }
    if (!socket?.connected) {
      store.remove(draftKey); // the plain form posts it; a refusal comes back with the text
      return;
    }
    event.preventDefault();
    if (sending) return;
    sending = true;
    // aria-disabled, not disabled: disabling the focused button would drop keyboard focus
    submit.setAttribute("aria-disabled", "true");
    body.readOnly = true;
    status.textContent = t("Sending…");
    const payload = {
      session_id: live.sessionId, body: body.value, anonymous: !!anonymous?.checked,
      client_id: clientId?.value || newClientId(),
    };
    socket.timeout(ACK_TIMEOUT_MS).emit("live.ask", payload, (err, ack) => {
      sending = false;
      submit.removeAttribute("aria-disabled");
      body.readOnly = false;
      if (err || !ack?.ok) {
        status.textContent = "";
        const message = err ? t("No answer from the server yet. Your question is kept: send it again.")
          : ack?.error?.message || t("Your question was not sent. It is kept here.");
        showError(error, message);
        describe(body, error, true);
        announce(message);
        if (ack?.error?.code === "rate_limited" && ack.error.retry_after) holdSend(submit, ack.error.retry_after, status);
        // Sent as the hosts ended it: kept, with where to ask it now.
        if (ack?.error && "follow_up_thread_id" in ack.error) keepForFollowUp(live, body, "question", ack.error.follow_up_thread_id);
        return;
      }
      showError(error, "");
      describe(body, error, false);
      body.value = "";
      counter.refresh();
      preview.refresh();
      store.remove(draftKey);
      if (anonymous) anonymous.checked = false;
      if (clientId) clientId.value = newClientId();
      const question = ack.question || {};
      upsert({ ...question, voted: false }, { mine: true });
      status.textContent = question.state === "pending"
        ? t("Your question is waiting for a host's approval; only you and the hosts see it until then.")
        : t("Your question was posted.");
    });
  });
}
