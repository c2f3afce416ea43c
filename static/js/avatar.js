/**
 * A generated avatar drawn in the page (the <svg class="avatar"> of community/avatars.py),
 * filled in for a person who arrives live: their colour and initials from the payload's
 * `avatar` ({initials, colour, url}).
 */

/** Fill the first avatar inside `root` for `avatar`; a colour that is not #rrggbb is ignored. */
export function fillAvatar(root, avatar) {
  const drawn = avatar || {};
  const disc = root?.querySelector("svg.avatar rect");
  if (disc && /^#[0-9a-f]{6}$/i.test(drawn.colour || "")) disc.setAttribute("fill", drawn.colour);
  const letters = root?.querySelector("svg.avatar text");
  if (letters) {
    letters.textContent = drawn.initials || "";
    // Two letters are drawn smaller than one, as community/avatars.py draws them.
    letters.setAttribute("font-size", (drawn.initials || "").length > 1 ? "42" : "50");
  }
}
