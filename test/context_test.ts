import * as zmq from "../mod.ts";
import {
  assert,
  bindAny,
  closeAll,
  deepEqual,
  equal,
  expectNext,
  isZmqError,
  match,
  ok,
  pollerCycle,
  rejects,
  test,
  texts,
  throws,
  uniqueInprocAddress,
  waitUntil,
  withTimeout,
} from "./harness.ts";

test("context: a default context exists and sockets use it", () => {
  assert(zmq.context instanceof zmq.Context);
  equal(typeof zmq.context.handle, "bigint");
  ok(zmq.context.handle !== 0n, "null context handle");
  const push = new zmq.Push({ linger: 0 });
  try {
    equal(push.context, zmq.context);
  } finally {
    closeAll(push);
  }
});

test("context: sockets of a new context talk over inproc", async () => {
  const ctx = new zmq.Context({ ioThreads: 2 });
  const pull = new zmq.Pull({ context: ctx, linger: 0 });
  const push = new zmq.Push({ context: ctx, linger: 0 });
  try {
    equal(typeof ctx.handle, "bigint");
    ok(ctx.handle !== zmq.context.handle, "a new context has its own handle");
    equal(pull.context, ctx);
    push.connect(await bindAny(pull, "inproc"));
    await push.send(["in", "ctx"]);
    deepEqual(texts(await withTimeout(pull.receive(), 5_000, "msg")), [
      "in",
      "ctx",
    ]);
    // tcp works through the context's I/O threads too.
    const tcpPull = new zmq.Pull({ context: ctx, linger: 0 });
    try {
      push.disconnect(pull.lastEndpoint as string);
      push.connect(await bindAny(tcpPull, "tcp"));
      await push.send("over tcp");
      deepEqual(texts(await withTimeout(tcpPull.receive(), 5_000, "tcp")), [
        "over tcp",
      ]);
    } finally {
      closeAll(tcpPull);
    }
  } finally {
    closeAll(push, pull);
    await withTimeout(ctx.terminate(), 5_000, "terminate");
  }
});

test("context: inproc names are private to a context", async () => {
  const ctx = new zmq.Context();
  const pull = new zmq.Pull({ context: ctx, linger: 0 });
  const push = new zmq.Push({ linger: 0 });
  try {
    const address = uniqueInprocAddress();
    await pull.bind(address);
    push.connect(address); // same name, default context: a different place
    // Queued for a binder in the default context, which never comes.
    push.trySend("lost in another context");
    const local = new zmq.Push({ context: ctx, linger: 0 });
    try {
      local.connect(address);
      await local.send("from this context");
      await expectNext(pull, ["from this context"]);
      equal(pull.tryReceive(), null);
    } finally {
      local.close();
    }
  } finally {
    closeAll(push, pull);
    await withTimeout(ctx.terminate(), 5_000, "terminate");
  }
});

test("context: terminate() closes the context's sockets", async () => {
  const ctx = new zmq.Context({ ioThreads: 1 });
  const pull = new zmq.Pull({ context: ctx, linger: 0 });
  const push = new zmq.Push({ context: ctx, linger: 0 });
  push.connect(await bindAny(pull, "tcp"));
  await push.send("queued but never read");
  await withTimeout(ctx.terminate(), 5_000, "terminate with open sockets");
  equal(pull.closed, true);
  equal(push.closed, true);
  await rejects(async () => await push.send("x"), zmq.ZmqError);
  // Closing again after terminate is harmless.
  push.close();
  pull.close();
});

test("context: terminate() settles a pending receive", async () => {
  const ctx = new zmq.Context();
  const pull = new zmq.Pull({ context: ctx, linger: 0 });
  await bindAny(pull, "inproc");
  const pending = pull.receive();
  let outcome = "pending";
  const settled = pending.then(() => outcome = "resolved", () => outcome = "rejected");
  // The receive waits in the poller thread, not only in this one.
  await pollerCycle();
  await withTimeout(ctx.terminate(), 5_000, "terminate with a receive pending");
  await withTimeout(settled, 5_000, "the pending receive to settle");
  equal(outcome, "rejected");
  equal(pull.closed, true);
});

test("context: terminate() twice is harmless; new sockets on it fail", async () => {
  const ctx = new zmq.Context();
  await withTimeout(ctx.terminate(), 5_000, "terminate");
  await withTimeout(ctx.terminate(), 5_000, "terminate again");
  throws(() => new zmq.Push({ context: ctx }), zmq.ZmqError);
});

test("context: fromHandle shares one context", async () => {
  const ctx = new zmq.Context();
  const shared = zmq.Context.fromHandle(ctx.handle);
  const pull = new zmq.Pull({ context: ctx, linger: 0 });
  const push = new zmq.Push({ context: shared, linger: 0 });
  try {
    assert(shared instanceof zmq.Context);
    equal(shared.handle, ctx.handle);
    push.connect(await bindAny(pull, "inproc"));
    await push.send("shared");
    deepEqual(texts(await withTimeout(pull.receive(), 5_000, "msg")), [
      "shared",
    ]);
  } finally {
    closeAll(push, pull);
    await withTimeout(ctx.terminate(), 5_000, "terminate");
  }
});

test("context: the handle of a terminated context is refused with ETERM, never a crash", async () => {
  const ctx = new zmq.Context();
  const handle = ctx.handle;
  const borrowed = zmq.Context.fromHandle(handle);
  await withTimeout(ctx.terminate(), 5_000, "terminate");
  // A new borrower, and a new socket on an existing borrower, are both refused.
  for (
    const attempt of [
      () => zmq.Context.fromHandle(handle),
      () => new zmq.Pair({ context: borrowed }),
    ]
  ) {
    throws(attempt, (error: unknown) => {
      assert(error instanceof zmq.ZmqError, String(error));
      equal(error.code, "ETERM");
      match(error.message, /terminated/);
      return true;
    });
  }
});

test("context: a bigint that is not a handle is a TypeError, never a crash", () => {
  const live = zmq.context.handle;
  // Unmapped, misaligned, out of range, and mapped memory that is not a handle.
  for (const bad of [8n, 4096n, 0x10n << 40n, live + 3n, 1n << 70n, -8n, live + 8n]) {
    throws(() => zmq.Context.fromHandle(bad), TypeError, String(bad));
  }
  // The real one still works.
  equal(zmq.Context.fromHandle(live).handle, live);
});

test("context: closed sockets are given back to libzmq (no leak)", async () => {
  // libzmq allows 1023 sockets per context by default: without real closes,
  // this loop would run out.
  const ctx = new zmq.Context();
  try {
    for (let i = 0; i < 1_500; i++) {
      const socket = new zmq.Pair({ context: ctx, linger: 0 });
      await socket.bind(uniqueInprocAddress());
      socket.close();
    }
  } finally {
    await withTimeout(ctx.terminate(), 5_000, "terminate");
  }
}, { timeout: 30_000 });

test("context: a Worker joins the context by its handle and talks inproc", async () => {
  const ctx = new zmq.Context();
  const pull = new zmq.Pull({ context: ctx, linger: 0 });
  const messages: unknown[] = [];
  let failure: Error | undefined;
  const worker = new Worker(
    new URL("./fixtures/worker_push.ts", import.meta.url).href,
    { type: "module" },
  );
  worker.onmessage = (event) => messages.push(event.data);
  worker.onerror = (event) => {
    failure = new Error(`worker error: ${event.message}`);
  };
  const next = async (what: string) => {
    await waitUntil(() => messages.length > 0 || failure !== undefined, 10_000, `the ${what}`);
    if (failure) throw failure;
    return messages.shift();
  };
  try {
    const endpoint = await bindAny(pull, "inproc");
    equal(await next("ready message"), "ready");
    worker.postMessage({ handle: ctx.handle, endpoint });
    const frames = await withTimeout(pull.receive(), 10_000, "the worker's message");
    equal(texts(frames.slice(0, 1))[0], "from worker");
    deepEqual(Array.from(frames[1]), [1, 2, 3]);
    equal(await next("report"), "sent");
  } finally {
    worker.terminate();
    // terminate() closes pull itself (and waits for that close).
    await withTimeout(ctx.terminate(), 5_000, "terminate");
  }
  // Node has no web Worker; its worker_threads are covered by threads_test.ts.
}, { timeout: 20_000, ignore: typeof Worker === "undefined" });

test("context: options are applied (maxSockets limits the sockets)", async () => {
  const ctx = new zmq.Context({ maxSockets: 2 });
  const sockets: zmq.Socket[] = [];
  try {
    sockets.push(new zmq.Pair({ context: ctx, linger: 0 }));
    sockets.push(new zmq.Pair({ context: ctx, linger: 0 }));
    throws(
      () => sockets.push(new zmq.Pair({ context: ctx, linger: 0 })),
      (error: unknown) => {
        assert(error instanceof zmq.ZmqError, `not a ZmqError: ${error}`);
        equal(error.code, "EMFILE");
        return true;
      },
    );
  } finally {
    closeAll(...sockets);
    await withTimeout(ctx.terminate(), 5_000, "terminate");
  }
});

test("context: bad options are TypeErrors", () => {
  throws(() => new zmq.Context({ ioThreads: "two" as unknown as number }), TypeError);
  throws(() => new zmq.Context({ ioThreads: 1.5 }), TypeError);
  throws(() => new zmq.Context({ ipv6: 1 as unknown as boolean }), TypeError);
  throws(() => new zmq.Context({ ioThread: 2 } as unknown as zmq.ContextOptions), TypeError);
});

// libzmq aborts the process on the first socket of such a context (it cannot
// allocate the socket table, or start the threads): refused up front.
test("context: sizes libzmq cannot hold are RangeErrors before any socket", () => {
  for (
    const options of [
      { maxSockets: 2 ** 31 - 1 },
      { maxSockets: 0 },
      { ioThreads: 2 ** 31 - 1 },
      { ioThreads: 30_000 },
      { ioThreads: -1 },
    ]
  ) {
    throws(() => new zmq.Context(options), (error: unknown) => {
      ok(error instanceof RangeError, `${JSON.stringify(options)}: ${error}`);
      ok(/must be from \d+ to \d+/.test(error.message), error.message);
      return true;
    });
  }
  const largest = new zmq.Context({ maxSockets: 65_535, ioThreads: 4 });
  const pull = new zmq.Pull({ context: largest });
  equal(largest.maxSockets, 65_535);
  equal(largest.ioThreads, 4);
  pull.close();
  return largest.terminate();
});

test("context: a terminated context has no handle (it would point at freed memory)", async () => {
  const ctx = new zmq.Context();
  new zmq.Pull({ context: ctx }).close();
  await ctx.terminate();
  throws(() => ctx.handle, isZmqError("ETERM"));
});

test("context: one that made no socket terminates at once", async () => {
  const ctx = new zmq.Context({ ioThreads: 2 });
  await withTimeout(ctx.terminate(), 1000, "terminate");
  equal(ctx.terminated, true);
  throws(() => new zmq.Push({ context: ctx }), isZmqError("ETERM"));
});
