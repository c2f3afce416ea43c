/**
 * Who asked a live question, as the question's item shows it: a named asker's link, avatar and
 * organisation, or the application's anonymous label (never a link), with "(you)" or a
 * moderator's "revealed to you" beside it when the room's copy may say so.
 */
import { fillAvatar } from "./avatar.js";
import { $ } from "./dom.js";
import { t, tNodes } from "./i18n.js";

/** Organisations come as a name (chat) or an object with a name (question authors). */
export const orgName = (org) => (typeof org === "string" ? org : org?.name || "");

/** The application's own anonymous label, with its icon: no display name can look like it. */
function anonymousBadge(label) {
  const badge = document.createElement("span");
  badge.className = "live-question-anon badge text-bg-dark";
  const icon = document.createElement("i");
  icon.className = "bi bi-incognito";
  icon.setAttribute("aria-hidden", "true");
  const text = document.createElement("span");
  text.className = "live-question-name";
  text.textContent = label;
  badge.append(icon, " ", text);
  return badge;
}

export function setAuthor(li, author, userId) {
  if (!author) return;
  let name = $(".live-question-name", li);
  const org = $(".live-question-org", li);
  let identity = $(".live-question-identity", li);
  if (!author.anonymous) {
    if (name) name.textContent = author.name || "";
    if (org) org.textContent = orgName(author.organisation);
    const person = name?.closest(".live-question-person");
    if (Number(author.id)) person?.setAttribute("href", `/users/${Number(author.id)}`);
    fillAvatar(person, author.avatar);
    return;
  }
  const label = author.label ? t(author.label) : t("Anonymous");
  if (name && !name.closest(".live-question-anon")) {
    const badge = anonymousBadge(label);
    (name.closest(".live-question-person") || name).replaceWith(badge); // an anonymous label never links
    name = $(".live-question-name", badge);
  } else if (name) {
    name.textContent = label;
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
}
