// REQ <-> REP round trip with zeromq.js 6 on Node: the zeromq.js peer for
// the benchmarks in ../. Same measurement and JSON line as ../c/latency.c
// and ../latency.ts.
//
//   node latency.mjs [--endpoint tcp://127.0.0.1:*] [--size 16]
//                    [--count 20000] [--warmup 100]
//                    [--mode two-process|one-process] [--timeout 120]
//
// This process binds a REQ; the REP echo peer connects to it, in a child
// process (two-process, the default) or in this process (one-process).
// Warm-up round trips (connection setup) are not timed.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import * as zmq from "zeromq";
import { parseArgs } from "./args.mjs";

const opts = parseArgs(process.argv.slice(2), {
  endpoint: "tcp://127.0.0.1:*",
  size: 16,
  count: 20_000,
  warmup: 100,
});
const transport = opts.endpoint.split("://")[0];
const total = opts.count + opts.warmup;

// Echoes n requests on a REP connected to endpoint; returns the open socket.
async function echo(endpoint, n) {
  const rep = new zmq.Reply();
  rep.connect(endpoint);
  let i = 0;
  for await (const msg of rep) {
    await rep.send(msg);
    if (++i === n) break;
  }
  return rep;
}

async function pingPong(req) {
  const frame = Buffer.alloc(opts.size);
  let start = 0;
  for (let i = 0; i < total; i++) {
    if (i === opts.warmup) start = performance.now();
    await req.send(frame);
    const [reply] = await req.receive();
    if (reply.length !== opts.size) {
      throw new Error(`wrong reply size ${reply.length}`);
    }
  }
  return (performance.now() - start) / 1000;
}

function report(elapsed) {
  console.log(JSON.stringify({
    impl: "zeromq.js",
    test: "latency",
    transport,
    mode: opts.mode,
    size: opts.size,
    count: opts.count,
    rtt_us: Math.round(elapsed / opts.count * 1e8) / 100,
  }));
}

async function main() {
  const req = new zmq.Request();
  await req.bind(opts.endpoint);
  const watchdog = setTimeout(() => {
    console.error(`latency.mjs: timed out after ${opts.timeout} s`);
    if (kid) kid.kill("SIGKILL");
    process.exit(1);
  }, opts.timeout * 1000);
  let kid = null;
  let peer;
  if (opts.mode === "two-process") {
    kid = spawn(process.execPath, [
      fileURLToPath(import.meta.url),
      "--child",
      req.lastEndpoint,
      "--count",
      String(total),
      "--warmup",
      "0",
    ], { stdio: ["pipe", "inherit", "inherit"] });
    peer = new Promise((resolve) => kid.on("exit", resolve));
  } else {
    peer = echo(req.lastEndpoint, total).then((rep) => {
      rep.close();
      return 0;
    });
  }
  const elapsed = await pingPong(req);
  kid?.stdin.end();
  const code = await peer;
  clearTimeout(watchdog);
  req.close();
  report(elapsed);
  if (code !== 0) process.exitCode = 1;
}

if (opts.child) {
  // Keep the REP open until the parent has its last reply and closes our
  // stdin (closing right after the last send can drop that reply); exit as
  // well if the parent dies, so a killed run leaves no straggler.
  const gone = new Promise((resolve) => {
    process.stdin.on("end", resolve);
    process.stdin.on("close", resolve);
    process.stdin.resume();
  });
  const rep = await Promise.race([echo(opts.child, opts.count), gone]);
  await gone;
  rep?.close();
  process.exit(0);
} else {
  await main();
}
