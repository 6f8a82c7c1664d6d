import * as zmq from "../mod.ts";
import {
  assert,
  bindAny,
  closeAll,
  deepEqual,
  equal,
  expectNext,
  test,
  text,
  texts,
  transports,
  withTimeout,
} from "./harness.ts";

for (const transport of transports) {
  test(`push/pull over ${transport}: messages arrive whole and in order`, async () => {
    const pull = new zmq.Pull({ linger: 0 });
    const push = new zmq.Push({ linger: 0 });
    try {
      const endpoint = await bindAny(pull, transport);
      push.connect(endpoint);
      const sent: string[][] = [];
      for (let i = 0; i < 100; i++) {
        const message = i % 3 === 0 ? [`m${i}`, "part 2", "part 3"] : [`m${i}`];
        sent.push(message);
        await push.send(message);
      }
      const got: string[][] = [];
      for (let i = 0; i < sent.length; i++) {
        got.push(texts(await withTimeout(pull.receive(), 5_000, `m${i}`)));
      }
      deepEqual(got, sent);
    } finally {
      closeAll(push, pull);
    }
  });

  test(`push/pull over ${transport}: one Push load-balances over two Pulls`, async () => {
    const pulls = [new zmq.Pull({ linger: 0 }), new zmq.Pull({ linger: 0 })];
    const push = new zmq.Push({ linger: 0 });
    try {
      // Connecting creates both pipes at once, so the round robin is exact
      // even before the connections complete.
      for (const pull of pulls) push.connect(await bindAny(pull, transport));
      for (let i = 0; i < 10; i++) await push.send(`job ${i}`);
      const got: string[][] = [[], []];
      for (let p = 0; p < 2; p++) {
        for (let i = 0; i < 5; i++) {
          const [frame] = await withTimeout(pulls[p].receive(), 5_000, "job");
          got[p].push(text(frame));
        }
      }
      // Each Pull got every other job, and nothing more.
      const evens = ["job 0", "job 2", "job 4", "job 6", "job 8"];
      const odds = ["job 1", "job 3", "job 5", "job 7", "job 9"];
      assert(
        (JSON.stringify(got[0]) === JSON.stringify(evens) &&
          JSON.stringify(got[1]) === JSON.stringify(odds)) ||
          (JSON.stringify(got[0]) === JSON.stringify(odds) &&
            JSON.stringify(got[1]) === JSON.stringify(evens)),
        `jobs were not balanced round robin: ${JSON.stringify(got)}`,
      );
      // The round robin goes on: one marker to each, and nothing came before it.
      for (let i = 0; i < 2; i++) await push.send("marker");
      for (const pull of pulls) await expectNext(pull, ["marker"], "the marker after five jobs");
    } finally {
      closeAll(push, ...pulls);
    }
  });

  test(`push/pull over ${transport}: one Pull fair-queues two Pushes`, async () => {
    const pull = new zmq.Pull({ linger: 0 });
    // They linger so that closing them below still delivers what they sent.
    const pushes = [new zmq.Push({ linger: 5_000 }), new zmq.Push({ linger: 5_000 })];
    const events = pull.events[Symbol.asyncIterator]();
    try {
      const endpoint = await bindAny(pull, transport);
      for (const push of pushes) push.connect(endpoint);
      // Closing a Push whose connection is not up yet may lose its messages
      // (libzmq): wait for both handshakes first. inproc has no connection.
      if (transport !== "inproc") await nextEvents(events, "handshake", 2);
      const count = 10;
      for (let i = 0; i < count; i++) {
        await pushes[0].send(["A", String(i)]);
        await pushes[1].send(["B", String(i)]);
      }
      // Everything must be in the Pull's queues before any of it is read.
      // Over inproc a send puts it there. Over tcp and ipc a Push gives no
      // receipt; what tells is its end: once a Push closes, the Pull's side
      // reports the disconnect only after it queued all that came before.
      if (transport !== "inproc") {
        closeAll(...pushes);
        await nextEvents(events, "disconnect", 2);
      }
      const got: string[][] = [];
      for (let i = 0; i < 2 * count; i++) {
        got.push(texts(await withTimeout(pull.receive(), 5_000, "message")));
      }
      const from = (who: string) => got.filter(([w]) => w === who).map(([, n]) => Number(n));
      const sequence = Array.from({ length: count }, (_, i) => i);
      deepEqual(from("A"), sequence, "A's messages, in order");
      deepEqual(from("B"), sequence, "B's messages, in order");
      // Fair queuing: with both queues full, the Pull alternates.
      for (let i = 1; i < got.length; i++) {
        assert(
          got[i][0] !== got[i - 1][0],
          `not fair-queued: ${got.map(([w]) => w).join("")}`,
        );
      }
    } finally {
      await events.return?.();
      closeAll(pull, ...pushes);
    }
  });
}

/** Waits (bounded) until `count` events of `type` came, skipping others. */
async function nextEvents(
  events: AsyncIterator<zmq.SocketEvent>,
  type: zmq.SocketEventType,
  count: number,
): Promise<void> {
  const seen: string[] = [];
  const wait = async () => {
    for (let found = 0; found < count;) {
      const next = await events.next();
      if (next.done) throw new Error(`The events ended before ${count} "${type}"`);
      seen.push(next.value.type);
      if (next.value.type === type) found++;
    }
  };
  try {
    await withTimeout(wait(), 5_000, `${count} "${type}" events`);
  } catch (error) {
    throw new Error(`${(error as Error).message} (saw: ${seen.join(", ") || "none"})`);
  }
}

test("push/pull: a Pull with several binds and connects receives from all", async () => {
  const pull = new zmq.Pull({ linger: 0 });
  const pushes = transports.map(() => new zmq.Push({ linger: 0 }));
  try {
    for (let i = 0; i < transports.length; i++) {
      pushes[i].connect(await bindAny(pull, transports[i]));
    }
    for (let i = 0; i < pushes.length; i++) {
      await pushes[i].send(`over ${transports[i]}`);
    }
    const got: string[] = [];
    for (let i = 0; i < pushes.length; i++) {
      got.push(text((await withTimeout(pull.receive(), 5_000, "msg"))[0]));
    }
    deepEqual(got.sort(), transports.map((t) => `over ${t}`).sort());
  } finally {
    closeAll(pull, ...pushes);
  }
});

test("push/pull: a Push may bind and the Pull connect", async () => {
  const push = new zmq.Push({ linger: 0 });
  const pull = new zmq.Pull({ linger: 0 });
  try {
    pull.connect(await bindAny(push, "tcp"));
    await push.send(["reversed", "roles"]);
    deepEqual(texts(await withTimeout(pull.receive(), 5_000, "msg")), [
      "reversed",
      "roles",
    ]);
  } finally {
    closeAll(push, pull);
  }
});

test("push/pull: after disconnect, messages go only to the remaining peer", async () => {
  const kept = new zmq.Pull({ linger: 0 });
  const dropped = new zmq.Pull({ linger: 0 });
  const push = new zmq.Push({ linger: 0 });
  try {
    const keptEndpoint = await bindAny(kept, "tcp");
    const droppedEndpoint = await bindAny(dropped, "tcp");
    push.connect(keptEndpoint);
    push.connect(droppedEndpoint);
    push.disconnect(droppedEndpoint);
    for (let i = 0; i < 6; i++) await push.send(`m${i}`);
    const got: string[] = [];
    for (let i = 0; i < 6; i++) {
      got.push(text((await withTimeout(kept.receive(), 5_000, `m${i}`))[0]));
    }
    // The six at the kept Pull are every message sent (a Push sends each to
    // one peer), so none went to the dropped one.
    deepEqual(got, ["m0", "m1", "m2", "m3", "m4", "m5"]);
    equal(dropped.tryReceive(), null);
  } finally {
    closeAll(push, kept, dropped);
  }
});
