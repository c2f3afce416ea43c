// Load for bench/soak.py: many virtual people in one Node process, normal and hostile.
//
//   node bench/soak_client.js config.json
//
// config: {url, normal: [token...], hostile: [token...], threadIds: [...], sessionId, seconds, out, seed}
// A normal person keeps a socket (joined to a thread and the live session) and, every 8-30 s,
// reads a thread or the topic list (API), replies (socket `post`), chats, votes, asks a question,
// or (now and then) reconnects. Every request and ack is timed; a refusal or an error of a normal person's
// request counts as an error. A hostile person, every 1-3 s, sends one of: a pathological post
// (20,000 characters of "[", "*a", e-mail addresses, table rows...), a 1 MB body, malformed JSON,
// a lone surrogate, an impossible id, a burst of posts past the rate limit, 25 sockets at once.
// Writes {normal: {kind: [ms...]}, errors: [...], hostile: {kind: {status: count}}} to `out`.
"use strict";
const fs = require("fs");
const path = require("path");
const { io } = require(path.join(__dirname, "..", "node_modules", "socket.io-client"));

const config = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
let seed = config.seed || 7;
const random = () => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648; };
const pick = (items) => items[Math.floor(random() * items.length)];
const now = () => performance.now();
const endAt = now() + config.seconds * 1000;
const normal = {};
const errors = [];
const hostile = {};
const record = (kind, ms) => (normal[kind] = normal[kind] || []).push(ms);
const count = (kind, status) => {
  hostile[kind] = hostile[kind] || {};
  hostile[kind][status] = (hostile[kind][status] || 0) + 1;
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function http(token, method, url, body, raw) {
  const started = now();
  const headers = { Authorization: `Bearer ${token}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  try {
    const response = await fetch(config.url + url, {
      method, headers, body: raw !== undefined ? raw : body !== undefined ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(30000),
    });
    const text = await response.text();
    return { status: response.status, ms: now() - started, text };
  } catch (error) {
    return { status: 0, ms: now() - started, text: String(error) };
  }
}

function connect(token, rooms) {
  return new Promise((resolve) => {
    const started = now();
    const socket = io(config.url, { transports: ["websocket"], auth: { token }, reconnection: false,
                                     forceNew: true, timeout: 30000 });
    let settled = false;
    const done = (ok, why) => { if (!settled) { settled = true; resolve({ socket, ok, why, ms: now() - started }); } };
    socket.on("connect", async () => {
      for (const room of rooms) {
        const ack = await socket.timeout(30000).emitWithAck("join", { room }).catch((e) => ({ ok: false, error: String(e) }));
        if (!ack.ok) return done(false, "join " + room + ": " + JSON.stringify(ack.error));
      }
      done(true);
    });
    socket.on("connect_error", (err) => done(false, "connect_error: " + (err && err.message)));
  });
}

async function ack(socket, event, data) {
  const started = now();
  try {
    const answer = await socket.timeout(30000).emitWithAck(event, data);
    return { answer, ms: now() - started };
  } catch (error) {
    return { answer: { ok: false, error: { code: "timeout", message: String(error) } }, ms: now() - started };
  }
}

async function normalPerson(token, index) {
  const threadId = config.threadIds[index % config.threadIds.length];
  const rooms = [`thread:${threadId}`, `live:${config.sessionId}`];
  // People arrive over the first seconds, not all in the same millisecond.
  await sleep(random() * Math.min(15000, config.seconds * 250));
  let conn = await connect(token, rooms);
  record("connect", conn.ms);
  if (!conn.ok) { errors.push(`normal ${index}: ${conn.why}`); return; }
  let questions = [];
  let lastPost = -Infinity;
  const onQuestions = (socket) => {
    socket.on("live.question", (data) => { if (data && data.question) questions.push(data.question.id); });
    socket.on("batch", (data) => { // a burst of room events (docs/socket-events.md)
      for (const e of (data && data.events) || []) {
        if (e.name === "live.question" && e.data && e.data.question) questions.push(e.data.question.id);
      }
    });
  };
  onQuestions(conn.socket);
  await sleep(random() * 4000);
  let n = 0;
  while (now() < endAt) {
    const roll = random();
    n += 1;
    if (roll < 0.35) {
      const r = await http(token, "GET", `/api/v1/threads/${threadId}?limit=20`);
      record("read_thread", r.ms);
      if (r.status !== 200) errors.push(`read_thread ${r.status} ${r.text.slice(0, 120)}`);
    } else if (roll < 0.5) {
      const r = await http(token, "GET", "/api/v1/topics");
      record("read_topics", r.ms);
      if (r.status !== 200) errors.push(`read_topics ${r.status}`);
    } else if (roll < 0.6 && n > 2 && now() - lastPost > 25000) {
      // A person replies now and then (at most ~2 a minute: the newcomers' limit is 3)
      lastPost = now();
      const r = await ack(conn.socket, "post", { thread_id: threadId, body: `Soak reply ${index}.${n}: how do you check **recruitment fees** with agents?` });
      record("post", r.ms);
      if (!r.answer.ok) errors.push(`post ${JSON.stringify(r.answer.error).slice(0, 160)}`);
    } else if (roll < 0.75) {
      const r = await ack(conn.socket, "live.chat", { session_id: config.sessionId, body: `chat ${index}.${n}` });
      record("chat", r.ms);
      if (!r.answer.ok) errors.push(`chat ${JSON.stringify(r.answer.error).slice(0, 160)}`);
    } else if (roll < 0.85 && questions.length) {
      const r = await ack(conn.socket, "live.vote", { session_id: config.sessionId, question_id: pick(questions) });
      record("vote", r.ms);
      if (!r.answer.ok && r.answer.error.code !== "invalid") errors.push(`vote ${JSON.stringify(r.answer.error).slice(0, 160)}`);
    } else if (roll < 0.97) {
      const r = await ack(conn.socket, "live.ask", { session_id: config.sessionId, body: `Question ${index}.${n}: what is a fair fee?` });
      record("ask", r.ms);
      if (!r.answer.ok) errors.push(`ask ${JSON.stringify(r.answer.error).slice(0, 160)}`);
    } else {
      conn.socket.disconnect();
      conn = await connect(token, rooms);
      record("reconnect", conn.ms);
      if (!conn.ok) { errors.push(`reconnect: ${conn.why}`); return; }
      onQuestions(conn.socket);
    }
    if (questions.length > 200) questions = questions.slice(-100);
    await sleep(8000 + random() * 22000);
  }
  conn.socket.disconnect();
}

const N = 20000;
const SHAPES = {
  brackets: "[".repeat(N), images: "![".repeat(N / 2), emphasis: "*a".repeat(N / 2),
  emails: "a@b.co ".repeat(N / 7), www: "www.a.com ".repeat(N / 10), tables: "|a|b|\n|-|-|\n" + "|a|b|\n".repeat(N / 6),
  headings: "# x\n".repeat(N / 4), lt: "<".repeat(N),
  combo: ("[".repeat(999) + "*a".repeat(1249) + "|a|b|\n|-|-|\n" + "|a|b|\n".repeat(330) + "<".repeat(2999)
          + "&amp;".repeat(1999) + "`x`".repeat(660)).slice(0, N),
};

async function hostilePerson(token, index) {
  const threadId = config.threadIds[index % config.threadIds.length];
  await sleep(random() * 3000);
  while (now() < endAt) {
    const roll = random();
    if (roll < 0.4) {
      const shape = pick(Object.keys(SHAPES));
      const r = await http(token, "POST", `/api/v1/threads/${threadId}/posts`, { body: SHAPES[shape].slice(0, N) });
      count("pathological:" + shape, r.status);
    } else if (roll < 0.5) {
      const r = await http(token, "POST", `/api/v1/threads/${threadId}/posts`, { body: "x".repeat(1024 * 1024) });
      count("1MB body", r.status);
    } else if (roll < 0.6) {
      const r = await http(token, "POST", `/api/v1/threads/${threadId}/posts`, undefined, '{"body": "\\ud800", "reply_to": [[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]}');
      count("malformed json", r.status);
    } else if (roll < 0.7) {
      const r = await http(token, "GET", "/api/v1/threads/99999999999999999999");
      count("impossible id", r.status);
    } else if (roll < 0.85) {
      const answers = await Promise.all(Array.from({ length: 10 }, (_, i) =>
        http(token, "POST", `/api/v1/threads/${threadId}/posts`, { body: `flood ${index} ${i} ${now()}` })));
      for (const r of answers) count("post flood", r.status);
    } else {
      const opened = await Promise.all(Array.from({ length: 25 }, () => connect(token, [])));
      for (const c of opened) {
        count("25 sockets", c.ok ? "connected" : (c.why || "").includes("too many") ? "refused: too many" : "refused");
        c.socket.disconnect();
      }
    }
    await sleep(1000 + random() * 2000);
  }
}

let finished = 0;
let written = false;
function writeOut(note) {
  if (written) return;
  written = true;
  if (note) errors.push(note);
  fs.writeFileSync(config.out, JSON.stringify({ normal, errors, hostile }));
  console.log("DONE");
  process.exit(0);
}
// Whatever happens to one request, the run ends: a minute past its end, what is pending is an error.
setTimeout(() => writeOut(`${config.normal.length + config.hostile.length - finished} people were still waiting a minute after the end`),
           config.seconds * 1000 + 60000);

(async () => {
  const people = [
    ...config.normal.map((t, i) => normalPerson(t, i)),
    ...config.hostile.map((t, i) => hostilePerson(t, i)),
  ];
  await Promise.all(people.map((p) => p.then(() => { finished += 1; })));
  writeOut();
})();
