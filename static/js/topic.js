/*
 * The topic page (templates/topic.html): count new and updated threads in a button that
 * reloads the list, never reshuffling the list under the reader; a resource added to the
 * topic's library (or updated) is shown by library_live.js.
 */
import { $ } from "./dom.js";
import { t, tn } from "./i18n.js";
import { threadTitle } from "./titles.js";
import { showResource } from "./library_live.js";
import { announce } from "./notices.js";
import { follow } from "./rooms.js";

const topicEl = $("#topic");
const button = $("#topic-updates");

if (topicEl && button) {
  const changed = new Set();
  let lastAnnounced = 0;
  follow(`topic:${topicEl.dataset.topicSlug}`, topicEl.dataset.cursor, (name, data) => {
    if (showResource(name, data)) return;
    // thread.removed: moved to another topic (where it went is not said here).
    if (name === "thread.removed" && data.thread_id) {
      changed.add(Number(data.thread_id));
    } else if ((name === "thread.created" || name === "thread.updated") && data.thread) {
      changed.add(data.thread.id);
    } else {
      return;
    }
    button.textContent = tn("%(num)s new or updated thread — show", "%(num)s new or updated threads — show", changed.size);
    button.hidden = false;
    const now = Date.now();
    if (now - lastAnnounced > 5000) {
      lastAnnounced = now;
      announce(name === "thread.created" ? t("New thread: %(title)s", { title: threadTitle(data.thread) }) : button.textContent);
    }
  });
  button.addEventListener("click", () => location.reload());
}
