/*
 * The edit page (templates/posts/edit.html, also where a hidden post is changed and sent
 * back to the moderators): the same composer as a reply's. A counter, the Preview with its
 * notes (shown while typing when an image or a tag will not be shown), and the server's own
 * "too long" words before the form is sent, at any length: nothing is posted, the text stays.
 */
import { $ } from "./dom.js";
import { attachPreview } from "./preview.js";
import { attachCounter, lengthGuard } from "./textlimit.js";

const form = $("#edit-form");
const body = $("#edit-body");
if (form && body) start();

function start() {
  attachCounter(body);
  attachPreview(body);
  form.addEventListener("submit", lengthGuard(form, body, { focus: true }));
}
