import * as zmq from "../mod.ts";
import {
  assertRejectsOnClose,
  bindAny,
  closeAll,
  deepEqual,
  equal,
  expectNext,
  isZmqError,
  ok,
  pollerCycle,
  rejects,
  test,
  text,
  texts,
  transports,
  waitUntil,
  withTimeout,
} from "./harness.ts";

test("tryReceive returns null when nothing is there, then the message", async () => {
  const pull = new zmq.Pull({ linger: 0 });
  const push = new zmq.Push({ linger: 0 });
  try {
    push.connect(await bindAny(pull, "inproc"));
    equal(pull.tryReceive(), null);
    await push.send(["one", "two"]);
    await waitUntil(() => pull.readable, 5_000, "the message to be readable");
    const got = pull.tryReceive();
    ok(got, "tryReceive returned null with a message readable");
    deepEqual(texts(got), ["one", "two"]);
    equal(pull.tryReceive(), null);
  } finally {
    closeAll(push, pull);
  }
});

test("trySend returns false when a Push has no peer", () => {
  const push = new zmq.Push({ linger: 0 });
  try {
    equal(push.trySend("nobody listens"), false);
    equal(push.trySend(["nor", "to this"]), false);
  } finally {
    closeAll(push);
  }
});

test("trySend returns false at the high-water mark, and nothing is lost", async () => {
  const pull = new zmq.Pull({ linger: 0, receiveHighWaterMark: 5 });
  const push = new zmq.Push({ linger: 0, sendHighWaterMark: 5 });
  try {
    push.connect(await bindAny(pull, "tcp"));
    // Wait until the connection carries messages.
    await push.send("first");
    deepEqual(texts(await withTimeout(pull.receive(), 5_000, "first")), [
      "first",
    ]);
    let accepted = 0;
    let refused = false;
    for (let i = 0; i < 100_000; i++) {
      const result = push.trySend(`m${i}`);
      equal(typeof result, "boolean");
      if (!result) {
        refused = true;
        break;
      }
      accepted++;
    }
    ok(refused, "trySend never returned false with nobody reading");
    // libzmq returns pipe credit in batches, so fewer than the two HWMs'
    // sum may fit; what matters is that some did and none is lost.
    ok(accepted >= 1, "no message fit under the HWM");
    // Every accepted message arrives, in order, and nothing else.
    for (let i = 0; i < accepted; i++) {
      const [frame] = await withTimeout(pull.receive(), 5_000, `m${i}`);
      equal(text(frame), `m${i}`);
    }
    // The refused message must never follow: a marker sent now comes next.
    await push.send("marker");
    await expectNext(pull, ["marker"], "the marker after the accepted messages");
  } finally {
    closeAll(push, pull);
  }
});

test("await send waits for room at the high-water mark, then completes", async () => {
  const pull = new zmq.Pull({ linger: 0, receiveHighWaterMark: 2 });
  const push = new zmq.Push({ linger: 0, sendHighWaterMark: 2 });
  try {
    push.connect(await bindAny(pull, "inproc"));
    let accepted = 0;
    while (push.trySend(`m${accepted}`)) accepted++;
    let sent = false;
    const pending = push.send(`m${accepted}`).then(() => {
      sent = true;
    });
    // The send now waits in the poller thread; a poll over it comes and goes.
    await pollerCycle();
    equal(sent, false, "send resolved although the queue was full");
    // Reading makes room; the pending send then goes through.
    const got: string[] = [];
    for (let i = 0; i <= accepted; i++) {
      got.push(text((await withTimeout(pull.receive(), 5_000, "msg"))[0]));
    }
    await withTimeout(pending, 5_000, "the pending send");
    equal(sent, true);
    deepEqual(got, Array.from({ length: accepted + 1 }, (_, i) => `m${i}`));
  } finally {
    closeAll(push, pull);
  }
});

test("await send on a Push with no peer waits until one connects", async () => {
  const push = new zmq.Push({ linger: 0 });
  const pull = new zmq.Pull({ linger: 0 });
  try {
    const endpoint = await bindAny(push, "tcp");
    let sent = false;
    const pending = push.send("waited").then(() => {
      sent = true;
    });
    // The send now waits in the poller thread; a poll over it comes and goes.
    await pollerCycle();
    equal(sent, false, "send resolved with no peer at all");
    pull.connect(endpoint);
    await withTimeout(pending, 5_000, "the pending send");
    deepEqual(texts(await withTimeout(pull.receive(), 5_000, "msg")), [
      "waited",
    ]);
  } finally {
    closeAll(push, pull);
  }
});

test("receive({ timeout }) rejects with EAGAIN when nothing arrives", async () => {
  const pull = new zmq.Pull({ linger: 0 });
  try {
    await bindAny(pull, "inproc");
    const started = Date.now();
    await rejects(pull.receive({ timeout: 50 }), isZmqError("EAGAIN"));
    const elapsed = Date.now() - started;
    ok(elapsed >= 40, `rejected too early, after ${elapsed} ms`);
    ok(elapsed < 2_000, `rejected too late, after ${elapsed} ms`);
  } finally {
    closeAll(pull);
  }
});

test("receive({ timeout }) resolves when a message arrives in time", async () => {
  const pull = new zmq.Pull({ linger: 0 });
  const push = new zmq.Push({ linger: 0 });
  try {
    push.connect(await bindAny(pull, "tcp"));
    const pending = pull.receive({ timeout: 3_000 });
    await pollerCycle(); // the message comes while the receive waits in the poller thread
    await push.send("in time");
    deepEqual(texts(await pending), ["in time"]);
  } finally {
    closeAll(push, pull);
  }
});

test("receive({ signal }) rejects when aborted and loses no message", async () => {
  const pull = new zmq.Pull({ linger: 0 });
  const push = new zmq.Push({ linger: 0 });
  try {
    push.connect(await bindAny(pull, "inproc"));
    const controller = new AbortController();
    const pending = pull.receive({ signal: controller.signal });
    let settled = false;
    pending.then(
      () => settled = true,
      () => settled = true,
    );
    await pollerCycle(); // abort while the receive waits in the poller thread
    equal(settled, false);
    controller.abort();
    await rejects(withTimeout(pending, 2_000, "the aborted receive"));
    // The message sent after the abort goes to the next receive.
    await push.send("after abort");
    deepEqual(texts(await withTimeout(pull.receive(), 5_000, "msg")), [
      "after abort",
    ]);
  } finally {
    closeAll(push, pull);
  }
});

test("receive({ signal }) with an already aborted signal rejects at once", async () => {
  const pull = new zmq.Pull({ linger: 0 });
  try {
    await bindAny(pull, "inproc");
    const controller = new AbortController();
    controller.abort();
    await rejects(
      withTimeout(pull.receive({ signal: controller.signal }), 2_000, "recv"),
    );
  } finally {
    closeAll(pull);
  }
});

for (const transport of transports) {
  test(`concurrent receives on one socket resolve in order (${transport})`, async () => {
    const pull = new zmq.Pull({ linger: 0 });
    const push = new zmq.Push({ linger: 0 });
    try {
      push.connect(await bindAny(pull, transport));
      const pending = [0, 1, 2, 3, 4].map(() => pull.receive());
      await pollerCycle(); // all five wait in the poller thread before any message comes
      for (let i = 0; i < 5; i++) await push.send(`m${i}`);
      const got = await withTimeout(Promise.all(pending), 5_000, "receives");
      deepEqual(got.map(texts), [["m0"], ["m1"], ["m2"], ["m3"], ["m4"]]);
    } finally {
      closeAll(push, pull);
    }
  });

  test(`concurrent sends stay in order (${transport})`, async () => {
    const pull = new zmq.Pull({ linger: 0 });
    const push = new zmq.Push({ linger: 0, sendHighWaterMark: 10 });
    try {
      push.connect(await bindAny(pull, transport));
      // More sends than the high-water mark, so some of them must wait.
      const sends = Array.from(
        { length: 200 },
        (_, i) => push.send([`m${i}`, String(i)]),
      );
      const got: string[][] = [];
      for (let i = 0; i < 200; i++) {
        got.push(texts(await withTimeout(pull.receive(), 5_000, `m${i}`)));
      }
      await withTimeout(Promise.all(sends), 5_000, "sends");
      deepEqual(got, Array.from({ length: 200 }, (_, i) => [`m${i}`, `${i}`]));
    } finally {
      closeAll(push, pull);
    }
  });
}

test("for await yields messages and ends when the socket is closed", async () => {
  const pull = new zmq.Pull({ linger: 0 });
  const push = new zmq.Push({ linger: 0 });
  try {
    push.connect(await bindAny(pull, "tcp"));
    const got: string[][] = [];
    const loop = (async () => {
      for await (const frames of pull) got.push(texts(frames));
    })();
    for (let i = 0; i < 3; i++) await push.send([`m${i}`, "x"]);
    await waitUntil(() => got.length >= 3, 5_000, "three messages through for await");
    deepEqual(got, [["m0", "x"], ["m1", "x"], ["m2", "x"]]);
    pull.close();
    await withTimeout(loop, 2_000, "the for-await loop to end after close");
    equal(pull.closed, true);
  } finally {
    closeAll(push, pull);
  }
});

test("for await with break leaves the socket usable", async () => {
  const pull = new zmq.Pull({ linger: 0 });
  const push = new zmq.Push({ linger: 0 });
  try {
    push.connect(await bindAny(pull, "inproc"));
    for (let i = 0; i < 3; i++) await push.send(`m${i}`);
    const got: string[] = [];
    for await (const [frame] of pull) {
      got.push(text(frame));
      if (got.length === 2) break;
    }
    deepEqual(got, ["m0", "m1"]);
    equal(pull.closed, false);
    deepEqual(texts(await withTimeout(pull.receive(), 5_000, "m2")), ["m2"]);
  } finally {
    closeAll(push, pull);
  }
});

test("a pending receive settles with a ZmqError when the socket closes", async () => {
  const pull = new zmq.Pull({ linger: 0 });
  try {
    await bindAny(pull, "inproc");
    await assertRejectsOnClose(pull, pull.receive(), "the pending receive", zmq.ZmqError);
  } finally {
    closeAll(pull);
  }
});

test("a busy socket does not starve timers", async () => {
  const pull = new zmq.Pull({ linger: 0 });
  const push = new zmq.Push({ linger: 0, sendHighWaterMark: 0 });
  try {
    push.connect(await bindAny(pull, "inproc"));
    let ticks = 0;
    const interval = setInterval(() => ticks++, 1);
    const count = 20_000;
    const sending = (async () => {
      for (let i = 0; i < count; i++) await push.send("x");
    })();
    let received = 0;
    while (received < count) {
      await pull.receive();
      received++;
    }
    await sending;
    clearInterval(interval);
    equal(received, count);
    ok(ticks > 0, "a 1 ms interval never ran while 20000 messages flowed");
  } finally {
    closeAll(push, pull);
  }
});

test("send({ timeout }) rejects with EAGAIN and the message is never sent", async () => {
  const push = new zmq.Push({ linger: 0 });
  const pull = new zmq.Pull({ linger: 0 });
  try {
    const endpoint = await bindAny(push, "tcp");
    await rejects(push.send("expired", { timeout: 50 }), isZmqError("EAGAIN"));
    pull.connect(endpoint);
    await withTimeout(push.send("fresh"), 5_000, "send to a connected peer");
    deepEqual(texts(await withTimeout(pull.receive(), 5_000, "msg")), [
      "fresh",
    ]);
    // Were the expired message still on its way, it would come before a marker sent now.
    await push.send("marker");
    await expectNext(pull, ["marker"], "the marker, not the expired message");
  } finally {
    closeAll(push, pull);
  }
});

test("readable and writable report the socket's state", async () => {
  const pull = new zmq.Pull({ linger: 0 });
  const push = new zmq.Push({ linger: 0 });
  try {
    const endpoint = await bindAny(pull, "inproc");
    equal(push.writable, false, "a Push without peers cannot send");
    equal(pull.readable, false);
    push.connect(endpoint);
    equal(push.writable, true, "a connected Push can send");
    await push.send("x");
    await waitUntil(() => pull.readable, 5_000, "the Pull to become readable");
    deepEqual(texts(pull.tryReceive() ?? []), ["x"]);
    equal(pull.readable, false);
  } finally {
    closeAll(push, pull);
  }
});

for (const transport of transports) {
  test(`other calls on a socket with a pending receive never strand it (${transport})`, async () => {
    const pull = new zmq.Pull({ linger: 0 });
    const push = new zmq.Push({ linger: 0 });
    try {
      push.connect(await bindAny(pull, transport));
      for (let round = 0; round < 20; round++) {
        const pending = pull.receive();
        // Each of these lets libzmq process commands, which can consume the
        // fd's edge that announced the message: the receive must still end.
        await waitUntil(() => push.trySend(String(round)), 5_000, `trySend of ${round} to succeed`);
        void pull.readable; // reads ZMQ_EVENTS
        void pull.receiveHighWaterMark;
        pull.linger = 0;
        pull.connect(`inproc://nobody-${round}`);
        deepEqual(texts(await withTimeout(pending, 5_000, `message ${round}`)), [String(round)]);
      }
    } finally {
      closeAll(push, pull);
    }
  });
}
