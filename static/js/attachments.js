/*
 * A post's files (its object's `attachments`) as the post partial shows them: images inline
 * (the thumbnail, linking to the image), other files as downloads. Same markup as
 * templates/partials/post.html, so a live post looks as it will after a reload.
 */
import { safePath } from "./dom.js";
import { lang, t } from "./i18n.js";

const KB = 1024;
const MB = 1024 * 1024;
const unitFormats = new Map();

function unitFormat(unit, unitDisplay) {
  if (!unitFormats.has(unit)) {
    unitFormats.set(unit, new Intl.NumberFormat(lang, { style: "unit", unit, unitDisplay, maximumFractionDigits: 1 }));
  }
  return unitFormats.get(unit);
}

/** "380 bytes", "11.4 kB", "2.5 MB" in the reader's language: the same CLDR units as the
 * server's |filesize (community/i18n.py file_size), multiples of 1024. */
export function fileSize(bytes) {
  const n = Number(bytes) || 0;
  if (n >= MB) return unitFormat("megabyte", "short").format(n / MB);
  if (n >= KB) return unitFormat("kilobyte", "short").format(n / KB);
  return unitFormat("byte", "long").format(n);
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

function hiddenBadge(file) {
  return file.state === "hidden" ? el("span", { class: "badge text-bg-secondary" }, t("Hidden by a moderator")) : null;
}

function oneFile(file) {
  const url = safePath(file.url);
  if (!url) return null;
  const name = el("bdi", {}, String(file.name || ""));
  if (file.kind === "image") {
    const img = el("img", { src: safePath(file.thumbnail_url) || url, alt: String(file.name || ""), loading: "lazy" });
    return el("figure", { class: "post-attachment post-attachment--image" }, el("a", { href: url }, img),
      el("figcaption", { class: "small" }, name, hiddenBadge(file) ? " " : null, hiddenBadge(file)));
  }
  return el("p", { class: "post-attachment post-attachment--file mb-1" },
    el("i", { class: "bi bi-file-earmark-arrow-down", "aria-hidden": "true" }), " ",
    el("a", { href: url, download: "" }, name), " ",
    el("span", { class: "text-body-secondary small" }, `(${fileSize(file.size)})`),
    hiddenBadge(file) ? " " : null, hiddenBadge(file));
}

/** Fill the article's files box from `post.attachments` (hidden when there are none). */
export function fillAttachments(article, post) {
  const box = article.querySelector("[data-attachments]");
  if (!box) return;
  const files = Array.isArray(post?.attachments) ? post.attachments.map(oneFile).filter(Boolean) : [];
  box.replaceChildren(...files);
  box.hidden = files.length === 0;
}
