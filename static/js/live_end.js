/*
 * The end of a live session on a page that is open (live.state "ended"), and the hosts'
 * end form kept in step with the questions waiting for approval.
 *
 * Nothing typed is lost: a question or chat message being written when the hosts end the
 * session (or sent just after: the server's refusal carries error.follow_up_thread_id)
 * stays on the page, readable and copyable, with a link to the follow-up discussion; the
 * text is also put in that thread's reply draft (the composer's key, composer.js), so the
 * follow-up page opens with it in the reply box. The questions not reached arrive from the
 * server as live.question events (state "not_reached") and are listed like the archive.
 */
import { $, $$, newClientId, store } from "./dom.js";
import { t, tn } from "./i18n.js";

/** The same key as the thread composer's draft (composer.js). */
const draftKey = (userId, threadId) => `rt:${userId}:draft:${threadId}`;

/**
 * Keep `field`'s text where the reader sees it: a note after `after`, the text (read-only,
 * copyable) and a link to the follow-up discussion when there is one.
 * `what`: "question" or "chat" (the note's words).
 */
export function keepForFollowUp(live, field, what, followUpId) {
  const text = field?.value || "";
  if (!text.trim()) return;
  const id = `live-kept-${what}`;
  let box = document.getElementById(id);
  if (!box) {
    box = document.createElement("div");
    box.id = id;
    box.className = "alert alert-warning live-kept";
    box.setAttribute("role", "status");
    const wrapper = field.closest("[data-session-states]") || field.form || field;
    wrapper.after(box);
  }
  const note = document.createElement("p");
  note.className = "mb-2";
  note.textContent = what === "question"
    ? t("The session has ended, so questions are closed. Your question is kept: you can ask it in the follow-up discussion.")
    : t("The session has ended, so the chat is closed. Your message is kept: you can post it in the follow-up discussion.");
  const kept = document.createElement("textarea");
  kept.className = "form-control mb-2";
  kept.readOnly = true;
  kept.rows = what === "question" ? 3 : 2;
  kept.dir = "auto";
  kept.value = text;
  kept.setAttribute("aria-label", what === "question" ? t("Your question") : t("Your message"));
  const parts = [note, kept];
  const threadId = Number(followUpId || 0);
  if (threadId) {
    const link = document.createElement("a");
    link.href = `/threads/${threadId}#composer`;
    link.className = "btn btn-sm btn-primary live-kept-link";
    link.textContent = t("Continue in the follow-up discussion, where late questions are answered");
    parts.push(link);
    // The follow-up's reply box starts with it (an existing draft there is not overwritten).
    const key = draftKey(live.userId, threadId);
    const draft = store.get(key);
    if (!draft?.body?.trim()) {
      store.set(key, { thread_id: threadId, body: text, reply_to: null, anonymous: false, language: "",
        client_id: newClientId(), pending: false, submitted: false, saved_at: Date.now() });
    } else if (!draft.body.includes(text)) {
      store.set(key, { ...draft, body: `${draft.body.trimEnd()}\n\n${text}`, saved_at: Date.now() });
    }
  }
  box.replaceChildren(...parts);
}

/** `live`: the page's shared state (live_session.js). */
export function createEnd(live) {
  let keptAlready = false;

  /** live.state "ended": the links, then whatever was being typed. */
  function ended(session) {
    const followUp = Number(session.follow_up_thread_id || 0);
    const link = $("#live-follow-up-link");
    if (link && followUp) {
      link.href = `/threads/${followUp}`;
      link.hidden = false;
    }
    if (keptAlready) return;
    keptAlready = true;
    keepForFollowUp(live, $("#ask-body"), "question", followUp);
    keepForFollowUp(live, $("#chat-body"), "chat", followUp);
  }

  // --- the end form's list of questions waiting (hosts) ------------------------------------
  const form = $("#live-end-form");

  function fieldset() {
    let box = $("#live-end-pending");
    if (box || !form) return box;
    box = document.createElement("fieldset");
    box.id = "live-end-pending";
    box.className = "live-end-pending mb-2";
    box.append(document.createElement("legend"));
    box.firstElementChild.className = "h6";
    $('button[type="submit"]', form)?.before(box);
    return box;
  }

  function row(id, summary) {
    const div = document.createElement("div");
    div.className = "live-end-question";
    div.dataset.questionId = String(id);
    const p = document.createElement("p");
    p.className = "mb-1";
    p.dir = "auto";
    p.textContent = summary;
    div.append(p);
    for (const [value, label] of [["", t("Leave it")], ["approve", t("Approve")], ["decline", t("Decline")]]) {
      const check = document.createElement("div");
      check.className = "form-check form-check-inline";
      const input = document.createElement("input");
      input.className = "form-check-input";
      input.type = "radio";
      input.name = `decision-${id}`;
      input.id = `decision-${id}-${value || "leave"}`;
      input.value = value;
      input.checked = !value;
      const labelEl = document.createElement("label");
      labelEl.className = "form-check-label";
      labelEl.htmlFor = input.id;
      labelEl.textContent = label;
      check.append(input, labelEl);
      div.append(check);
    }
    return div;
  }

  /** The end form lists exactly the questions in the approval list (ids and summaries). */
  function syncWaiting(pending) {
    if (!form || !live.isHost) return;
    const box = fieldset();
    if (!box) return;
    const want = new Map(pending.map((q) => [Number(q.id), q.summary]));
    for (const div of $$(".live-end-question", box)) {
      if (!want.has(Number(div.dataset.questionId))) div.remove();
    }
    for (const [id, summary] of want) {
      if (!$(`.live-end-question[data-question-id="${id}"]`, box)) box.append(row(id, summary));
    }
    const count = want.size;
    box.hidden = count === 0;
    const legend = $("legend", box);
    if (legend) {
      legend.textContent = tn(
        "%(num)s question is still waiting for approval. Decide it now, or leave it: it is listed in the archive as not reached.",
        "%(num)s questions are still waiting for approval. Decide them now, or leave them: they are listed in the archive as not reached.",
        count);
    }
  }

  return { ended, syncWaiting };
}
