/*
 * Filling <template> blanks: the one way a page shows something that arrives live.
 *
 * The server renders each blank with the same template as the first render of the page
 * (thread.html: the post partial; live/session.html: the question and message macros), in
 * the reader's language and with the controls the reader has. A script copies the blank,
 * puts the real id where the server left a placeholder, and fills in the data of the event.
 */
import { $$, parseHTML } from "./dom.js";

/**
 * A copy of the blank's element, with every placeholder of `replacements` ({"__QID__": "12"})
 * replaced in its attributes (ids, links, form actions). Texts are filled by the caller.
 */
export function fromBlank(template, replacements = {}) {
  const first = template?.content?.firstElementChild;
  if (!first) return null;
  const root = first.cloneNode(true);
  const pairs = Object.entries(replacements);
  if (pairs.length) {
    for (const el of [root, ...root.querySelectorAll("*")]) {
      for (const attr of Array.from(el.attributes)) {
        let value = attr.value;
        for (const [from, to] of pairs) value = value.replaceAll(from, to);
        if (value !== attr.value) el.setAttribute(attr.name, value);
      }
    }
  }
  return root;
}

/** Set the text of every element matching `selector` in `root`. */
export function setText(root, selector, text) {
  for (const el of $$(selector, root)) el.textContent = text ?? "";
}

/** Put HTML the server sanitised (community/markup.py) into `el`. */
export function setHTML(el, html) {
  el?.replaceChildren(parseHTML(html || ""));
}

/** Remove the parts of a blank that this item does not have. */
export function drop(root, selector) {
  for (const el of $$(selector, root)) el.remove();
}
