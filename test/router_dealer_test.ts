import * as zmq from "../mod.ts";
import {
  assert,
  bindAny,
  closeAll,
  deepEqual,
  equal,
  rejects,
  test,
  text,
  texts,
  transports,
  withTimeout,
} from "./harness.ts";

for (const transport of transports) {
  test(`router/dealer over ${transport}: envelopes carry the routing id`, async () => {
    const router = new zmq.Router({ linger: 0 });
    const d1 = new zmq.Dealer({ linger: 0, routingId: "dealer-1" });
    const d2 = new zmq.Dealer({ linger: 0 });
    try {
      d2.routingId = "dealer-2";
      const endpoint = await bindAny(router, transport);
      d1.connect(endpoint);
      d2.connect(endpoint);
      await d1.send(["hello", "from 1"]);
      await d2.send(["hello", "from 2"]);
      const got = new Map<string, string[]>();
      for (let i = 0; i < 2; i++) {
        const frames = await withTimeout(router.receive(), 5_000, "request");
        const [id, ...rest] = texts(frames);
        got.set(id, rest);
      }
      deepEqual(got.get("dealer-1"), ["hello", "from 1"]);
      deepEqual(got.get("dealer-2"), ["hello", "from 2"]);

      // Reply to each by identity, in the opposite order.
      await router.send(["dealer-2", "for 2"]);
      await router.send([new TextEncoder().encode("dealer-1"), "for 1", "x"]);
      deepEqual(texts(await withTimeout(d1.receive(), 5_000, "d1")), [
        "for 1",
        "x",
      ]);
      deepEqual(texts(await withTimeout(d2.receive(), 5_000, "d2")), [
        "for 2",
      ]);
    } finally {
      closeAll(d1, d2, router);
    }
  });

  test(`router/dealer over ${transport}: a Request's envelope has an empty delimiter`, async () => {
    const router = new zmq.Router({ linger: 0 });
    const req = new zmq.Request({ linger: 0, routingId: "client" });
    try {
      req.connect(await bindAny(router, transport));
      await req.send("question");
      const frames = await withTimeout(router.receive(), 5_000, "request");
      deepEqual(texts(frames), ["client", "", "question"]);
      await router.send([frames[0], frames[1], "answer"]);
      deepEqual(texts(await withTimeout(req.receive(), 5_000, "reply")), [
        "answer",
      ]);
    } finally {
      closeAll(req, router);
    }
  });
}

test("router/dealer: a Router without routing ids makes up unique ones", async () => {
  const router = new zmq.Router({ linger: 0 });
  const dealers = [0, 1, 2].map(() => new zmq.Dealer({ linger: 0 }));
  try {
    const endpoint = await bindAny(router, "tcp");
    for (const dealer of dealers) dealer.connect(endpoint);
    for (let i = 0; i < dealers.length; i++) await dealers[i].send(`d${i}`);
    const ids = new Map<string, Uint8Array>();
    for (let i = 0; i < dealers.length; i++) {
      const [id, body] = await withTimeout(router.receive(), 5_000, "msg");
      assert(id.byteLength > 0, "empty routing id");
      ids.set(text(body), id);
    }
    equal(ids.size, 3);
    const distinct = new Set([...ids.values()].map((id) => id.join(",")));
    equal(distinct.size, 3, "routing ids are not unique");
    // Route a reply to each through the id the Router made up.
    for (const [body, id] of ids) await router.send([id, `re ${body}`]);
    for (let i = 0; i < dealers.length; i++) {
      deepEqual(texts(await withTimeout(dealers[i].receive(), 5_000, "re")), [
        `re d${i}`,
      ]);
    }
  } finally {
    closeAll(router, ...dealers);
  }
});

test("router/dealer: a mandatory Router refuses unknown ids with EHOSTUNREACH", async () => {
  const router = new zmq.Router({ linger: 0, mandatory: true });
  try {
    await bindAny(router, "inproc");
    await rejects(
      async () => await router.send(["nobody", "hello"]),
      (error: unknown) => {
        assert(error instanceof zmq.ZmqError, `not a ZmqError: ${error}`);
        equal(error.code, "EHOSTUNREACH");
        return true;
      },
    );
  } finally {
    closeAll(router);
  }
});

test("router/dealer: a non-mandatory Router drops unknown ids silently", async () => {
  const router = new zmq.Router({ linger: 0 });
  try {
    await bindAny(router, "inproc");
    await withTimeout(router.send(["nobody", "hello"]), 2_000, "send");
    equal(router.trySend(["nobody", "again"]), true);
  } finally {
    closeAll(router);
  }
});

test("router/dealer: Dealer to Dealer is a plain asynchronous pipe", async () => {
  const a = new zmq.Dealer({ linger: 0 });
  const b = new zmq.Dealer({ linger: 0 });
  try {
    b.connect(await bindAny(a, "ipc"));
    await a.send(["a", "1"]);
    await b.send(["b", "2"]);
    await b.send(["b", "3"]);
    deepEqual(texts(await withTimeout(b.receive(), 5_000, "b")), ["a", "1"]);
    deepEqual(texts(await withTimeout(a.receive(), 5_000, "a")), ["b", "2"]);
    deepEqual(texts(await withTimeout(a.receive(), 5_000, "a")), ["b", "3"]);
  } finally {
    closeAll(a, b);
  }
});
