/*
 * What every signed-in page runs (base.html): the live connection, notifications and read state.
 * Page scripts (thread.js, topic.js, live_session.js, moderation.js) are loaded by their
 * own templates and import the same modules, so the page keeps one connection.
 *
 * Plain modern JS, native ES modules, no build step, no inline anything (the CSP forbids
 * it). Every page works without these scripts: they only add to it.
 */
import "./socket.js";
import "./notifications.js";
import "./read_state.js";
import "./reactions.js";
