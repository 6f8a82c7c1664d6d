// ZMQ_RCVTIMEO and ZMQ_SNDTIMEO do what libzmq's zmq_setsockopt(3) says:
// the bound of a receive or send (-1 forever, 0 "return immediately with
// EAGAIN", N ms then EAGAIN); a call's own { timeout } overrides them.
import * as zmq from "../mod.ts";
import { fileURLToPath } from "node:url";
import {
  bindAny,
  closeAll,
  deepEqual,
  describeExit,
  equal,
  isZmqError,
  noPeerEndpoint,
  ok,
  rejects,
  runScript,
  test,
  texts,
  transports,
  withTimeout,
} from "./harness.ts";

/** Settles `promise` and says how: resolved, or which error. */
async function outcome(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "resolved";
  } catch (error) {
    return error instanceof zmq.ZmqError ? error.code : String(error);
  }
}

/** True if `promise` has already settled after one more turn of the microtask queue. */
async function settledNow(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(() => settled = true, () => settled = true);
  await Promise.resolve();
  await Promise.resolve();
  return settled;
}

test("receiveTimeout bounds receive(): EAGAIN after the time, not before", async () => {
  const pull = new zmq.Pull({ receiveTimeout: 150, linger: 0 });
  try {
    await pull.bind("tcp://127.0.0.1:*");
    const started = performance.now();
    await withTimeout(rejects(pull.receive(), isZmqError("EAGAIN")), 5000, "the receive to fail");
    ok(performance.now() - started >= 140, "receive gave up before receiveTimeout");
  } finally {
    closeAll(pull);
  }
});

test("receiveTimeout 0 fails at once when nothing is waiting, and takes a waiting message", async () => {
  const pull = new zmq.Pull({ linger: 0 });
  const push = new zmq.Push({ linger: 0 });
  try {
    pull.receiveTimeout = 0;
    equal(pull.receiveTimeout, 0);
    const first = pull.receive();
    ok(await settledNow(first), "a receive with receiveTimeout 0 is still pending");
    await rejects(first, isZmqError("EAGAIN"));
    push.connect(await bindAny(pull, "inproc"));
    await push.send("here");
    deepEqual(texts(await pull.receive()), ["here"]);
  } finally {
    closeAll(pull, push);
  }
});

test("a call's own timeout overrides receiveTimeout, both ways", async () => {
  const pull = new zmq.Pull({ receiveTimeout: 0, linger: 0 });
  const push = new zmq.Push({ linger: 0 });
  try {
    push.connect(await bindAny(pull, "tcp"));
    // Longer than the option: waits for the message that comes later.
    const later = pull.receive({ timeout: 10_000 });
    setTimeout(() => void push.send("late"), 100);
    deepEqual(texts(await withTimeout(later, 5000, "the late message")), ["late"]);
    // Shorter than the option's -1: gives up.
    pull.receiveTimeout = -1;
    await withTimeout(rejects(pull.receive({ timeout: 50 }), isZmqError("EAGAIN")), 5000, "EAGAIN");
    // Infinity waits without a limit, as leaving the option at -1 does.
    const forever = pull.receive({ timeout: Infinity });
    await push.send("eventually");
    deepEqual(texts(await withTimeout(forever, 5000, "the message")), ["eventually"]);
  } finally {
    closeAll(pull, push);
  }
});

test("receiveTimeout ends a for-await loop with EAGAIN (libzmq's recv fails the same way)", async () => {
  const pull = new zmq.Pull({ receiveTimeout: 100, linger: 0 });
  const push = new zmq.Push({ linger: 0 });
  try {
    push.connect(await bindAny(pull, "inproc"));
    await push.send("one");
    const seen: string[] = [];
    const loop = (async () => {
      for await (const frames of pull) seen.push(...texts(frames));
    })();
    await withTimeout(rejects(loop, isZmqError("EAGAIN")), 5000, "the loop to end");
    deepEqual(seen, ["one"]);
  } finally {
    closeAll(pull, push);
  }
});

test("sendTimeout 0 with immediate and no peer: EAGAIN at once, as zeromq.js users rely on", async () => {
  const push = new zmq.Push({ sendTimeout: 0, immediate: true, linger: 0 });
  try {
    push.connect(noPeerEndpoint());
    const sent = push.send("dropped");
    ok(await settledNow(sent), "send with sendTimeout 0 is still pending");
    await rejects(sent, isZmqError("EAGAIN"));
  } finally {
    closeAll(push);
  }
});

for (const transport of transports) {
  test(`sendTimeout bounds a send blocked by the high-water mark over ${transport}`, async () => {
    const pull = new zmq.Pull({ receiveHighWaterMark: 1, linger: 0 });
    const push = new zmq.Push({ sendHighWaterMark: 1, sendTimeout: 100, linger: 0 });
    try {
      push.connect(await bindAny(pull, transport));
      // Fill every queue between the two, kernel buffers included (nobody
      // receives), until a send has to wait.
      const payload = new Uint8Array(4096);
      let result = "resolved";
      for (let i = 0; i < 50_000 && result === "resolved"; i++) {
        result = await withTimeout(outcome(push.send(payload)), 5000, `send ${i} to settle`);
      }
      equal(result, "EAGAIN");
      // Once the receiver drains the queues, sending works again.
      push.sendTimeout = -1;
      const after = push.send("after");
      let drained = 0;
      let last = "";
      while (last !== "after") {
        last = texts(await withTimeout(pull.receive(), 5000, `message ${drained}`))[0];
        drained++;
      }
      await withTimeout(after, 5000, "the send after draining");
      ok(drained > 1, `only ${drained} message was queued`);
    } finally {
      closeAll(pull, push);
    }
  });
}

test("a zero-timeout send queued behind a waiting send fails at once, keeping the order", async () => {
  const push = new zmq.Push({ linger: 0, immediate: true });
  try {
    push.connect(noPeerEndpoint());
    const first = push.send("first", { timeout: 5000 });
    const second = push.send("second", { timeout: 0 });
    await rejects(second, isZmqError("EAGAIN"));
    equal(await settledNow(first), false, "the first send gave up too early");
    push.close();
    await rejects(first, isZmqError("ENOTSOCK"));
  } finally {
    closeAll(push);
  }
});

test("timeouts: out-of-range options are refused before anything waits", async () => {
  const pull = new zmq.Pull({ linger: 0 });
  try {
    await rejects(pull.receive({ timeout: -1 }), RangeError);
    await rejects(pull.receive({ timeout: Number.NaN }), TypeError);
    await rejects(pull.receive({ timeout: 2 ** 31 }), RangeError);
  } finally {
    closeAll(pull);
  }
});

// Once replies from another process come within a brief wait, receives wait
// for them inside libzmq with nothing armed: the socket's bounds must hold.
test("a receive timeout holds after round trips served by brief waits, peer in another process", async () => {
  const script = fileURLToPath(new URL("./fixtures/brief_wait_client.ts", import.meta.url));
  const pair = new zmq.Pair({ linger: 0 });
  try {
    await pair.bind("tcp://127.0.0.1:*");
    const echoing = (async () => {
      for await (const message of pair) {
        const request = texts(message)[0];
        // Not a synchronization: the scenario, a reply later than a brief wait (1 ms).
        if (request === "slow") await new Promise((resolve) => setTimeout(resolve, 3));
        if (request === "double") await pair.send("first");
        await pair.send(message);
      }
    })();
    const exit = await runScript(script, { args: [pair.lastEndpoint!], timeout: 30_000 });
    equal(exit.code, 0, describeExit(exit));
    const lines = exit.stdout.trim().split("\n");
    equal(lines.length, 5, describeExit(exit));
    equal(lines[0], "round trips 300");
    const waited = (line: string, prefix: string) => {
      const found = line.match(new RegExp(`^${prefix}: EAGAIN after (\\d+) ms$`));
      ok(found !== null, `${prefix}: ${line}`);
      return Number(found![1]);
    };
    const first = waited(lines[1], "receiveTimeout 100");
    ok(first >= 95 && first < 5000, `receiveTimeout 100 gave up after ${first} ms`);
    const second = waited(lines[2], "timeout 50");
    ok(second >= 45 && second < 5000, `{ timeout: 50 } gave up after ${second} ms`);
    equal(lines[3], "round trips 50");
    equal(lines[4], "queued reply: taken");
    pair.close();
    await echoing;
  } finally {
    closeAll(pair);
  }
});
