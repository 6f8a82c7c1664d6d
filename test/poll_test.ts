// Polling many sockets: Poller and poll() over tcp, ipc and inproc, plain
// file descriptors, the edge-triggered ZMQ_FD, the interplay with a socket's
// own receive(), and misuse.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import * as zmq from "../mod.ts";
import {
  assert,
  assertRejectsOnClose,
  bindAny,
  closeAll,
  deepEqual,
  equal,
  isZmqError,
  ok,
  rejects,
  test,
  text,
  texts,
  throws,
  transports,
  uniqueInprocAddress,
  withTimeout,
} from "./harness.ts";

/** A wait that must end within 5 s (whatever its own timeout says). */
const bounded = <T>(promise: Promise<T>, what: string) => withTimeout(promise, 5_000, what);

/** A macrotask turn: lets everything already signalled run. */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** A connected Push -> Pull pair over `transport`. */
async function pipeline(transport: (typeof transports)[number]) {
  const pull = new zmq.Pull({ linger: 0 });
  const push = new zmq.Push({ linger: 0 });
  push.connect(await bindAny(pull, transport));
  return { push, pull };
}

for (const transport of transports) {
  test(`poll over ${transport}: a pending wait wakes when a message arrives`, async () => {
    const { push, pull } = await pipeline(transport);
    try {
      const poller = new zmq.Poller().add(pull);
      const waiting = poller.wait({ timeout: 10_000 });
      await push.send("hello");
      const ready = await bounded(waiting, "the wait to see the message");
      deepEqual(ready, [{ socket: pull, readable: true, writable: false, error: false }]);
      deepEqual(texts(pull.tryReceive()!), ["hello"], "usable at once with tryReceive()");
    } finally {
      closeAll(push, pull);
    }
  });

  test(`poll over ${transport}: two messages, read one, poll again still readable`, async () => {
    const { push, pull } = await pipeline(transport);
    try {
      await push.send("one");
      await push.send("two");
      const poller = new zmq.Poller().add(pull);
      // ZMQ_FD signals once for both; only ZMQ_EVENTS tells the second is there.
      equal((await bounded(poller.wait(), "the first message")).length, 1);
      deepEqual(texts(pull.tryReceive()!), ["one"]);
      const again = await bounded(poller.wait({ timeout: 10_000 }), "the second message");
      deepEqual(again.map((entry) => entry.readable), [true], "still readable");
      deepEqual(texts(pull.tryReceive()!), ["two"]);
      deepEqual(await poller.wait({ timeout: 0 }), [], "nothing left");
    } finally {
      closeAll(push, pull);
    }
  });
}

test("poll: an already ready socket resolves without waiting (timeout 0)", async () => {
  const { push, pull } = await pipeline("inproc");
  try {
    await push.send("ready");
    await bounded(new zmq.Poller().add(pull).wait(), "the message");
    // timeout 0 never waits: only a look at ZMQ_EVENTS can find it.
    const ready = await zmq.poll([{ socket: pull, readable: true }], { timeout: 0 });
    deepEqual(ready, [{ socket: pull, readable: true, writable: false, error: false }]);
  } finally {
    closeAll(push, pull);
  }
});

test("poll: says which socket is ready, in the order added", async () => {
  const pulls = [new zmq.Pull({ linger: 0 }), new zmq.Pull({ linger: 0 }), new zmq.Pull()];
  const pushes = pulls.map(() => new zmq.Push({ linger: 0 }));
  try {
    for (let i = 0; i < pulls.length; i++) pushes[i].connect(await bindAny(pulls[i], "tcp"));
    const poller = new zmq.Poller<zmq.Pull>();
    for (const pull of pulls) poller.add(pull);
    const waiting = poller.wait();
    await pushes[1].send("to the second");
    const ready = await bounded(waiting, "the second socket");
    deepEqual(ready.map((entry) => pulls.indexOf(entry.socket)), [1]);
    deepEqual(texts(ready[0].socket.tryReceive()!), ["to the second"]);

    await pushes[2].send("to the third");
    await pushes[0].send("to the first");
    // Both are there once each has been seen on its own; then one wait reports both.
    await bounded(new zmq.Poller().add(pulls[0]).wait(), "the first socket");
    await bounded(new zmq.Poller().add(pulls[2]).wait(), "the third socket");
    const both = await poller.wait({ timeout: 0 });
    deepEqual(both.map((entry) => pulls.indexOf(entry.socket)), [0, 2]);
    deepEqual(both.map((entry) => text(entry.socket.tryReceive()![0])), [
      "to the first",
      "to the third",
    ]);
  } finally {
    closeAll(...pulls, ...pushes);
  }
});

test("poll: writable waits for room under the high-water mark", async () => {
  const address = uniqueInprocAddress();
  const pull = new zmq.Pull({ linger: 0, receiveHighWaterMark: 2 });
  await pull.bind(address);
  const push = new zmq.Push({ linger: 0, sendHighWaterMark: 2 });
  push.connect(address);
  try {
    deepEqual(
      await zmq.poll([{ socket: push, writable: true }], { timeout: 5_000 }),
      [{ socket: push, readable: false, writable: true, error: false }],
    );
    let queued = 0;
    while (push.trySend(String(queued))) queued++;
    ok(queued > 0, "some messages fit");
    deepEqual(await zmq.poll([{ socket: push, writable: true }], { timeout: 0 }), [], "full");
    const waiting = new zmq.Poller().add(push, "writable").wait();
    for (let i = 0; i < queued; i++) deepEqual(texts(pull.tryReceive()!), [String(i)]);
    const ready = await bounded(waiting, "room to send");
    deepEqual(ready.map((entry) => entry.writable), [true]);
    ok(push.trySend("fits now"), "trySend works at once");
  } finally {
    closeAll(push, pull);
  }
});

test("poll: a loop over an always-ready socket does not starve timers", async () => {
  const { push, pull } = await pipeline("inproc");
  try {
    const poller = new zmq.Poller().add(push, "writable");
    let fired = false;
    setTimeout(() => fired = true, 1);
    let loops = 0;
    // Each wait finds the Push writable at once; the event loop must still turn.
    while (!fired && loops < 200_000) {
      await poller.wait();
      loops++;
    }
    ok(fired, `the timer never fired during ${loops} waits`);
  } finally {
    closeAll(push, pull);
  }
});

test("poll: a timeout resolves with nothing; timeout 0 only looks", async () => {
  const { push, pull } = await pipeline("tcp");
  try {
    const poller = new zmq.Poller().add(pull, "readable");
    deepEqual(await poller.wait({ timeout: 30 }), []);
    deepEqual(await poller.wait({ timeout: 0 }), []);
    deepEqual(await zmq.poll([{ socket: pull, readable: true }], { timeout: 20 }), []);
    // The socket is not left in a bad state: the next message still arrives.
    await push.send("after");
    deepEqual(texts(await pull.receive({ timeout: 5_000 })), ["after"]);
  } finally {
    closeAll(push, pull);
  }
});

test("poll: an AbortSignal ends a pending wait with its reason", async () => {
  const { push, pull } = await pipeline("inproc");
  try {
    const poller = new zmq.Poller().add(pull);
    const controller = new AbortController();
    const waiting = poller.wait({ signal: controller.signal });
    const reason = new Error("stop polling");
    controller.abort(reason);
    await rejects(bounded(waiting, "the aborted wait"), (error) => error === reason);
    // Already aborted: rejects at once, even with a message waiting.
    await push.send("x");
    await rejects(poller.wait({ signal: controller.signal }), (error) => error === reason);
    // The aborted waits left nothing behind: a new wait sees the message.
    equal((await bounded(poller.wait(), "the message")).length, 1);
  } finally {
    closeAll(push, pull);
  }
});

test("poll: a socket's own pending receive() gets messages first", async () => {
  const { push, pull } = await pipeline("tcp");
  try {
    const receiving = pull.receive({ timeout: 10_000 });
    let settled = false;
    const waiting = new zmq.Poller().add(pull).wait({ timeout: 10_000 });
    waiting.then(() => settled = true, () => settled = true);
    await push.send("first");
    deepEqual(texts(await bounded(receiving, "the receive")), ["first"]);
    await turn();
    equal(settled, false, "the poller reports nothing while receive() took the message");
    await push.send("second");
    const ready = await bounded(waiting, "the second message");
    deepEqual(ready.map((entry) => entry.readable), [true]);
    deepEqual(texts(pull.tryReceive()!), ["second"], "what the poller reports is left over");
  } finally {
    closeAll(push, pull);
  }
});

test("poll: looking at a socket with a receive() pending neither steals nor strands", async () => {
  const { push, pull } = await pipeline("inproc");
  try {
    const receiving = pull.receive();
    // inproc: the message is in the Pull's queue as soon as send() returns,
    // before the poller thread can tell the pending receive.
    ok(push.trySend("for the receive"));
    deepEqual(await zmq.poll([{ socket: pull, readable: true }], { timeout: 0 }), []);
    // Looking drained the Pull's ZMQ_FD: the receive must still be served.
    deepEqual(texts(await bounded(receiving, "the pending receive")), ["for the receive"]);
    equal(pull.tryReceive(), null);
  } finally {
    closeAll(push, pull);
  }
});

test("poll: reading a socket's state elsewhere does not strand a pending wait", async () => {
  const { push, pull } = await pipeline("inproc");
  try {
    for (const look of [() => pull.readable, () => zmq.poll([{ socket: pull, readable: true }])]) {
      const waiting = new zmq.Poller().add(pull).wait();
      ok(push.trySend("x"));
      await look(); // reads ZMQ_EVENTS, draining the ZMQ_FD edge the wait relies on
      deepEqual((await bounded(waiting, "the wait")).map((e) => e.readable), [true]);
      deepEqual(texts(pull.tryReceive()!), ["x"]);
    }
  } finally {
    closeAll(push, pull);
  }
});

test("poll: two Pollers waiting on one socket are both woken", async () => {
  const { push, pull } = await pipeline("ipc");
  try {
    const a = new zmq.Poller().add(pull).wait();
    const b = new zmq.Poller().add(pull, "readable").wait();
    await push.send("for both");
    const [readyA, readyB] = await bounded(Promise.all([a, b]), "both waits");
    deepEqual(readyA.map((entry) => entry.readable), [true]);
    deepEqual(readyB.map((entry) => entry.readable), [true]);
  } finally {
    closeAll(push, pull);
  }
});

test("poll: adding and removing while a wait is pending changes that wait", async () => {
  const first = await pipeline("inproc");
  const second = await pipeline("inproc");
  const third = await pipeline("inproc");
  try {
    const poller = new zmq.Poller().add(first.pull).add(third.pull);
    const waiting = poller.wait();
    poller.remove(third.pull);
    await third.push.send("not watched any more");
    poller.add(second.pull);
    await second.push.send("to the second");
    const ready = await bounded(waiting, "the added socket");
    deepEqual(ready.map((entry) => entry.socket), [second.pull]);
    equal(poller.size, 2);
    ok(poller.has(second.pull) && !poller.has(third.pull));
  } finally {
    for (const pair of [first, second, third]) closeAll(pair.push, pair.pull);
  }
});

test("poll: sockets of different contexts share one Poller", async () => {
  const other = new zmq.Context();
  const local = await pipeline("tcp");
  const pull = new zmq.Pull({ context: other, linger: 0 });
  const push = new zmq.Push({ context: other, linger: 0 });
  try {
    push.connect(await bindAny(pull, "inproc"));
    const poller = new zmq.Poller().add(local.pull).add(pull);
    const waiting = poller.wait();
    await push.send("from the other context");
    deepEqual((await bounded(waiting, "the other context")).map((e) => e.socket), [pull]);
    // Terminating that context closes its sockets: a pending wait rejects.
    pull.tryReceive();
    const pending = poller.wait();
    await other.terminate();
    await rejects(bounded(pending, "the wait after terminate"), isZmqError("ENOTSOCK"));
  } finally {
    closeAll(local.push, local.pull, push, pull);
    await other.terminate();
  }
});

test("poll: a broker loop moves requests and replies between two sockets", async () => {
  const frontend = new zmq.Router({ linger: 0 });
  const backend = new zmq.Dealer({ linger: 0 });
  const worker = new zmq.Reply({ linger: 0 });
  const clients = [1, 2, 3].map(() => new zmq.Request({ linger: 0 }));
  let stop = false;
  try {
    const front = await bindAny(frontend, "tcp");
    worker.connect(await bindAny(backend, "ipc"));
    for (const client of clients) client.connect(front);
    const serving = (async () => {
      for await (const [request] of worker) await worker.send(`re: ${text(request)}`);
    })();
    const poller = new zmq.Poller<zmq.Router | zmq.Dealer>().add(frontend).add(backend);
    let moved = 0;
    const broker = (async () => {
      while (!stop) {
        for (const { socket } of await poller.wait({ timeout: 100 })) {
          const message = socket.tryReceive();
          if (message === null) continue;
          await (socket === frontend ? backend : frontend).send(message);
          moved++;
        }
      }
    })();
    const rounds = 50;
    await bounded(
      Promise.all(clients.map(async (client, c) => {
        for (let r = 0; r < rounds; r++) {
          await client.send(`${c}/${r}`);
          deepEqual(texts(await client.receive()), [`re: ${c}/${r}`]);
        }
      })),
      "150 requests through the broker",
    );
    equal(moved, 2 * rounds * clients.length, "every request and reply went through the loop");
    stop = true;
    await bounded(broker, "the broker loop to end");
    worker.close();
    await serving;
  } finally {
    stop = true;
    closeAll(frontend, backend, worker, ...clients);
  }
}, { timeout: 20_000 });

// ---- plain file descriptors (node:fs gives OS fds in Deno and Bun) ----

const canWatchFds = process.platform !== "win32";

/** A named pipe opened without blocking at both ends. */
function fifo() {
  const path = join(tmpdir(), `zmq-poll-${process.pid}-${Math.random().toString(36).slice(2)}`);
  execFileSync("mkfifo", [path]);
  const reader = fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  const writer = fs.openSync(path, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
  fs.unlinkSync(path);
  return {
    reader,
    writer,
    close() {
      for (const fd of [this.reader, this.writer]) {
        try {
          fs.closeSync(fd);
        } catch { /* closed by the test */ }
      }
    },
  };
}

/** Reads `fd` until it would block. */
function drain(fd: number, buffer: Uint8Array): void {
  try {
    while (fs.readSync(fd, buffer) > 0) { /* keep reading */ }
  } catch (error) {
    if ((error as { code?: string }).code !== "EAGAIN") throw error;
  }
}

test("poll: watches a plain file descriptor next to a socket", async () => {
  const pipe = fifo();
  const { push, pull } = await pipeline("inproc");
  try {
    const poller = new zmq.Poller().add(pull).add(pipe.reader);
    const waiting = poller.wait();
    fs.writeSync(pipe.writer, "ping");
    deepEqual(await bounded(waiting, "the fd"), [
      { socket: pipe.reader, readable: true, writable: false, error: false },
    ]);
    const buffer = new Uint8Array(16);
    equal(text(buffer.subarray(0, fs.readSync(pipe.reader, buffer))), "ping");
    await push.send("and a message");
    deepEqual((await bounded(poller.wait(), "the socket")).map((e) => e.socket), [pull]);
  } finally {
    closeAll(push, pull);
    pipe.close();
  }
}, { ignore: !canWatchFds });

test("poll: a plain fd's writable, full and hang-up states", async () => {
  const pipe = fifo();
  try {
    const writable = await zmq.poll([{ socket: pipe.writer, writable: true }], { timeout: 5_000 });
    deepEqual(writable.map((entry) => entry.writable), [true]);
    const chunk = new Uint8Array(4096);
    try {
      for (;;) fs.writeSync(pipe.writer, chunk);
    } catch (error) {
      equal((error as { code?: string }).code, "EAGAIN", "filled up");
    }
    deepEqual(await zmq.poll([{ socket: pipe.writer, writable: true }], { timeout: 0 }), []);
    const waiting = zmq.poll([{ socket: pipe.writer, writable: true }]);
    const buffer = new Uint8Array(65536);
    drain(pipe.reader, buffer);
    deepEqual((await bounded(waiting, "room in the pipe")).map((e) => e.writable), [true]);
    // The writer closes: the reader sees end of file, flagged as an error (POLLHUP).
    const hangUp = zmq.poll([{ socket: pipe.reader, readable: true }]);
    fs.closeSync(pipe.writer);
    deepEqual(await bounded(hangUp, "the hang-up"), [
      { socket: pipe.reader, readable: true, writable: false, error: true },
    ]);
  } finally {
    pipe.close();
  }
}, { ignore: !canWatchFds });

test("poll misuse: an fd that is not open is EBADF", async () => {
  await rejects(
    zmq.poll([{ socket: 999_999, readable: true }], { timeout: 0 }),
    isZmqError("EBADF"),
  );
}, { ignore: !canWatchFds });

// ---- misuse ----

test("poll misuse: adding what is not a socket or an fd is a TypeError", () => {
  const poller = new zmq.Poller();
  for (const bad of [{}, "tcp://127.0.0.1:5555", -1, 1.5, NaN, 2 ** 31, null, undefined]) {
    throws(() => poller.add(bad as unknown as number), TypeError, `add(${String(bad)})`);
  }
  const pull = new zmq.Pull();
  try {
    throws(() => poller.add(pull, "sometimes" as "readable"), TypeError);
    throws(() => poller.add(pull, "writable"), /cannot send/);
    const publisher = new zmq.Publisher();
    throws(() => poller.add(publisher, "readable"), /cannot receive/);
    publisher.close();
    equal(poller.size, 0, "nothing was added");
  } finally {
    pull.close();
  }
});

test("poll misuse: closed sockets, before and during a wait", async () => {
  const closed = new zmq.Pull();
  closed.close();
  throws(() => new zmq.Poller().add(closed), isZmqError("ENOTSOCK"));

  const pull = new zmq.Pull();
  const poller = new zmq.Poller().add(pull);
  pull.close();
  await rejects(poller.wait({ timeout: 0 }), isZmqError("ENOTSOCK"));
  poller.remove(pull);
  deepEqual(await poller.wait({ timeout: 0 }), [], "fine once removed");

  const other = new zmq.Pull();
  const waiting = new zmq.Poller().add(other).wait();
  await assertRejectsOnClose(other, waiting, "the wait on a closing socket", zmq.ZmqError);
  await rejects(waiting, /closed while a Poller waited/);
});

test("poll misuse: bad timeouts and signals, checked like receive()'s", async () => {
  const pull = new zmq.Pull();
  try {
    const poller = new zmq.Poller().add(pull);
    await rejects(poller.wait({ timeout: -1 }), RangeError);
    await rejects(poller.wait({ timeout: NaN }), TypeError);
    await rejects(poller.wait({ timeout: "10" as unknown as number }), TypeError);
    await rejects(poller.wait(null as unknown as undefined), TypeError);
    await rejects(poller.wait({ signal: {} as AbortSignal }), TypeError);
    await rejects(pull.receive({ timeout: -1 }), RangeError, "the same as receive()");
    await rejects(zmq.poll([{ socket: pull, readable: true }], { timeout: -5 }), RangeError);
  } finally {
    pull.close();
  }
});

test("poll misuse: an empty poll needs a timeout", async () => {
  await rejects(new zmq.Poller().wait(), isZmqError("EINVAL"));
  await rejects(zmq.poll([]), isZmqError("EINVAL"));
  deepEqual(await new zmq.Poller().wait({ timeout: 20 }), []);
  deepEqual(await zmq.poll([], { timeout: 0 }), []);
});

test("poll misuse: poll() items must be objects that ask for something", async () => {
  const pull = new zmq.Pull();
  try {
    await rejects(zmq.poll(pull as unknown as []), TypeError);
    await rejects(zmq.poll([null as unknown as zmq.PollItem]), TypeError);
    await rejects(zmq.poll([{ socket: pull }]), /neither readable nor writable/);
    await rejects(zmq.poll([{ socket: {} as zmq.Pull, readable: true }]), TypeError);
  } finally {
    pull.close();
  }
});

test("poll misuse: a socket in a pending wait cannot be lent to a Proxy", async () => {
  const frontend = new zmq.Pull({ linger: 0 });
  const backend = new zmq.Push({ linger: 0 });
  try {
    const controller = new AbortController();
    const waiting = new zmq.Poller().add(frontend).wait({ signal: controller.signal });
    await rejects(new zmq.Proxy(frontend, backend).run(), isZmqError("EBUSY"));
    controller.abort();
    await rejects(waiting);
    // Once the wait ended the socket can go to a proxy, and a running proxy's
    // sockets cannot be polled.
    const proxy = new zmq.Proxy(frontend, backend);
    const running = proxy.run();
    throws(() => new zmq.Poller().add(frontend), isZmqError("EBUSY"));
    await proxy.terminate();
    await running;
  } finally {
    closeAll(frontend, backend);
  }
});

test("poll: the module exports", () => {
  assert(typeof zmq.Poller === "function" && typeof zmq.poll === "function");
});
