/*
 * A resource added to the topic's library, or given a new version, while the page is open:
 * `resource.created` / `resource.updated` in the topic's room (docs/socket-events.md) show a
 * status line with a link to it (#resource-updates), and a screen reader hears it. The topic
 * page's script (topic.js) hands its room's resource events to showResource; the library page
 * (templates/resources/list.html, #library) follows the room here.
 */
import { $ } from "./dom.js";
import { tNodes } from "./i18n.js";
import { announce } from "./notices.js";
import { follow } from "./rooms.js";

const MESSAGES = {
  "resource.created": "New resource: %(title)s",
  "resource.updated": "Updated resource: %(title)s",
};

/** Show one resource event in #resource-updates; false when it is not one. */
export function showResource(name, data) {
  const box = $("#resource-updates");
  const resource = data?.resource;
  if (!box || !MESSAGES[name] || !resource || !/^\/resources\/\d+$/.test(resource.url || "")) return false;
  const link = document.createElement("a");
  link.href = resource.url;
  link.append(tNodes(MESSAGES[name], { title: resource.title || "" }));
  box.replaceChildren(link);
  box.hidden = false;
  announce(link.textContent);
  return true;
}

const library = $("#library");
if (library) {
  follow(`topic:${library.dataset.topicSlug}`, null, (name, data) => showResource(name, data));
}
