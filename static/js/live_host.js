/*
 * The live session's host actions (approve, answering now, answer, hide a question, hide a
 * message, silence): the JSON API with the page's session cookie and CSRF token, so the
 * host's page never reloads. Without JavaScript each is a plain form.
 */
import { csrfToken, describe, showError } from "./dom.js";
import { t } from "./i18n.js";
import { announce, showBanner } from "./notices.js";
import { idOf } from "./questions.js";

/** POST to the JSON API; resolves to the JSON body, or throws an Error with the server's message. */
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

/** One request at a time per form: a second click while the first is on its way does nothing. */
async function once(form, work) {
  if (form.dataset.busy) return;
  form.dataset.busy = "1";
  try {
    await work();
  } finally {
    delete form.dataset.busy;
  }
}

export function createHostActions(live, questions, chat) {
  function moderate(form) {
    const li = form.closest("li.live-question");
    const action = form.querySelector('input[name="action"]')?.value;
    const answerField = form.querySelector('textarea[name="answer"]');
    const errorEl = form.querySelector(".js-form-error");
    return once(form, async () => {
      try {
        const data = await api(`/live/${live.sessionId}/questions/${idOf(li)}/moderation`,
          { action, answer: answerField ? answerField.value : "" });
        showError(errorEl, "");
        describe(answerField, errorEl, false);
        if (data.question) questions.upsert(data.question, { quiet: true });
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
          showBanner(error.message, { key: "moderate", kind: "warning" });
        }
        announce(error.message);
      }
    });
  }

  function hideMessage(form) {
    const li = form.closest("li.live-chat-message");
    return once(form, async () => {
      try {
        await api(`/live/${live.sessionId}/chat/${Number(li.dataset.messageId)}/hide`);
        chat.remove(li.dataset.messageId);
        announce(t("The message is hidden."));
      } catch (error) {
        showBanner(error.message, { key: "hide", kind: "warning" });
        announce(error.message);
      }
    });
  }

  function silenceAuthor(form) {
    const errorEl = form.querySelector(".js-form-error");
    const reason = form.querySelector('input[name="reason"]');
    return once(form, async () => {
      try {
        const data = await api(`/live/${live.sessionId}/silence`, {
          user_id: Number(form.querySelector('input[name="user_id"]')?.value), reason: reason?.value || "",
        });
        showError(errorEl, "");
        form.closest("details")?.removeAttribute("open");
        const name = data?.silenced?.name;
        const text = name ? t("%(name)s is silenced for the rest of this session.", { name })
          : t("They are silenced for the rest of this session.");
        showBanner(text, { key: "silence", kind: "info" });
        announce(text);
      } catch (error) {
        showError(errorEl, error.message);
        announce(error.message);
      }
    });
  }

  return { moderate, hideMessage, silenceAuthor };
}
