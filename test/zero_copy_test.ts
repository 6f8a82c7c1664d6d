// Zero-copy sends (frames lent to libzmq) and receives (ReceivedMessage).
import { spawn } from "node:child_process";
import { Worker } from "node:worker_threads";
import { fileURLToPath } from "node:url";
import * as zmq from "../mod.ts";
import {
  heldFrameCount,
  lentFrameCount,
  receiveViewsAvailable,
  setZeroCopySendThreshold,
  zeroCopySendThreshold,
} from "../src/zero_copy.ts";
import { loadNative } from "../ffi/load.ts";
import {
  bindAny,
  closeAll,
  collectGarbage,
  deepEqual,
  equal,
  isZmqError,
  ok,
  rejects,
  runtime,
  runtimeCommand,
  test,
  throws,
  type Transport,
  waitUntil,
  withTimeout,
} from "./harness.ts";

const canLend = loadNative().callback !== undefined;
// Where every release of a lent frame makes libzmq's I/O thread wait for a
// turn of this thread's event loop (Deno), lending is off by default: forced
// on over tcp or ipc, each message then costs event-loop turns, and under
// forced GC on a loaded machine a turn can take hundreds of milliseconds (a
// 1 MiB message took 0.05-1.5 s, measured). There it is tested over inproc,
// where libzmq releases on this thread at once.
const releasesWaitForThisThread = loadNative().callbackBlocksCallingThread !== false;
// The bound of one wait for a megabyte-sized message: under forced GC (a
// full collection every 10-25 ms) on a loaded 2-core machine, comparing and
// collecting such frames takes seconds.
const LARGE_MESSAGE_WAIT = 15_000;

/** Bytes that differ per position and per seed, so a mix-up shows. */
function pattern(length: number, seed: number): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 13 + seed) & 0xff);
}

function same(actual: Uint8Array, expected: Uint8Array): boolean {
  return actual.length === expected.length && actual.every((byte, i) => byte === expected[i]);
}

/** Runs `body` with frames of `bytes` or more lent, then restores the default. */
async function lending(bytes: number, body: () => Promise<void>): Promise<void> {
  const before = zeroCopySendThreshold();
  setZeroCopySendThreshold(bytes);
  try {
    await body();
  } finally {
    setZeroCopySendThreshold(before);
  }
}

/**
 * heldFrameCount() once collections free no more views (the same count after
 * three collections in a row) or it is down to `target`. Their deallocator
 * runs on this thread's event loop after a collection, so each look comes
 * after a turn of it (waitUntil's).
 */
async function heldAfterCollecting(target = 0): Promise<number> {
  let last = -1;
  let steady = 0;
  await waitUntil(
    () => {
      const held = heldFrameCount();
      steady = held === last ? steady + 1 : 0;
      last = held;
      if (held <= target || steady >= 3) return true;
      collectGarbage();
      return false;
    },
    LARGE_MESSAGE_WAIT,
    "collections to free no more views",
  );
  return heldFrameCount();
}

async function pipeline(transport: Transport): Promise<{ push: zmq.Push; pull: zmq.Pull }> {
  const pull = new zmq.Pull({ linger: 0 });
  const push = new zmq.Push({ linger: 0 });
  push.connect(await bindAny(pull, transport));
  return { push, pull };
}

test("zero-copy: the send threshold is a size in bytes, or Infinity where sends always copy", () => {
  const threshold = zmq.zeroCopySendThreshold();
  ok(threshold === Infinity || (Number.isInteger(threshold) && threshold > 256), `${threshold}`);
  // Where libzmq's thread would wait for ours to hear of a release (Deno), never by default.
  if (loadNative().callbackBlocksCallingThread !== false) equal(threshold, Infinity);
  throws(() => setZeroCopySendThreshold(-1), TypeError);
  throws(() => setZeroCopySendThreshold(Number.NaN), TypeError);
});

test(
  "zero-copy: a Worker never lends nor receives views (terminating it frees its memory)",
  async () => {
    const worker = new Worker(new URL("./fixtures/zero_copy_worker.ts", import.meta.url));
    try {
      const report = await withTimeout(
        new Promise((resolve, reject) => {
          worker.once("message", resolve);
          worker.once("error", reject);
        }),
        // A Deno Worker loading the library under forced GC on a loaded machine takes seconds.
        30_000,
        "the Worker's report",
      );
      deepEqual(report, { threshold: Infinity, views: 0, received: true });
    } finally {
      await worker.terminate();
    }
  },
  { timeout: 40_000 },
);

for (const transport of ["tcp", "ipc", "inproc"] as const) {
  test(
    `zero-copy send over ${transport}: lent frames arrive exact and are given back`,
    async () => {
      const { push, pull } = await pipeline(transport);
      const lend = transport === "inproc" || !releasesWaitForThisThread;
      await lending(lend ? 1024 : Infinity, async () => {
        const start = lentFrameCount();
        const small = pattern(300, 1); // copied: below the threshold
        const large = pattern(100_000, 2);
        const huge = pattern(1 << 20, 3);
        try {
          for (let i = 0; i < 5; i++) await push.send([small, large, huge, "text"]);
          await push.send("x".repeat(5000)); // a long string is encoded, then lent
          if (canLend && lend) ok(lentFrameCount() > start, "libzmq holds the lent frames");
          for (let i = 0; i < 5; i++) {
            const frames = await withTimeout(pull.receive(), LARGE_MESSAGE_WAIT, `message ${i}`);
            equal(frames.length, 4);
            ok(same(frames[0], small) && same(frames[1], large) && same(frames[2], huge));
            equal(new TextDecoder().decode(frames[3]), "text");
          }
          const [text] = await withTimeout(pull.receive(), LARGE_MESSAGE_WAIT, "the long string");
          equal(new TextDecoder().decode(text), "x".repeat(5000));
          await withTimeout(
            Promise.all([zmq.whenReleased(large), zmq.whenReleased(huge)]),
            LARGE_MESSAGE_WAIT,
            "libzmq to release the lent frames",
          );
          // zmq_msg_init_data hands the buffer itself to libzmq: once released, it is ours again.
          large.fill(7);
          await push.send(large);
          const [again] = await withTimeout(pull.receive(), LARGE_MESSAGE_WAIT, "the reused frame");
          ok(again.every((byte) => byte === 7));
          await withTimeout(zmq.whenReleased(large), 5_000, "the reused frame's release");
          equal(lentFrameCount(), start);
        } finally {
          closeAll(push, pull);
        }
      });
    },
    { timeout: 60_000 },
  );
}

test("zero-copy send: whenReleased waits while libzmq still holds the frame", async () => {
  const { push, pull } = await pipeline("inproc");
  await lending(1024, async () => {
    const frame = pattern(200_000, 4);
    try {
      await push.send(frame);
      let released = false;
      const waiting = zmq.whenReleased(frame.subarray(10)).then(() => released = true);
      // Over inproc the message waits in the pipe, unreceived: still lent.
      // One turn of the event loop runs the callbacks of every promise already
      // settled (released at once where nothing was lent); no other thread
      // frees an inproc message, which happens only on receipt here.
      await new Promise((resolve) => setTimeout(resolve, 0));
      equal(released, !canLend, "released only where nothing was lent");
      const [received] = await withTimeout(pull.receive(), 5_000, "the frame");
      ok(same(received, frame));
      await withTimeout(waiting, 5_000, "the release after receipt");
      ok(released);
    } finally {
      closeAll(push, pull);
    }
  });
});

test("zero-copy send: a lent frame transferred before its release is reported", async () => {
  const { push, pull } = await pipeline("inproc");
  const warnings: unknown[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => void warnings.push(args.join(" "));
  await lending(1024, async () => {
    const frame = pattern(100_000, 9);
    try {
      await push.send(frame);
      // Misuse: the buffer moves while libzmq holds it (the move keeps the memory alive here).
      const moved = (frame.buffer as ArrayBuffer).transfer();
      const [received] = await withTimeout(pull.receive(), 5_000, "the frame");
      ok(same(received, new Uint8Array(moved)));
      await withTimeout(zmq.whenReleased(frame), 5_000, "the release");
      equal(warnings.length, canLend ? 1 : 0);
      if (canLend) ok(String(warnings[0]).includes("whenReleased"), String(warnings[0]));
    } finally {
      console.warn = warn;
      closeAll(push, pull);
    }
  });
});

test("zero-copy send: a send that fails or would block gives the frame back at once", async () => {
  await lending(1024, async () => {
    const start = lentFrameCount();
    const router = new zmq.Router({ linger: 0, mandatory: true });
    const lonely = new zmq.Push({ linger: 0 }); // no peer: would block
    const publisher = new zmq.Publisher({ linger: 0 }); // no subscriber: drops
    try {
      const frame = pattern(50_000, 5);
      // A Router reads the first frame as a routing id: no such peer.
      await rejects(router.send([frame, "hello"]), isZmqError("EHOSTUNREACH"));
      equal(lonely.trySend(frame), false);
      await rejects(lonely.send(frame, { timeout: 0 }), isZmqError("EAGAIN"));
      await publisher.send(frame);
      await withTimeout(zmq.whenReleased(frame), 5_000, "the releases");
      equal(lentFrameCount(), start);
    } finally {
      closeAll(router, lonely, publisher);
    }
  });
});

test("zero-copy send: small frames and resizable buffers are copied, never lent", async () => {
  const { push, pull } = await pipeline("inproc");
  await lending(1024, async () => {
    const start = lentFrameCount();
    const resizable = new ArrayBuffer(4096, { maxByteLength: 8192 });
    new Uint8Array(resizable).set(pattern(4096, 6));
    try {
      await push.send([pattern(1000, 7), new Uint8Array(resizable)]);
      equal(lentFrameCount(), start);
      const frames = await withTimeout(pull.receive(), 5_000, "the message");
      ok(same(frames[0], pattern(1000, 7)) && same(frames[1], pattern(4096, 6)));
    } finally {
      closeAll(push, pull);
    }
  });
});

test("zero-copy: whenReleased refuses what cannot have been sent", async () => {
  await rejects(zmq.whenReleased("text" as unknown as ArrayBuffer), TypeError);
  await zmq.whenReleased(new Uint8Array(10)); // never lent: at once
});

for (const transport of ["tcp", "inproc"] as const) {
  test(`zero-copy receive over ${transport}: frames exact until release(), empty after`, async () => {
    const { push, pull } = await pipeline(transport);
    const start = heldFrameCount();
    try {
      const parts = [pattern(10, 1), pattern(200_000, 2), pattern(1 << 20, 3), new Uint8Array(0)];
      await push.send(parts);
      const message = await withTimeout(pull.receiveMessage(), 5_000, "the message");
      equal(message.released, false);
      const frames = message.frames;
      deepEqual(frames.map((f) => f.length), parts.map((p) => p.length));
      ok(frames.every((frame, i) => same(frame, parts[i])));
      if (receiveViewsAvailable()) equal(heldFrameCount(), start + 2, "two views over libzmq");
      message.release();
      equal(message.released, true);
      equal(heldFrameCount(), start);
      // No view outlives its memory: every frame is detached.
      ok(frames.every((frame) => frame.length === 0 && frame[0] === undefined));
      throws(() => message.frames, isZmqError("EINVAL"));
      throws(() => message.release(), isZmqError("EINVAL"));
      message[Symbol.dispose](); // disposing a released message does nothing
    } finally {
      closeAll(push, pull);
    }
  });
}

test(
  `zero-copy receive (${runtime}): a plain receive's large frames are views in Bun's main ` +
    "thread, freed by the garbage collector, and copies elsewhere",
  async () => {
    const first = await pipeline("inproc");
    const onward = await pipeline("tcp");
    const views = receiveViewsAvailable(); // Bun: external buffers with a deallocator
    // Views earlier tests dropped are freed first, so that none is freed during this one.
    const start = views ? await heldAfterCollecting() : heldFrameCount();
    // In a function of its own, so that no variable of this one keeps a frame alive.
    const receiveAndForward = async () => {
      const parts = [pattern(10, 1), pattern(1 << 20, 2), pattern(100_000, 3), pattern(200_000, 4)];
      await first.push.send(parts);
      const frames = await withTimeout(first.pull.receive(), LARGE_MESSAGE_WAIT, "the message");
      ok(frames.every((frame, i) => same(frame, parts[i])), "every frame exact");
      ok(
        frames.every((frame) => frame.byteOffset === 0 && frame.buffer.byteLength === frame.length),
      );
      // 128 KiB and more: the 1 MiB and the 200,000-byte frames.
      equal(heldFrameCount(), start + (views ? 2 : 0));
      // Sent onward (lent or copied), they arrive exact.
      await onward.push.send(frames);
      const again = await withTimeout(onward.pull.receive(), LARGE_MESSAGE_WAIT, "sent onward");
      ok(again.every((frame, i) => same(frame, parts[i])), "every frame exact, sent onward");
      for (const frame of frames) await zmq.whenReleased(frame);
    };
    try {
      await receiveAndForward();
      if (views) await heldAfterCollecting(start);
      equal(heldFrameCount(), start, "the views' memory went back to libzmq");
    } finally {
      closeAll(first.push, first.pull, onward.push, onward.pull);
    }
  },
  { timeout: 40_000 },
);

test("zero-copy receive: receiveMessage and receive are served in call order", async () => {
  const { push, pull } = await pipeline("inproc");
  try {
    const first = pull.receiveMessage({ timeout: 5_000 });
    const second = pull.receive({ timeout: 5_000 });
    const third = pull.receiveMessage({ timeout: 5_000 });
    for (const seed of [1, 2, 3]) await push.send(pattern(80_000, seed));
    const [a, b, c] = await withTimeout(Promise.all([first, second, third]), 5_000, "all three");
    ok(same(a.frames[0], pattern(80_000, 1)));
    ok(same(b[0], pattern(80_000, 2)));
    ok(same(c.frames[0], pattern(80_000, 3)));
    a.release();
    c.release();
  } finally {
    closeAll(push, pull);
  }
});

test("zero-copy receive: `using` releases; misuse fails clearly", async () => {
  const { push, pull } = await pipeline("inproc");
  const start = heldFrameCount();
  try {
    await push.send(pattern(100_000, 8));
    let frame: Uint8Array;
    {
      using message = await withTimeout(pull.receiveMessage(), 5_000, "the message");
      frame = message.frames[0];
      ok(same(frame, pattern(100_000, 8)));
    }
    equal(frame.length, 0);
    equal(heldFrameCount(), start);
    await rejects(pull.receiveMessage({ timeout: 0 }), isZmqError("EAGAIN"));
    await rejects(pull.receiveMessage({ timeout: -1 }), RangeError);
    pull.close();
    await rejects(pull.receiveMessage(), isZmqError("ENOTSOCK"));
  } finally {
    closeAll(push, pull);
  }
});

test("zero-copy receive: a pending receiveMessage fails when its socket closes", async () => {
  const { push, pull } = await pipeline("inproc");
  const pending = pull.receiveMessage();
  pull.close();
  await withTimeout(rejects(pending, isZmqError("ENOTSOCK")), 5_000, "the rejection");
  push.close();
});

test(`zero-copy (${runtime}): memory under forced garbage collection`, async () => {
  const script = fileURLToPath(new URL("./fixtures/zero_copy_gc.ts", import.meta.url));
  const [command, ...rest] = runtimeCommand(script);
  if (runtime === "deno") rest.splice(1, 0, "--v8-flags=--expose-gc");
  const child = spawn(command, rest, { stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => stdout += chunk);
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => stderr += chunk);
  const code = await withTimeout(
    new Promise<number | null>((resolve) => child.once("close", resolve)),
    15_000,
    "the gc fixture",
  ).catch((error) => {
    child.kill("SIGKILL");
    throw error;
  });
  equal(code, 0, stderr);
  deepEqual(stdout.trim().split("\n"), [
    "lent frames survive gc: true",
    "lent frames released: true",
    "dropped messages freed: true",
    "kept view intact: true",
    "kept view still held: true",
    "kept view freed: true",
    "moved buffer intact: true",
    "moved buffer freed: true",
    "forwarded views intact after release: true",
  ], stderr);
}, { timeout: 20_000 });
