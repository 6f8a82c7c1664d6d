// PUSH -> PULL throughput with zeromq.js 6 on Node: the zeromq.js peer for
// the benchmarks in ../. Same measurement and JSON line as ../c/throughput.c
// and ../throughput.ts.
//
//   node throughput.mjs [--endpoint tcp://127.0.0.1:*] [--size 16]
//                       [--count 1000000] [--mode two-process|one-process]
//                       [--timeout 120] [--warmup 0]
//
// two-process: this process binds the PULL and spawns itself as the PUSH
// child; the child keeps its socket open until this process closes the
// child's stdin (after counting every message). one-process: both sockets
// in this process (tcp, ipc or inproc). The receiver times from the first
// message after the warm-up (--warmup messages more, sent first) to the last.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import * as zmq from "zeromq";
import { parseArgs } from "./args.mjs";

const opts = parseArgs(process.argv.slice(2), {
  endpoint: "tcp://127.0.0.1:*",
  size: 16,
  count: 1_000_000,
  warmup: 0,
});
// Every send and receive counts the warm-up's messages too.
const total = opts.count + opts.warmup;
const transport = opts.endpoint.split("://")[0];

async function sendAll(push, size, count) {
  const frame = Buffer.alloc(size);
  for (let i = 0; i < count; i++) await push.send(frame);
}

async function receiveAll(pull, size, count) {
  let n = 0;
  let start = 0;
  for await (const [frame] of pull) {
    if (n === opts.warmup) start = performance.now();
    if (frame.length !== size) {
      throw new Error(`wrong message size ${frame.length}`);
    }
    if (++n === count) break;
  }
  return (performance.now() - start) / 1000;
}

function report(elapsed) {
  const rate = opts.count / Math.max(elapsed, 1e-9);
  console.log(JSON.stringify({
    impl: "zeromq.js",
    test: "throughput",
    transport,
    mode: opts.mode,
    size: opts.size,
    count: opts.count,
    msgs_per_s: Math.round(rate),
    mb_per_s: Math.round(rate * opts.size / 1e5) / 10,
  }));
}

async function child() {
  const push = new zmq.Push();
  push.connect(opts.child);
  await sendAll(push, opts.size, total);
  // Stay open until the parent has counted everything and closes our stdin.
  await new Promise((resolve) => {
    process.stdin.on("end", resolve);
    process.stdin.on("close", resolve);
    process.stdin.resume();
  });
  push.close();
}

async function twoProcess() {
  const pull = new zmq.Pull();
  await pull.bind(opts.endpoint);
  const script = fileURLToPath(import.meta.url);
  const kid = spawn(process.execPath, [
    script,
    "--child",
    pull.lastEndpoint,
    "--size",
    String(opts.size),
    "--count",
    String(opts.count),
    "--warmup",
    String(opts.warmup),
  ], { stdio: ["pipe", "inherit", "inherit"] });
  const exited = new Promise((resolve) => kid.on("exit", resolve));
  const watchdog = setTimeout(() => {
    console.error(`throughput.mjs: timed out after ${opts.timeout} s`);
    kid.kill("SIGKILL");
    process.exit(1);
  }, opts.timeout * 1000);
  const elapsed = await receiveAll(pull, opts.size, total);
  kid.stdin.end();
  const code = await exited;
  clearTimeout(watchdog);
  pull.close();
  report(elapsed);
  if (code !== 0) process.exitCode = 1;
}

async function oneProcess() {
  const pull = new zmq.Pull();
  await pull.bind(opts.endpoint);
  const push = new zmq.Push();
  push.connect(pull.lastEndpoint);
  const watchdog = setTimeout(() => {
    console.error(`throughput.mjs: timed out after ${opts.timeout} s`);
    process.exit(1);
  }, opts.timeout * 1000);
  const [elapsed] = await Promise.all([
    receiveAll(pull, opts.size, total),
    sendAll(push, opts.size, total),
  ]);
  clearTimeout(watchdog);
  push.close();
  pull.close();
  report(elapsed);
}

if (opts.child) await child();
else if (opts.mode === "two-process") await twoProcess();
else await oneProcess();
