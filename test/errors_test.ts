import * as zmq from "../mod.ts";
import {
  assert,
  bindAny,
  closeAll,
  equal,
  ok,
  rejects,
  sleep,
  test,
  throws,
  uniqueInprocAddress,
  waitUntil,
  withTimeout,
} from "./harness.ts";

/** A matcher for assert.throws/rejects: a ZmqError, optionally with `code`. */
function zmqError(code?: string, address?: string) {
  return (error: unknown) => {
    assert(error instanceof zmq.ZmqError, `not a ZmqError: ${error}`);
    assert(error instanceof Error, "a ZmqError is an Error");
    equal(typeof error.code, "string");
    ok(/^E[A-Z0-9]+$/.test(error.code), `odd error code "${error.code}"`);
    equal(typeof error.errno, "number");
    ok(error.message.length > 0, "empty message");
    if (code !== undefined) equal(error.code, code);
    if (address !== undefined) {
      equal(error.address, address);
      ok(
        error.message.includes(address),
        `the message should quote the address: ${error.message}`,
      );
    }
    return true;
  };
}

test("errors: every operation on a closed socket fails with a ZmqError", async () => {
  const push = new zmq.Push({ linger: 0 });
  const pull = new zmq.Pull({ linger: 0 });
  push.close();
  pull.close();
  equal(push.closed, true);
  equal(pull.closed, true);
  await rejects(async () => await push.send("x"), zmqError());
  throws(() => push.trySend("x"), zmqError());
  await rejects(async () => await pull.receive(), zmqError());
  throws(() => pull.tryReceive(), zmqError());
  await rejects(async () => await push.bind("tcp://127.0.0.1:*"), zmqError());
  throws(() => push.connect("tcp://127.0.0.1:5555"), zmqError());
  throws(() => push.getOption("ZMQ_LINGER"), zmqError());
  throws(() => push.setOption("ZMQ_LINGER", 0), zmqError());
  throws(() => push.linger, zmqError());
  throws(() => {
    push.linger = 0;
  }, zmqError());
});

test("errors: close() twice and Symbol.dispose are harmless", () => {
  const push = new zmq.Push({ linger: 0 });
  equal(push.closed, false);
  push.close();
  push.close();
  equal(push.closed, true);

  const pull = new zmq.Pull({ linger: 0 });
  equal(typeof pull[Symbol.dispose], "function");
  pull[Symbol.dispose]();
  equal(pull.closed, true);
  pull[Symbol.dispose]();
  pull.close();
});

test("errors: iterating a closed socket ends at once", async () => {
  const pull = new zmq.Pull({ linger: 0 });
  pull.close();
  let count = 0;
  await withTimeout(
    (async () => {
      try {
        for await (const _ of pull) count++;
      } catch (error) {
        // Refusing with a ZmqError is also clear; hanging is not.
        zmqError()(error);
      }
    })(),
    2_000,
    "iteration over a closed socket",
  );
  equal(count, 0);
});

for (
  const address of ["garbage", "tcp://", "foo://x", "tcp://127.0.0.1:x", "tcp://127.0.0.1:99999"]
) {
  test(`errors: malformed endpoint "${address}" is a ZmqError naming it`, async () => {
    const push = new zmq.Push({ linger: 0 });
    try {
      await rejects(
        withTimeout(push.bind(address), 2_000, "bind"),
        zmqError(undefined, address),
      );
      throws(() => push.connect(address), zmqError(undefined, address));
    } finally {
      closeAll(push);
    }
  });
}

test("errors: an unknown transport is EPROTONOSUPPORT", async () => {
  const push = new zmq.Push({ linger: 0 });
  try {
    await rejects(
      async () => await push.bind("foo://x"),
      zmqError("EPROTONOSUPPORT", "foo://x"),
    );
    throws(
      () => push.connect("bar://127.0.0.1:1"),
      zmqError("EPROTONOSUPPORT", "bar://127.0.0.1:1"),
    );
  } finally {
    closeAll(push);
  }
});

test("errors: an address in use is EADDRINUSE", async () => {
  const a = new zmq.Pull({ linger: 0 });
  const b = new zmq.Pull({ linger: 0 });
  try {
    const endpoint = await bindAny(a, "tcp");
    await rejects(
      async () => await b.bind(endpoint),
      zmqError("EADDRINUSE", endpoint),
    );
    const inproc = uniqueInprocAddress();
    await a.bind(inproc);
    await rejects(
      async () => await b.bind(inproc),
      zmqError("EADDRINUSE", inproc),
    );
    // The failed socket is still usable.
    await bindAny(b, "tcp");
  } finally {
    closeAll(a, b);
  }
});

test("errors: unbind and disconnect of an unknown endpoint are ENOENT", async () => {
  const push = new zmq.Push({ linger: 0 });
  try {
    await rejects(
      async () => await push.unbind("tcp://127.0.0.1:1"),
      zmqError("ENOENT"),
    );
    throws(() => push.disconnect("tcp://127.0.0.1:1"), zmqError("ENOENT"));
    // Worded for what each does: from, not to.
    await rejects(push.unbind("tcp://127.0.0.1:1"), /^ZmqError: Cannot unbind from "tcp:/);
    throws(() => push.disconnect("tcp://127.0.0.1:1"), /^ZmqError: Cannot disconnect from "tcp:/);
    throws(() => push.connect("nope"), /^ZmqError: Cannot connect to "nope"/);
  } finally {
    closeAll(push);
  }
});

test("errors: unbind frees the address for another socket", async () => {
  const a = new zmq.Pull({ linger: 0 });
  const b = new zmq.Pull({ linger: 0 });
  try {
    const endpoint = await bindAny(a, "tcp");
    await a.unbind(endpoint);
    // libzmq closes the listener on its I/O thread: the port is free soon
    // after unbind, not necessarily at once. Nothing announces it: try.
    await waitUntil(
      async () => {
        try {
          await b.bind(endpoint);
          return true;
        } catch (error) {
          if ((error as zmq.ZmqError).code !== "EADDRINUSE") throw error;
          return false;
        }
      },
      5_000,
      `${endpoint} to be free for another socket after unbind`,
    );
    equal(b.lastEndpoint, endpoint);
  } finally {
    closeAll(a, b);
  }
});

test("errors: capabilities are absent, not throwing", () => {
  const sockets = {
    pub: new zmq.Publisher({ linger: 0 }),
    sub: new zmq.Subscriber({ linger: 0 }),
    push: new zmq.Push({ linger: 0 }),
    pull: new zmq.Pull({ linger: 0 }),
  };
  try {
    equal("receive" in sockets.pub, false, "Publisher has no receive");
    equal("tryReceive" in sockets.pub, false, "Publisher has no tryReceive");
    equal(Symbol.asyncIterator in sockets.pub, false, "Publisher iterable");
    equal("send" in sockets.sub, false, "Subscriber has no send");
    equal("trySend" in sockets.sub, false, "Subscriber has no trySend");
    equal("receive" in sockets.push, false, "Push has no receive");
    equal("send" in sockets.pull, false, "Pull has no send");
    equal("trySend" in sockets.pull, false, "Pull has no trySend");
    equal(typeof sockets.pub.send, "function");
    equal(typeof sockets.pull.receive, "function");
  } finally {
    closeAll(...Object.values(sockets));
  }
});

test("errors: ZmqError carries errno matching its code", async () => {
  const rep = new zmq.Reply({ linger: 0 });
  try {
    await bindAny(rep, "inproc");
    let caught: unknown;
    try {
      await rep.send("x");
    } catch (error) {
      caught = error;
    }
    zmqError("EFSM")(caught);
    // EFSM is ZMQ_HAUSNUMERO + 51 in zmq.h.
    equal((caught as zmq.ZmqError).errno, 156384763);
    equal((caught as Error).name, "ZmqError");
  } finally {
    closeAll(rep);
  }
});

test("errors: socket type names and the closed flag", () => {
  const push = new zmq.Push({ linger: 0 });
  const router = new zmq.Router({ linger: 0 });
  try {
    equal(push.type, "PUSH");
    equal(router.type, "ROUTER");
    equal(push.closed, false);
  } finally {
    closeAll(push, router);
  }
  equal(push.closed, true);
});

test("errors: bad constructor and endpoint arguments are TypeErrors", async () => {
  throws(() => new zmq.Push({ noSuchOption: 1 } as never), TypeError);
  throws(() => new zmq.Push("linger" as never), TypeError);
  // Not a Context: a TypeError naming the option, not an FFI internal.
  for (const context of [{}, 5, "default"]) {
    throws(
      () => new zmq.Pair({ context } as never),
      (error: unknown) =>
        error instanceof TypeError &&
        /context option of Pair must be a zmq.Context/.test(error.message),
    );
  }
  const push = new zmq.Push({ linger: 0 });
  try {
    await rejects(async () => await push.bind(42 as never), TypeError);
    throws(() => push.connect(undefined as never), TypeError);
  } finally {
    closeAll(push);
  }
});

test("errors: a Stream socket refuses inproc (libzmq would abort on a framed message)", async () => {
  const stream = new zmq.Stream({ linger: 0 });
  try {
    await rejects(stream.bind("inproc://raw"), (error: unknown) => {
      equal((error as zmq.ZmqError).code, "ENOCOMPATPROTO");
      return true;
    });
    throws(() => stream.connect("inproc://raw"), zmq.ZmqError);
  } finally {
    stream.close();
  }
});

test("errors: receive and send options of the wrong shape are clear errors, and nothing is left behind", async () => {
  const pull = new zmq.Pull({ linger: 0 });
  const push = new zmq.Push({ linger: 0 });
  try {
    await rejects(pull.receive({ timeout: 10, signal: {} as AbortSignal }), TypeError);
    await rejects(pull.receive({ signal: "stop" as unknown as AbortSignal }), TypeError);
    await rejects(pull.receive({ timeout: -1 }), RangeError);
    // A timer longer than 2^31-1 ms would fire at once.
    await rejects(pull.receive({ timeout: 2 ** 31 }), RangeError);
    await rejects(push.send("x", { timeout: 1e12 }), RangeError);
    await rejects(pull.receive({ timeout: "1" as unknown as number }), TypeError);
    await rejects(push.send("x", { signal: 1 as unknown as AbortSignal }), TypeError);
    await rejects(pull.receive(null as unknown as undefined), TypeError);
    // No stray timer fires later and throws. Not a wait for another thread:
    // timers run in the order of their deadlines, so this one, set after all
    // the calls above, runs after any timer they could have left (10 ms at most).
    await sleep(50);
  } finally {
    closeAll(push, pull);
  }
});
