// Where Node's round trip goes: the experiment behind the Node bar of issue
// #17 ("the npm build's round trip at or below zeromq.js's"). One run, the
// same echo peer (a child process answering with blocking libzmq calls
// through koffi, the cheapest peer Node can have), and the REQ side in five
// ways, interleaved over rounds, medians:
//
//   zeromq.js      zeromq.js 6: await send() / receive() (its uv_poll wake)
//   library        this library's npm build: await send() / receive()
//   library-block  the same with { blocking: true } sockets (waits block
//                  the thread in poll(), as pyzmq's do)
//   koffi-block    koffi, blocking zmq_send / zmq_recv: the FFI floor
//   koffi-pool     koffi, a receive that would block runs on libuv's thread
//                  pool (`.async`) and wakes the loop through uv_async
//   ffi-calls      (no round trip) ns per koffi call, zmq_errno and
//                  zmq_getsockopt(ZMQ_EVENTS)
//
//   node bench/node/floor.mjs [--count 20000] [--rounds 5] [--size 16]
//
// Needs koffi (the project's node_modules/), zeromq (npm install here) and
// the npm build (deno task build:npm). Prints one JSON line per figure and a
// summary table.
import { spawn } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, join } from "node:path";
import { existsSync } from "node:fs";
import { parseArgs } from "./args.mjs";

const HERE = dirname(fileURLToPath(import.meta.url));
const opts = parseArgs(process.argv.slice(2), {
  endpoint: "tcp://127.0.0.1:*",
  size: 16,
  count: 20_000,
  warmup: 200,
  rounds: 5,
  peer: "",
});

const koffi = (await import("koffi")).default;
const LIBZMQ = ["libzmq.so.5", "/usr/lib/x86_64-linux-gnu/libzmq.so.5"]
  .find((p) => !p.startsWith("/") || existsSync(p));
const lib = koffi.load(LIBZMQ);
const z = {
  ctx: lib.func("zmq_ctx_new", "void *", []),
  term: lib.func("zmq_ctx_term", "int", ["void *"]),
  socket: lib.func("zmq_socket", "void *", ["void *", "int"]),
  close: lib.func("zmq_close", "int", ["void *"]),
  bind: lib.func("zmq_bind", "int", ["void *", "str"]),
  connect: lib.func("zmq_connect", "int", ["void *", "str"]),
  send: lib.func("zmq_send", "int", ["void *", "void *", "size_t", "int"]),
  recv: lib.func("zmq_recv", "int", ["void *", "void *", "size_t", "int"]),
  getsockopt: lib.func("zmq_getsockopt", "int", [
    "void *",
    "int",
    "void *",
    "void *",
  ]),
  errno: lib.func("zmq_errno", "int", []),
};
const REQ = 3,
  REP = 4,
  DONTWAIT = 1,
  EAGAIN = 11,
  LAST_ENDPOINT = 32,
  EVENTS = 15;
const total = opts.count + opts.warmup;

function check(rc, what) {
  if (rc < 0) throw new Error(`${what} failed: errno ${z.errno()}`);
  return rc;
}

// The peer: REP, blocking calls, echoes `n` messages and exits.
if (opts.peer !== "") {
  const ctx = z.ctx();
  const rep = z.socket(ctx, REP);
  check(z.connect(rep, opts.peer), "connect");
  const buf = new Uint8Array(1 << 16);
  for (;;) {
    const n = check(z.recv(rep, buf, buf.length, 0), "recv");
    if (n === 0) break; // the parent's "stop"
    check(z.send(rep, buf, n, 0), "send");
  }
  z.close(rep);
  z.term(ctx);
  process.exit(0);
}

const peers = new Set();
process.on("exit", () => peers.forEach((child) => child.kill()));

function startPeer(endpoint) {
  const child = spawn(process.execPath, [
    fileURLToPath(import.meta.url),
    "--peer",
    endpoint,
  ], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  peers.add(child);
  child.on("exit", () => peers.delete(child));
  return child;
}

function lastEndpoint(socket) {
  const buf = new Uint8Array(256);
  const len = new BigUint64Array([256n]);
  check(z.getsockopt(socket, LAST_ENDPOINT, buf, len), "getsockopt");
  return new TextDecoder().decode(buf.subarray(0, Number(len[0]) - 1));
}

// A raw koffi REQ bound here and a peer; `loop(req, frame, buf)` runs the
// timed round trips and returns seconds.
async function rawRun(loop) {
  const ctx = z.ctx();
  const req = z.socket(ctx, REQ);
  check(z.bind(req, opts.endpoint), "bind");
  const peer = startPeer(lastEndpoint(req));
  const frame = new Uint8Array(opts.size);
  const buf = new Uint8Array(opts.size + 16);
  const seconds = await loop(req, frame, buf);
  check(z.send(req, frame, 0, 0), "send stop");
  await new Promise((resolve) => peer.on("exit", resolve));
  z.close(req);
  z.term(ctx);
  return seconds;
}

function koffiBlock(req, frame, buf) {
  let start = 0;
  for (let i = 0; i < total; i++) {
    if (i === opts.warmup) start = performance.now();
    check(z.send(req, frame, frame.length, 0), "send");
    check(z.recv(req, buf, buf.length, 0), "recv");
  }
  return (performance.now() - start) / 1000;
}

// A receive that finds nothing at once blocks in libzmq on a thread of
// libuv's pool; its completion wakes the event loop (uv_async), as an
// FFI-only design without a Worker would.
function recvOnPool(req, buf) {
  const n = z.recv(req, buf, buf.length, DONTWAIT);
  if (n >= 0) return n;
  if (z.errno() !== EAGAIN) throw new Error(`recv failed: errno ${z.errno()}`);
  return new Promise((resolve, reject) =>
    z.recv.async(
      req,
      buf,
      buf.length,
      0,
      (err, rc) => err || rc < 0 ? reject(err ?? new Error("recv")) : resolve(rc),
    )
  );
}

async function koffiPool(req, frame, buf) {
  let start = 0;
  for (let i = 0; i < total; i++) {
    if (i === opts.warmup) start = performance.now();
    check(z.send(req, frame, frame.length, 0), "send"); // REQ: room once the peer is connected
    await recvOnPool(req, buf);
  }
  return (performance.now() - start) / 1000;
}

// zeromq.js and the library: their own sockets, the same koffi peer.
async function socketRun(Request, options) {
  const req = new Request(options);
  await req.bind(opts.endpoint);
  const peer = startPeer(req.lastEndpoint);
  const frame = new Uint8Array(opts.size);
  let start = 0;
  for (let i = 0; i < total; i++) {
    if (i === opts.warmup) start = performance.now();
    await req.send(frame);
    await req.receive();
  }
  const seconds = (performance.now() - start) / 1000;
  await req.send(new Uint8Array(0));
  await new Promise((resolve) => peer.on("exit", resolve));
  req.close();
  return seconds;
}

function callCosts() {
  const ctx = z.ctx();
  const s = z.socket(ctx, REQ);
  const value = new Int32Array(1);
  const len = new BigUint64Array([4n]);
  const n = 1_000_000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) z.errno();
  const t1 = performance.now();
  for (let i = 0; i < n; i++) z.getsockopt(s, EVENTS, value, len);
  const t2 = performance.now();
  z.close(s);
  z.term(ctx);
  return { errno_ns: (t1 - t0) * 1e6 / n, events_ns: (t2 - t1) * 1e6 / n };
}

const zeromqjs = await import(
  pathToFileURL(join(HERE, "node_modules/zeromq/lib/index.js")).href
)
  .catch(() => import("zeromq"));
const library = await import(
  pathToFileURL(join(HERE, "../../npm/esm/mod.js")).href
);

const cases = {
  "zeromq.js": () => socketRun(zeromqjs.Request),
  library: () => socketRun(library.Request),
  "library-block": () => socketRun(library.Request, { blocking: true }),
  "koffi-block": () => rawRun(koffiBlock),
  "koffi-pool": () => rawRun(koffiPool),
};
const results = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
const calls = [];
for (let round = 1; round <= opts.rounds; round++) {
  const line = [];
  for (const [name, run] of Object.entries(cases)) {
    const rtt = (await run()) / opts.count * 1e6;
    results[name].push(rtt);
    line.push(`${name} ${rtt.toFixed(1)}`);
  }
  calls.push(callCosts());
  console.error(`round ${round}/${opts.rounds}: ${line.join(", ")} µs`);
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const base = median(results["zeromq.js"]);
for (const [name, xs] of Object.entries(results)) {
  const rtt_us = Math.round(median(xs) * 10) / 10;
  console.log(
    JSON.stringify({
      test: "node_floor",
      case: name,
      size: opts.size,
      rtt_us,
      vs_zeromqjs: Math.round(rtt_us / base * 100) / 100,
    }),
  );
}
console.log(JSON.stringify({
  test: "node_floor",
  case: "ffi-calls",
  errno_ns: Math.round(median(calls.map((c) => c.errno_ns))),
  events_ns: Math.round(median(calls.map((c) => c.events_ns))),
}));
