// Load client for bench/fanout.py and bench/idle.py: one Node process holding many Socket.IO clients.
//
//   node bench/fanout_client.js config.json
//
// config: {url, tokens: [...], room, run, localAddresses: [...]|null, concurrency, out, deflate}
// Connects every token (websocket transport, auth {token}), joins `room`, then prints
// "READY <json>". Every `live.chat` (alone or inside a `batch`) whose text is "bench <run> <seq> <sent ms>" is timed on
// arrival (wall clock, same machine as the sender). stdin commands: "REPORT" writes
// {latencies, seqs, counts, connectMs, errors} to `out` and prints "DONE"; "QUIT" exits.
"use strict";
const fs = require("fs");
const path = require("path");
const readline = require("readline");
const { io } = require(path.join(__dirname, "..", "node_modules", "socket.io-client"));

const config = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const now = () => performance.timeOrigin + performance.now();
const pattern = new RegExp("bench " + config.run + " (\\d+) ([\\d.]+)");

const sockets = [];
const counts = new Array(config.tokens.length).fill(0);
const connectMs = [];
let latencies = [];
let seqs = [];
let errors = [];
let joined = 0;
let settled = 0;

function connectOne(index) {
  return new Promise((resolve) => {
    const started = now();
    const options = {
      transports: ["websocket"], auth: { token: config.tokens[index] }, reconnection: false,
      perMessageDeflate: !!config.deflate, timeout: 60000, forceNew: true,
    };
    if (config.localAddresses && config.localAddresses.length) {
      options.localAddress = config.localAddresses[index % config.localAddresses.length];
    }
    const socket = io(config.url, options);
    sockets[index] = socket;
    let done = false;
    const finish = (error) => {
      if (done) return;
      done = true;
      settled += 1;
      if (error) errors.push(String(error));
      resolve();
    };
    socket.on("connect", () => {
      if (!config.room) { joined += 1; connectMs.push(now() - started); finish(); return; }
      socket.timeout(60000).emit("join", { room: config.room }, (err, ack) => {
        if (err || !ack || !ack.ok) { finish("join failed: " + (err || JSON.stringify(ack && ack.error))); return; }
        joined += 1;
        connectMs.push(now() - started);
        finish();
      });
    });
    socket.on("connect_error", (err) => finish("connect_error: " + (err && err.message)));
    socket.on("disconnect", (reason) => {
      if (done && reason !== "io client disconnect") errors.push("disconnect: " + reason);
    });
    const onChat = (data, arrived) => {
      const match = pattern.exec(data && data.message && data.message.html);
      if (!match) return;
      counts[index] += 1;
      seqs.push(Number(match[1]));
      latencies.push(Math.round((arrived - Number(match[2])) * 100) / 100);
    };
    socket.on("live.chat", (data) => onChat(data, now()));
    // a burst comes as `batch` events (docs/socket-events.md): each inner live.chat counts
    socket.on("batch", (data) => {
      const arrived = now();
      for (const event of (data && data.events) || []) if (event.name === "live.chat") onChat(event.data, arrived);
    });
  });
}

async function main() {
  const queue = config.tokens.map((_, i) => i);
  const workers = [];
  const started = now();
  for (let w = 0; w < (config.concurrency || 50); w++) {
    workers.push((async () => {
      while (queue.length) await connectOne(queue.shift());
    })());
  }
  await Promise.all(workers);
  process.stdout.write("READY " + JSON.stringify({ joined, errors: errors.length, seconds: (now() - started) / 1000,
                                                   firstErrors: errors.slice(0, 3) }) + "\n");
}

readline.createInterface({ input: process.stdin }).on("line", (line) => {
  const command = line.trim();
  if (command === "REPORT") {
    fs.writeFileSync(config.out, JSON.stringify({ latencies, seqs, counts, connectMs, errors, joined }));
    latencies = []; seqs = []; counts.fill(0);
    process.stdout.write("DONE\n");
  } else if (command === "QUIT") {
    for (const s of sockets) if (s) s.disconnect();
    setTimeout(() => process.exit(0), 200);
  }
});

main().catch((err) => { process.stdout.write("FAILED " + String(err) + "\n"); process.exit(1); });
