// The async engine under load: both directions on one socket, many sockets
// waiting at once, closes racing with waits.
import { readFileSync } from "node:fs";
import * as zmq from "../mod.ts";
import {
  assert,
  assertRejectsOnClose,
  bindAny,
  closeAll,
  deepEqual,
  equal,
  match,
  ok,
  pollerCycle,
  rejects,
  test,
  text,
  texts,
  transports,
  uniqueInprocAddress,
  withTimeout,
} from "./harness.ts";

for (const transport of transports) {
  test(`engine over ${transport}: full-duplex traffic with small HWMs never stalls`, async () => {
    const options = { linger: 0, sendHighWaterMark: 4, receiveHighWaterMark: 4 };
    const a = new zmq.Pair(options);
    const b = new zmq.Pair(options);
    try {
      b.connect(await bindAny(a, transport));
      const count = 3_000;
      const send = async (socket: zmq.Pair, tag: string) => {
        for (let i = 0; i < count; i++) await socket.send([tag, String(i)]);
      };
      const receive = async (socket: zmq.Pair, tag: string) => {
        for (let i = 0; i < count; i++) {
          const frames = texts(await socket.receive());
          if (frames[0] !== tag || frames[1] !== String(i)) {
            throw new Error(`expected [${tag}, ${i}], got [${frames}]`);
          }
        }
      };
      await withTimeout(
        Promise.all([send(a, "a"), send(b, "b"), receive(a, "b"), receive(b, "a")]),
        20_000,
        "6000 messages both ways",
      );
    } finally {
      closeAll(a, b);
    }
  }, { timeout: 30_000 });
}

test("engine: fifty sockets waiting at once are all served", async () => {
  const pulls = Array.from({ length: 50 }, () => new zmq.Pull({ linger: 0 }));
  const push = new zmq.Push({ linger: 0 });
  try {
    for (const pull of pulls) push.connect(await bindAny(pull, "tcp"));
    const pending = pulls.map((pull) => pull.receive());
    await pollerCycle(); // all fifty wait in one poll() before any message comes
    // Round robin over connected peers: each Pull gets exactly one.
    for (let i = 0; i < pulls.length; i++) await push.send(`m${i}`);
    const got = await withTimeout(Promise.all(pending), 10_000, "50 receives");
    const all = got.map((frames) => text(frames[0])).sort();
    deepEqual(all, Array.from({ length: 50 }, (_, i) => `m${i}`).sort());
  } finally {
    closeAll(push, ...pulls);
  }
});

test("engine: closing one waiting socket does not disturb another", async () => {
  const victim = new zmq.Pull({ linger: 0 });
  const survivor = new zmq.Pull({ linger: 0 });
  const push = new zmq.Push({ linger: 0 });
  try {
    await bindAny(victim, "tcp");
    push.connect(await bindAny(survivor, "tcp"));
    const doomed = victim.receive();
    const waiting = survivor.receive();
    await pollerCycle(); // close the victim while both wait in the poller thread's poll()
    victim.close();
    await rejects(withTimeout(doomed, 2_000, "the closed receive"), zmq.ZmqError);
    await push.send("still served");
    deepEqual(texts(await withTimeout(waiting, 5_000, "survivor")), [
      "still served",
    ]);
  } finally {
    closeAll(push, victim, survivor);
  }
});

test("engine: closing a socket with a pending send rejects that send", async () => {
  const push = new zmq.Push({ linger: 0 });
  try {
    await bindAny(push, "tcp");
    const pending = push.send("nobody will take this");
    await assertRejectsOnClose(push, pending, "the pending send", zmq.ZmqError);
  } finally {
    closeAll(push);
  }
});

test("engine: a message with 1000 frames arrives whole", async () => {
  const pull = new zmq.Pull({ linger: 0 });
  const push = new zmq.Push({ linger: 0 });
  try {
    push.connect(await bindAny(pull, "ipc"));
    const frames = Array.from({ length: 1_000 }, (_, i) => `f${i}`);
    await push.send(frames);
    await push.send("next");
    deepEqual(texts(await withTimeout(pull.receive(), 5_000, "big")), frames);
    deepEqual(texts(await withTimeout(pull.receive(), 5_000, "next")), ["next"]);
  } finally {
    closeAll(push, pull);
  }
});

test("engine: request/reply ping-pong 2000 times over tcp", async () => {
  const rep = new zmq.Reply({ linger: 0 });
  const req = new zmq.Request({ linger: 0 });
  try {
    req.connect(await bindAny(rep, "tcp"));
    const rounds = 2_000;
    const server = (async () => {
      for (let i = 0; i < rounds; i++) {
        const [frame] = await rep.receive();
        await rep.send(frame);
      }
    })();
    for (let i = 0; i < rounds; i++) {
      await req.send(String(i));
      const [frame] = await req.receive();
      equal(text(frame), String(i));
    }
    await withTimeout(server, 5_000, "the server loop");
  } finally {
    closeAll(req, rep);
  }
}, { timeout: 30_000 });

/** The soft limit on open files, from /proc (Linux); 0 where unknown. */
function openFileLimit(): number {
  try {
    const limits = readFileSync("/proc/self/limits", "utf8");
    return Number(/^Max open files\s+(\d+)/m.exec(limits)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

test(
  "engine: more waiting sockets than one poll() list holds is a clear error, not a hang",
  async () => {
    const context = new zmq.Context({ maxSockets: 9000 });
    const sockets: zmq.Pull[] = [];
    const outcomes: Promise<unknown>[] = [];
    try {
      for (let i = 0; i < 8200; i++) {
        const pull = new zmq.Pull({ context, linger: 0 });
        sockets.push(pull);
        outcomes.push(pull.receive().then(() => "received", (error) => error));
      }
      const refused = await withTimeout(Promise.race(outcomes), 5_000, "a refusal");
      assert(refused instanceof zmq.ZmqError, String(refused));
      equal(refused.code, "EMFILE");
      match(refused.message, /waiting at once/);
    } finally {
      closeAll(...sockets);
      await withTimeout(Promise.all(outcomes), 10_000, "every receive to settle");
      await withTimeout(context.terminate(), 10_000, "terminate");
    }
  },
  { timeout: 60_000, ignore: openFileLimit() < 10_000 },
);

// A ping-pong whose every wait ends at once never goes back to the event
// loop by itself (each reply resolves a promise whose continuation sends
// the next request): timers must still get their turn.
test("engine: timers run while a same-thread ping-pong keeps every wait short", async () => {
  const rep = new zmq.Reply({ linger: 0 });
  const req = new zmq.Request({ linger: 0 });
  try {
    await rep.bind(uniqueInprocAddress());
    req.connect(rep.lastEndpoint!);
    let timerRan = false;
    const serving = (async () => {
      for await (const [message] of rep) await rep.send(message);
    })();
    setTimeout(() => timerRan = true, 0);
    let roundTrips = 0;
    while (!timerRan && roundTrips < 2_000_000) {
      await req.send("ping");
      await req.receive();
      roundTrips++;
    }
    ok(timerRan, `a 0 ms timer waited through ${roundTrips} round trips`);
    rep.close();
    await serving;
  } finally {
    closeAll(req, rep);
  }
}, { timeout: 60_000 });
