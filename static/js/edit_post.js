/*
 * The edit page (templates/posts/edit.html, also where a hidden post is changed and sent
 * back to the moderators): the same composer as a reply's. A counter, the Preview with its
 * notes (shown while typing when an image or a tag will not be shown), and the server's own
 * "too long" words before the form is sent, at any length: nothing is posted, the text stays.
 */
import { $, describe } from "./dom.js";
import { announce } from "./notices.js";
import { attachPreview } from "./preview.js";
import { attachCounter, tooLongMessage } from "./textlimit.js";

const form = $("#edit-form");
const body = $("#edit-body");
if (form && body) start();

function start() {
  attachCounter(body);
  attachPreview(body);
  const error = document.createElement("div");
  error.className = "alert alert-danger";
  error.id = "edit-body-too-long";
  error.setAttribute("role", "alert");
  error.hidden = true;
  form.prepend(error);

  form.addEventListener("submit", (event) => {
    const tooLong = tooLongMessage(body);
    if (!tooLong) {
      error.hidden = true;
      describe(body, error, false);
      return;
    }
    event.preventDefault();
    error.textContent = tooLong;
    error.hidden = false;
    describe(body, error, true);
    announce(tooLong);
    body.focus();
  });
}
