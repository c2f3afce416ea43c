/*
 * A thread's title as the reader reads it: the site's own titles (a live session's archive
 * and its follow-up: `title_kind`, `title_subject` in thread objects) are worded in the page's
 * language, as the server does for pages (community/titles.py); any other is as written.
 */
import { t } from "./i18n.js";

const WORDS = {
  live_archive: "Live session archive: %(title)s",
  live_follow_up: "Follow-up: %(title)s",
};

export function threadTitle(thread) {
  const words = WORDS[thread?.title_kind];
  return words && thread.title_subject ? t(words, { title: thread.title_subject }) : (thread?.title || "");
}
