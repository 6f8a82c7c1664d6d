import * as zmq from "../mod.ts";
import {
  assert,
  bindAny,
  closeAll,
  deepEqual,
  equal,
  rejects,
  test,
  texts,
  transports,
  withTimeout,
} from "./harness.ts";

for (const transport of transports) {
  test(`req/rep over ${transport}: several round trips in order`, async () => {
    const rep = new zmq.Reply({ linger: 0 });
    const req = new zmq.Request({ linger: 0 });
    try {
      const endpoint = await bindAny(rep, transport);
      req.connect(endpoint);
      for (let i = 0; i < 5; i++) {
        await req.send(`question ${i}`);
        const question = await withTimeout(rep.receive(), 5_000, "question");
        deepEqual(texts(question), [`question ${i}`]);
        await rep.send([`answer ${i}`, "second frame"]);
        const answer = await withTimeout(req.receive(), 5_000, "answer");
        deepEqual(texts(answer), [`answer ${i}`, "second frame"]);
      }
    } finally {
      closeAll(req, rep);
    }
  });
}

test("req/rep: a Request sending twice without receiving fails with EFSM", async () => {
  const rep = new zmq.Reply({ linger: 0 });
  const req = new zmq.Request({ linger: 0 });
  try {
    const endpoint = await bindAny(rep, "inproc");
    req.connect(endpoint);
    await req.send("first");
    await rejects(
      async () => await req.send("second"),
      (error: unknown) => {
        assert(error instanceof zmq.ZmqError, `not a ZmqError: ${error}`);
        equal(error.code, "EFSM");
        equal(typeof error.errno, "number");
        assert(error.errno > 0, `errno should be set, got ${error.errno}`);
        return true;
      },
    );
    // The state machine is intact: the first request still gets its answer
    // and then the next request may go.
    deepEqual(texts(await withTimeout(rep.receive(), 5_000, "q")), ["first"]);
    await rep.send("reply");
    deepEqual(texts(await withTimeout(req.receive(), 5_000, "a")), ["reply"]);
    await req.send("third");
    deepEqual(texts(await withTimeout(rep.receive(), 5_000, "q")), ["third"]);
  } finally {
    closeAll(req, rep);
  }
});

test("req/rep: a Reply sending before it received fails with EFSM", async () => {
  const rep = new zmq.Reply({ linger: 0 });
  try {
    await bindAny(rep, "inproc");
    await rejects(
      async () => await rep.send("unasked"),
      (error: unknown) => {
        assert(error instanceof zmq.ZmqError, `not a ZmqError: ${error}`);
        equal(error.code, "EFSM");
        return true;
      },
    );
  } finally {
    closeAll(rep);
  }
});

test("req/rep: trySend on a Request in the wrong state throws EFSM", async () => {
  const rep = new zmq.Reply({ linger: 0 });
  const req = new zmq.Request({ linger: 0 });
  try {
    const endpoint = await bindAny(rep, "inproc");
    req.connect(endpoint);
    equal(req.trySend("first"), true);
    let thrown: unknown;
    try {
      req.trySend("second");
    } catch (error) {
      thrown = error;
    }
    assert(thrown instanceof zmq.ZmqError, `expected ZmqError, got ${thrown}`);
    equal(thrown.code, "EFSM");
  } finally {
    closeAll(req, rep);
  }
});

test("req/rep: one Reply serves two Requests, each gets its own answer", async () => {
  const rep = new zmq.Reply({ linger: 0 });
  const a = new zmq.Request({ linger: 0 });
  const b = new zmq.Request({ linger: 0 });
  try {
    const endpoint = await bindAny(rep, "tcp");
    a.connect(endpoint);
    b.connect(endpoint);
    await a.send("from a");
    await b.send("from b");
    for (let i = 0; i < 2; i++) {
      const [question] = texts(await withTimeout(rep.receive(), 5_000, "q"));
      await rep.send(`echo ${question}`);
    }
    deepEqual(texts(await withTimeout(a.receive(), 5_000, "a")), [
      "echo from a",
    ]);
    deepEqual(texts(await withTimeout(b.receive(), 5_000, "b")), [
      "echo from b",
    ]);
  } finally {
    closeAll(a, b, rep);
  }
});
