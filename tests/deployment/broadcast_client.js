// Node socket.io-client sockets for tests/deployment/test_broadcast.py.
//
//   node tests/deployment/broadcast_client.js <url> <transports,...>
//
// One socket per argument: "websocket" (websocket only), "polling" (long-polling only) or
// "upgrade" (long-polling first, then the websocket upgrade). Prints "READY" once all are
// connected. stdin "REPORT" prints "REPORT <json>": per socket, the transport it is on now,
// the `tick` seqs it heard in order, and its disconnect reasons; "QUIT" exits.
"use strict";
const path = require("path");
const readline = require("readline");
const { io } = require(path.join(__dirname, "..", "..", "node_modules", "socket.io-client"));

const url = process.argv[2];
const kinds = process.argv[3].split(",");
const sockets = kinds.map((kind) => {
  const transports = { websocket: ["websocket"], polling: ["polling"], upgrade: ["polling", "websocket"] }[kind];
  const socket = io(url, { transports, upgrade: kind === "upgrade", reconnection: false, forceNew: true });
  socket.seqs = [];
  socket.reasons = [];
  socket.on("tick", (data) => socket.seqs.push(data.seq));
  socket.on("disconnect", (reason) => socket.reasons.push(reason));
  return socket;
});

Promise.all(sockets.map((socket) => new Promise((resolve, reject) => {
  socket.on("connect", resolve);
  socket.on("connect_error", reject);
}))).then(() => console.log("READY"), (err) => { console.log("ERROR " + err.message); process.exit(1); });

readline.createInterface({ input: process.stdin }).on("line", (line) => {
  if (line.trim() === "REPORT") {
    console.log("REPORT " + JSON.stringify(sockets.map((socket, i) => ({
      kind: kinds[i],
      transport: socket.io.engine ? socket.io.engine.transport.name : null,
      seqs: socket.seqs,
      reasons: socket.reasons,
    }))));
  } else if (line.trim() === "QUIT") {
    sockets.forEach((socket) => socket.close());
    process.exit(0);
  }
});
