/*
 * The new-thread page (templates/new_thread.html): its draft is kept like a reply's.
 *
 * Title, kind, message, tags, language and "anonymously" are saved in localStorage while
 * they are typed (per person and topic) and restored after a reload or a crash. Posting
 * is the plain form: the draft is marked "submitted" and, on the next visit, dropped when
 * no error came back (it became a thread) or kept when the form was refused. The message
 * has a counter, the server's "too long" words before posting, and a Preview.
 */
import { $, debounce, store, userId } from "./dom.js";
import { attachPreview } from "./preview.js";
import { attachCounter, lengthGuard } from "./textlimit.js";

const form = $("#new-thread-form");
if (form && userId) start();

function start() {
  const key = `rt:${userId}:new-thread:${form.dataset.topicSlug}`;
  const fields = {
    title: $("#thread-title"), kind: $("#thread-kind"), body: $("#thread-body"),
    tags: $("#thread-tags"), language: $("#thread-language"),
  };
  const anonymous = $("#thread-anonymous");
  const refused = !!$("#form-error");

  function snapshot(extra = {}) {
    const data = {};
    for (const [name, el] of Object.entries(fields)) if (el) data[name] = el.value;
    return { ...data, anonymous: !!anonymous?.checked, saved_at: Date.now(), ...extra };
  }
  const hasText = () => !!(fields.title?.value.trim() || fields.body?.value.trim() || fields.tags?.value.trim());
  let submitting = false; // on its way: a late debounced save must not unmark it
  function save() {
    if (submitting) return;
    if (hasText()) store.set(key, snapshot()); else store.remove(key);
  }

  let saved = store.get(key);
  if (saved?.submitted && !refused) {
    store.remove(key); // posted: it is a thread now
    saved = null;
  }
  // The server's own values (a refused form) win; otherwise the draft fills the empty form.
  if (saved && !refused && !hasText()) {
    for (const [name, el] of Object.entries(fields)) {
      if (el && typeof saved[name] === "string" && saved[name]) el.value = saved[name];
    }
    if (anonymous && saved.anonymous) anonymous.checked = true;
  }
  if (refused && saved?.submitted) save();

  const counter = attachCounter(fields.body);
  attachPreview(fields.body);
  counter.refresh();
  const saveSoon = debounce(save, 400);
  form.addEventListener("input", saveSoon);
  form.addEventListener("change", save);

  const lengthOk = lengthGuard(form, fields.body);
  form.addEventListener("submit", (event) => {
    if (!lengthOk(event)) {
      save();
      return;
    }
    store.set(key, snapshot({ submitted: true }));
    submitting = true;
  });
}
