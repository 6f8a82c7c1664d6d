// Threads: one context shared by Workers (node:worker_threads), inproc between
// them, and actors (src/actor.ts). Runs under `deno test -A` and `bun test`.
import { Worker } from "node:worker_threads";
import * as zmq from "../mod.ts";
import { startActor } from "../src/actor.ts";
import {
  assert,
  deepEqual,
  equal,
  ok,
  rejects,
  test,
  texts,
  throws,
  uniqueInprocAddress,
  withTimeout,
} from "./harness.ts";

const PEER = new URL("./fixtures/thread_peer.ts", import.meta.url);
const ECHO = new URL("./fixtures/thread_echo_actor.ts", import.meta.url);
const DEAF = new URL("./fixtures/thread_deaf_actor.ts", import.meta.url);
const FAILING = new URL("./fixtures/thread_failing_actor.ts", import.meta.url);
const PEER_NO_DEFAULT = new URL("./harness.ts", import.meta.url);

type Report = Record<string, unknown>;

/** A Worker running thread_peer.ts with `job`, and a bounded reader of its reports. */
function spawnPeer(job: Report) {
  const worker = new Worker(PEER, { workerData: job });
  const reports: Report[] = [];
  const waiters: (() => void)[] = [];
  let error: unknown;
  let exited = false;
  const wake = () => waiters.splice(0).forEach((w) => w());
  worker.on("message", (message: Report) => {
    reports.push(message);
    wake();
  });
  worker.on("error", (e: unknown) => {
    error = e;
    wake();
  });
  const exit = new Promise<number>((resolve) =>
    worker.on("exit", (code: number) => {
      exited = true;
      wake();
      resolve(code);
    })
  );
  async function next(what: string, ms = 20_000): Promise<Report> {
    const deadline = Date.now() + ms;
    while (reports.length === 0) {
      if (error !== undefined) throw new Error(`worker failed: ${error}`);
      if (exited) throw new Error(`worker exited before ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`Timed out waiting for ${what}`);
      await withTimeout(new Promise<void>((r) => waiters.push(r)), left, what).catch(() => {});
    }
    return reports.shift()!;
  }
  return {
    worker,
    next,
    exit,
    get error() {
      return error;
    },
  };
}

async function stopWorker(worker: Worker, exit: Promise<number>) {
  await worker.terminate();
  await withTimeout(exit, 5_000, "the worker's exit");
}

function frameOf(i: number): Uint8Array {
  const frame = new Uint8Array(4);
  new DataView(frame.buffer).setUint32(0, i, true);
  return frame;
}

function indexOf(frame: Uint8Array): number {
  return new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getUint32(0, true);
}

const COUNT = 100_000;

test("threads: Worker -> main over inproc, 100,000 ordered messages", async () => {
  const ctx = new zmq.Context();
  const pull = new zmq.Pull({ context: ctx, linger: 0 });
  const endpoint = uniqueInprocAddress();
  await pull.bind(endpoint);
  const peer = spawnPeer({ mode: "push", handle: ctx.handle, endpoint, count: COUNT, id: 7 });
  try {
    const started = performance.now();
    for (let i = 0; i < COUNT; i++) {
      const [id, frame] = await withTimeout(pull.receive(), 10_000, `message ${i}`);
      equal(id[0], 7);
      if (indexOf(frame) !== i) equal(indexOf(frame), i, `message ${i} out of order`);
    }
    const seconds = (performance.now() - started) / 1000;
    deepEqual(await peer.next("the worker's report"), { ok: true, sent: COUNT });
    console.log(`  Worker -> main: ${Math.round(COUNT / seconds).toLocaleString("en")} msg/s`);
    equal(await withTimeout(peer.exit, 10_000, "the worker's exit"), 0);
  } finally {
    pull.close();
    await stopWorker(peer.worker, peer.exit);
    await withTimeout(ctx.terminate(), 5_000, "terminate");
  }
}, { timeout: 60_000 });

test("threads: main -> Worker over inproc, 100,000 ordered messages", async () => {
  const ctx = new zmq.Context();
  const push = new zmq.Push({ context: ctx, linger: 0 });
  const endpoint = uniqueInprocAddress();
  const peer = spawnPeer({ mode: "pull", handle: ctx.handle, endpoint, count: COUNT });
  try {
    deepEqual(await peer.next("the worker's bind"), { bound: true });
    push.connect(endpoint);
    const started = performance.now();
    for (let i = 0; i < COUNT; i++) {
      await withTimeout(push.send(frameOf(i)), 10_000, `sending message ${i}`);
    }
    deepEqual(await peer.next("the worker's report"), { ok: true, received: COUNT });
    const seconds = (performance.now() - started) / 1000;
    console.log(`  main -> Worker: ${Math.round(COUNT / seconds).toLocaleString("en")} msg/s`);
    equal(await withTimeout(peer.exit, 10_000, "the worker's exit"), 0);
  } finally {
    push.close();
    await stopWorker(peer.worker, peer.exit);
    await withTimeout(ctx.terminate(), 5_000, "terminate");
  }
}, { timeout: 60_000 });

test(
  "threads: a fresh Worker's first waits are served while its poller thread starts",
  async () => {
    // Starting a thread from a Deno Worker takes ~0.5 s; until it runs, waits
    // are served by looking on the Worker's own thread.
    const ctx = new zmq.Context();
    const pair = new zmq.Pair({ context: ctx, linger: 0 });
    const endpoint = uniqueInprocAddress();
    const count = 200;
    const peer = spawnPeer({ mode: "firstWaits", handle: ctx.handle, endpoint, count });
    try {
      deepEqual(await peer.next("the worker's bind"), { bound: true });
      pair.connect(endpoint);
      for (let i = 0; i < count; i++) {
        await withTimeout(pair.send(frameOf(i)), 10_000, `sending message ${i}`);
        const [echo] = await withTimeout(pair.receive(), 10_000, `echo ${i}`);
        equal(indexOf(echo), i);
      }
      deepEqual(await peer.next("the worker's report"), {
        ok: true,
        timedOut: "EAGAIN",
        closed: "ENOTSOCK",
        echoed: count,
      });
      equal(await withTimeout(peer.exit, 10_000, "the worker's exit"), 0);
    } finally {
      pair.close();
      await stopWorker(peer.worker, peer.exit);
      await withTimeout(ctx.terminate(), 5_000, "terminate");
    }
  },
  { timeout: 60_000 },
);

test("threads: several Workers fan in to one PULL, each in order", async () => {
  const WORKERS = 4;
  const EACH = 5_000;
  const ctx = new zmq.Context();
  const pull = new zmq.Pull({ context: ctx, linger: 0 });
  const endpoint = uniqueInprocAddress();
  await pull.bind(endpoint);
  const peers = Array.from(
    { length: WORKERS },
    (_, id) => spawnPeer({ mode: "push", handle: ctx.handle, endpoint, count: EACH, id }),
  );
  try {
    const nextIndex = new Array<number>(WORKERS).fill(0);
    for (let n = 0; n < WORKERS * EACH; n++) {
      const [id, frame] = await withTimeout(pull.receive(), 10_000, `message ${n}`);
      const from = id[0];
      ok(from < WORKERS, `unknown sender ${from}`);
      equal(indexOf(frame), nextIndex[from], `sender ${from} out of order`);
      nextIndex[from] += 1;
    }
    deepEqual(nextIndex, new Array<number>(WORKERS).fill(EACH));
    for (const peer of peers) {
      deepEqual(await peer.next("a worker's report"), { ok: true, sent: EACH });
    }
  } finally {
    pull.close();
    for (const peer of peers) await stopWorker(peer.worker, peer.exit);
    await withTimeout(ctx.terminate(), 5_000, "terminate");
  }
}, { timeout: 60_000 });

test("threads: a Worker that throws does not take the parent down", async () => {
  const ctx = new zmq.Context();
  const peer = spawnPeer({ mode: "throw", handle: ctx.handle });
  const pull = new zmq.Pull({ context: ctx, linger: 0 });
  const push = new zmq.Push({ context: ctx, linger: 0 });
  try {
    const code = await withTimeout(peer.exit, 10_000, "the crashed worker's exit");
    assert(peer.error instanceof Error, `expected an error event, got ${peer.error}`);
    ok(String(peer.error).includes("boom"), String(peer.error));
    // Deno exits a crashed Worker with 1, Bun with 0: only the error event is common.
    equal(typeof code, "number");
    // The parent and the shared context still work.
    const endpoint = uniqueInprocAddress();
    await pull.bind(endpoint);
    push.connect(endpoint);
    await push.send("still alive");
    deepEqual(texts(await withTimeout(pull.receive(), 5_000, "a message")), ["still alive"]);
  } finally {
    push.close();
    pull.close();
    await stopWorker(peer.worker, peer.exit);
    await withTimeout(ctx.terminate(), 5_000, "terminate");
  }
});

test("threads: terminating the owner tells a Worker blocked in a receive (ETERM)", async () => {
  const ctx = new zmq.Context();
  const endpoint = uniqueInprocAddress();
  const peer = spawnPeer({ mode: "hold", handle: ctx.handle, endpoint });
  try {
    deepEqual(await peer.next("the worker's bind"), { bound: true });
    await withTimeout(ctx.terminate(), 10_000, "terminate with a Worker attached");
    equal(ctx.terminated, true);
    deepEqual(await peer.next("the worker's report"), { ok: true, failedWith: "ETERM" });
  } finally {
    await stopWorker(peer.worker, peer.exit);
  }
});

test("threads: fromHandle refuses what is not a handle (TypeError), here and in a Worker", async () => {
  for (const bad of [1234, "0x1234", null, undefined, {}, -1n, 0n]) {
    throws(() => zmq.Context.fromHandle(bad as unknown as bigint), TypeError, String(bad));
  }
  // A handle posted as a number (not a bigint) is refused in the Worker too.
  const ctx = new zmq.Context();
  const peer = spawnPeer({ mode: "fromHandle", handle: Number(ctx.handle) });
  try {
    const report = await peer.next("the worker's report");
    equal(report.ok, true);
    equal(report.threw, "TypeError", String(report.message));
  } finally {
    await stopWorker(peer.worker, peer.exit);
    await withTimeout(ctx.terminate(), 5_000, "terminate");
  }
});

test("actor: an echo actor answers in order and stops", async () => {
  const ctx = new zmq.Context();
  const actor = await withTimeout(startActor(ECHO, { context: ctx }), 10_000, "startActor");
  try {
    // Sent straight after start-up: nothing is lost.
    for (let i = 0; i < 100; i++) await actor.send(["echo", String(i)]);
    for (let i = 0; i < 100; i++) {
      deepEqual(texts(await withTimeout(actor.receive(), 5_000, `echo ${i}`)), ["echo", String(i)]);
    }
    await actor.send("last");
    for await (const message of actor) {
      deepEqual(texts(message), ["last"]);
      break;
    }
  } finally {
    await withTimeout(actor.stop(), 10_000, "stop");
    await withTimeout(ctx.terminate(), 5_000, "terminate");
  }
  equal(actor.stopped, true);
});

test("actor: the default context works too, and stop() is idempotent", async () => {
  const actor = await withTimeout(startActor(ECHO), 10_000, "startActor");
  try {
    await actor.send("hi");
    deepEqual(texts(await withTimeout(actor.receive(), 5_000, "echo")), ["hi"]);
  } finally {
    await withTimeout(Promise.all([actor.stop(), actor.stop()]), 10_000, "stop");
  }
});

test("actor: stop() while the actor is blocked in a receive on its pipe", async () => {
  const ctx = new zmq.Context();
  const actor = await withTimeout(startActor(ECHO, { context: ctx }), 10_000, "startActor");
  try {
    const started = Date.now();
    await withTimeout(actor.stop(), 10_000, "stop");
    // The actor returned on "$TERM": no stop timeout was needed.
    ok(Date.now() - started < 4_000, `stop took ${Date.now() - started} ms`);
    await withTimeout(actor.exited, 5_000, "exit");
  } finally {
    await withTimeout(ctx.terminate(), 5_000, "terminate");
  }
});

test("actor: stop() ends an actor that ignores $TERM after stopTimeout", async () => {
  const ctx = new zmq.Context();
  const actor = await withTimeout(
    startActor(DEAF, { context: ctx, stopTimeout: 300 }),
    10_000,
    "startActor",
  );
  try {
    deepEqual(texts(await withTimeout(actor.receive(), 5_000, "blocked")), ["blocked"]);
    await withTimeout(actor.stop(), 5_000, "stop");
    await withTimeout(actor.exited, 5_000, "exit");
  } finally {
    // The terminated Worker never closed its Pull: the owner's terminate()
    // gives up with EBUSY instead of hanging.
    await withTimeout(
      rejects(ctx.terminate({ timeout: 300 }), (error: unknown) => {
        assert(error instanceof zmq.ZmqError, `not a ZmqError: ${error}`);
        equal(error.code, "EBUSY");
        return true;
      }),
      5_000,
      "terminate",
    );
  }
});

test("actor: a stale handle (used after stop) is refused with ZmqError ETERM", async () => {
  const actor = await withTimeout(startActor(ECHO), 10_000, "startActor");
  await withTimeout(actor.stop(), 10_000, "stop");
  const isEterm = (error: unknown) => {
    assert(error instanceof zmq.ZmqError, `not a ZmqError: ${error}`);
    equal(error.code, "ETERM");
    ok(error.message.includes("stopped"), error.message);
    return true;
  };
  await rejects(actor.send("late"), isEterm);
  await rejects(actor.receive({ timeout: 10 }), isEterm);
  throws(() => actor.tryReceive(), isEterm);
  throws(() => actor[Symbol.asyncIterator](), isEterm);
});

test("actor: a failing actor rejects use of its handle, not the parent", async () => {
  const actor = await withTimeout(startActor(FAILING), 10_000, "startActor");
  try {
    await actor.send("go");
    await withTimeout(actor.exited, 5_000, "the failed actor's exit");
    await rejects(actor.send("again"), /actor exploded/);
  } finally {
    await withTimeout(actor.stop(), 5_000, "stop");
  }
});

test("actor: bad module input gives clear errors", async () => {
  await rejects(startActor(42 as unknown as URL), TypeError);
  await rejects(
    withTimeout(startActor(new URL("./fixtures/no_such_actor.ts", import.meta.url)), 10_000, "x"),
    (error: unknown) => error instanceof Error && !/Timed out/.test(error.message),
  );
  await rejects(
    withTimeout(startActor(PEER_NO_DEFAULT), 10_000, "startActor"),
    /no default export function/,
  );
});
