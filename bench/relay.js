// The reference relay for bench/fanout.py: what socket.io itself does with the same load.
//
//   node bench/relay.js <port>
//
// One Node process (socket.io from npm, devDependency in package.json). Any `auth.token` is let
// in; `join {room}` joins the room; `live.chat {session_id, body}` is HTML-escaped and emitted
// to `live:<session_id>` as the real handler's room event is ({message: {html}}), then acked.
// No database, no permissions, no Markdown: the floor our server is compared with.
"use strict";
const http = require("http");
const path = require("path");

function load(name) {
  try { return require(path.join(__dirname, "..", "node_modules", name)); } catch { return require(name); }
}
const { Server } = load("socket.io");

const escapeHtml = (text) => String(text).replace(/[&<>"']/g, (c) => ({
  "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));

const server = http.createServer();
const io = new Server(server, { transports: ["websocket", "polling"], perMessageDeflate: false, pingInterval: 25000 });
io.use((socket, next) => (socket.handshake.auth && socket.handshake.auth.token ? next() : next(new Error("no token"))));
let seq = 0;
io.on("connection", (socket) => {
  socket.on("join", (data, ack) => {
    socket.join(String(data && data.room));
    if (typeof ack === "function") ack({ ok: true });
  });
  socket.on("live.chat", (data, ack) => {
    seq += 1;
    const message = { id: seq, html: "<p>" + escapeHtml(data && data.body) + "</p>" };
    io.to("live:" + (data && data.session_id)).emit("live.chat", { message, cursor: seq });
    if (typeof ack === "function") ack({ ok: true, message: { id: seq } });
  });
});
server.listen(Number(process.argv[2]), "127.0.0.1", () => process.stdout.write("LISTENING\n"));
