/**
 * Every crash and hang the API fuzzer (scripts/fuzz/fuzz.ts) found, reduced to
 * the API sequence that caused it. Sequences that aborted libzmq run in a
 * child process (test/fixtures/fuzz_regression.ts), so that a regression
 * fails this test instead of killing the runner.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import * as zmq from "../mod.ts";
import {
  bindAny,
  closeAll,
  deepEqual,
  describeExit,
  equal,
  match,
  ok,
  rejects,
  runScript,
  runtime,
  test,
  throws,
  uniqueInprocAddress,
  withTimeout,
} from "./harness.ts";

const fixture = fileURLToPath(new URL("./fixtures/fuzz_regression.ts", import.meta.url));

async function runCase(name: string): Promise<string[]> {
  // OpenPGM's warnings ("Warn: Interface lo ...") come from libzmq's I/O
  // thread in two writes to stdout, the newline apart: a line of ours printed
  // between them joined the warning. Only its errors are let through.
  const env = { PGM_MIN_LOG_LEVEL: "ERROR" };
  const exit = await runScript(fixture, { args: [name], timeout: 20_000, env });
  equal(exit.timedOut, false, `hang: ${describeExit(exit)}`);
  equal(exit.signal, null, `crash: ${describeExit(exit)}`);
  equal(exit.code, 0, describeExit(exit));
  ok(!/assert|abort|panic/i.test(exit.stderr), `libzmq complained: ${describeExit(exit)}`);
  return exit.stdout.trim().split("\n");
}

test(
  `fuzz regression (${runtime}): socksProxy is refused (libzmq double-frees a failed SOCKS connection)`,
  async () => {
    // Bun, seed 1: "Bad file descriptor (src/epoll.cpp:113)" when a socket with
    // a SOCKS proxy that refuses closes in the reconnect window.
    deepEqual(await runCase("socks"), [
      "constructor ENOTSUP",
      "setOption ENOTSUP",
      'unset ok ""',
      "done",
    ]);
  },
  { timeout: 30_000 },
);

test(
  `fuzz regression (${runtime}): a Pair cannot bind where Router/Reply connections wait`,
  async () => {
    // Deno, seed 16: "Assertion failed: written (src/pipe.cpp:87)" when a Pair
    // binds an inproc address that two Router/Reply sockets connected to first.
    deepEqual(await runCase("pair-refuses-routers"), [
      "pair bind ENOCOMPATPROTO",
      "dealer bind ok",
      "reply got question",
      "done",
    ]);
  },
  { timeout: 30_000 },
);

test(
  `fuzz regression (${runtime}): a Router cannot disconnect an inproc connection still pending`,
  async () => {
    // The same assertion, reached by disconnecting before anything binds.
    deepEqual(await runCase("disconnect-pending"), [
      "disconnect ENOTSUP",
      "unbind ENOTSUP",
      "dealer bind ok",
      "established disconnect ok",
      "done",
    ]);
  },
  { timeout: 30_000 },
);

test(
  `fuzz regression (${runtime}): PGM settings libzmq would abort on are refused at bind/connect`,
  async () => {
    // Deno, seed 43: "Invalid argument (src/session_base.cpp:723)" from
    // multicastHops 31081; probing found rate and TPDU limits of OpenPGM too.
    deepEqual(await runCase("pgm"), [
      "multicastHops=256 EINVAL",
      "multicastMaxTransportDataUnitSize=64 EINVAL",
      "multicastMaxTransportDataUnitSize=65536 EINVAL",
      "rate=1 EINVAL",
      "rate=20000000 EINVAL",
      "subscriber multicastHops=256 EINVAL",
      "subscriber rate=2147483647 EINVAL",
      "defaults ok",
      "done",
    ]);
  },
  { timeout: 30_000 },
);

test(
  `fuzz regression (${runtime}): PGM works on a context with several I/O threads`,
  async () => {
    // Deno, seed 1279: "!_worker.get_started () || _worker.is_current_thread ()
    // (src/poller_base.cpp:140)", the PGM engine plugged into another I/O
    // thread's poller. Before the fix this case aborted in 2 of 3 runs.
    deepEqual(await runCase("pgm-io-threads"), [
      "connected 40 of 40",
      "affinity kept 6",
      "done",
    ]);
  },
  { timeout: 30_000 },
);

test(`fuzz regression (${runtime}): useFd must be a listening socket when binding`, async () => {
  // --include-known: "Operation not permitted" / "File exists (src/epoll.cpp:100)"
  // after binding with useFd set to stdout or to a missing descriptor.
  deepEqual(await runCase("use-fd"), [
    "useFd=1 refused",
    "useFd=0 refused",
    "useFd=99999 EBADF",
    "connect ok",
    "useFd=-1 ok",
    "done",
  ]);
}, { timeout: 30_000 });

test(
  `fuzz regression (${runtime}): high-water marks cannot change once a socket has connections`,
  async () => {
    // Deno, seeds 105, 149, 194: SIGSEGV on libzmq's reaper thread.
    deepEqual(await runCase("hwm-after-peer-closed"), [
      "receiveHighWaterMark EFSM, ZMQ_SNDHWM EFSM",
      "before connect ok 5",
      "done",
    ]);
  },
  { timeout: 30_000 },
);

test(`fuzz regression (${runtime}): GSSAPI over ws:// is refused (libzmq asserts)`, async () => {
  deepEqual(await runCase("ws-gssapi"), [
    "gssapi connect ENOTSUP",
    "null connect ok",
    "done",
  ]);
}, { timeout: 30_000 });

test(
  `fuzz regression (${runtime}): conflate cannot connect to an inproc address before it is bound`,
  async () => {
    deepEqual(await runCase("conflate-pending"), [
      "conflate connect ENOTSUP",
      "conflate connect bound ok",
      "done",
    ]);
  },
  { timeout: 30_000 },
);

test(
  `fuzz regression (${runtime}): an XPublisher's welcome message never meets an abandoned inproc connection`,
  async () => {
    deepEqual(await runCase("welcome-abandoned"), [
      "welcome bind ENOTSUP",
      "plain bind ok",
      "done",
    ]);
  },
  { timeout: 30_000 },
);

test("fuzz regression: events end soon after close although a pending inproc connection keeps libzmq's socket alive", async () => {
  // Deno, seeds 7 and 14: libzmq destroys a socket (and sends the monitor's
  // last event) only once its pending inproc connection resolves.
  const pull = new zmq.Pull({ linger: 0 });
  const events = pull.events[Symbol.asyncIterator]();
  const next = events.next();
  pull.connect(uniqueInprocAddress()); // nobody ever binds it
  pull.close();
  const result = await withTimeout(next, 5_000, "the events iteration to end");
  equal(result.done, true);
});

test("fuzz regression: a capture socket that cannot send ends the proxy instead of stalling it", async () => {
  // Deno, seed 45: with a Request (or Push, Dealer, Pair) capture that has no
  // peer, libzmq's proxy blocked forever copying a control command to it:
  // statistics() timed out and terminate() never returned.
  const frontend = new zmq.Pull({ linger: 0 });
  const backend = new zmq.Push({ linger: 0 });
  const capture = new zmq.Push({ linger: 0 });
  const proxy = new zmq.Proxy(frontend, backend, capture);
  try {
    const running = proxy.run();
    const outcome = running.then(() => "ended", (error) => error);
    await rejects(withTimeout(proxy.statistics(), 8_000, "statistics"));
    const error = await withTimeout(outcome, 8_000, "the proxy to stop");
    ok(error instanceof zmq.ZmqError, `not a ZmqError: ${error}`);
    equal(error.code, "EAGAIN");
    await withTimeout(proxy.terminate(), 2_000, "terminate");
    equal(capture.sendTimeout, -1, "the capture's own send timeout is back");
  } finally {
    closeAll(frontend, backend, capture);
  }
});

test("fuzz regression: a capture socket with a reading peer still gets every message", async () => {
  const frontend = new zmq.Pull({ linger: 0 });
  const backend = new zmq.Push({ linger: 0 });
  const capture = new zmq.Push({ linger: 0 });
  const tap = new zmq.Pull({ linger: 0 });
  const producer = new zmq.Push({ linger: 0 });
  const consumer = new zmq.Pull({ linger: 0 });
  const proxy = new zmq.Proxy(frontend, backend, capture);
  try {
    tap.connect(await bindAny(capture, "tcp"));
    producer.connect(await bindAny(frontend, "tcp"));
    consumer.connect(await bindAny(backend, "tcp"));
    const running = proxy.run();
    for (let i = 0; i < 5; i++) await producer.send(`m${i}`);
    for (let i = 0; i < 5; i++) {
      const [got] = await withTimeout(consumer.receive(), 5_000, "a forwarded message");
      equal(new TextDecoder().decode(got), `m${i}`);
      const [copy] = await withTimeout(tap.receive(), 5_000, "a captured copy");
      equal(new TextDecoder().decode(copy), `m${i}`);
    }
    await withTimeout(proxy.terminate(), 5_000, "terminate");
    await withTimeout(running, 5_000, "the proxy to end");
  } finally {
    closeAll(frontend, backend, capture, tap, producer, consumer);
  }
});

test("fuzz regression: terminate() with a lingering socket never blocks the JavaScript thread", async () => {
  // --include-known, seed 14: zmq_ctx_term waited forever, on the JavaScript
  // thread, for a closed socket (default linger -1) with undelivered messages.
  const context = new zmq.Context();
  const push = new zmq.Push({ context }); // default linger: -1
  push.connect("tcp://127.0.0.1:1"); // nobody listens
  push.trySend("never delivered");
  push.close();
  let ticks = 0;
  const ticker = setInterval(() => ticks++, 10);
  try {
    // libzmq may still hold the message (EBUSY after the timeout) or may have
    // dropped it with the refused connection (it ends): either way terminate()
    // settles while timers keep running, instead of freezing this thread.
    const outcome = await withTimeout(
      context.terminate({ timeout: 300 }).then(() => "ended", (error) => error),
      5_000,
      "terminate",
    );
    ok(
      outcome === "ended" || (outcome instanceof zmq.ZmqError && outcome.code === "EBUSY"),
      String(outcome),
    );
    // 300 ms passed on the way to EBUSY: timers must have run meanwhile.
    if (outcome !== "ended") ok(ticks > 0, "timers ran while the context was terminating");
  } finally {
    clearInterval(ticker);
  }
});

test("fuzz regression: the guards leave ordinary inproc use alone", async () => {
  const context = new zmq.Context();
  const address = uniqueInprocAddress();
  const a = new zmq.Pair({ context, linger: 0 });
  const b = new zmq.Pair({ context, linger: 0 });
  try {
    b.connect(address); // connect first: pending, then bound
    await a.bind(address);
    await b.send("hi");
    deepEqual((await withTimeout(a.receive(), 5_000, "hi")).map((f) => f.length), [2]);
    // A Router connecting to a bound address may disconnect at once.
    const router = new zmq.Router({ context, linger: 0 });
    const dealer = new zmq.Dealer({ context, linger: 0 });
    const other = uniqueInprocAddress();
    await dealer.bind(other);
    router.connect(other);
    router.disconnect(other);
    closeAll(router, dealer);
    const socks = new zmq.Dealer({ context, linger: 0 });
    throws(() => socks.setOption("socksProxy", "x:1"), zmq.ZmqError);
    socks.close();
  } finally {
    closeAll(a, b);
    await context.terminate({ timeout: 2_000 }).catch(() => {});
  }
});

test("leak hunt: a context at its socket limit says so (libzmq reports EMFILE, 'Too many open files')", async () => {
  // bench/leaks.ts under Bun: closing and opening sockets faster than
  // libzmq's reaper frees their slots gave a misleading "Too many open files".
  const context = new zmq.Context({ maxSockets: 3 });
  const open: zmq.Socket[] = [];
  try {
    // ZMQ_MAX_SOCKETS counts libzmq's own sockets as well: fill what is left.
    const error = (() => {
      for (let i = 0; i < 10; i++) {
        try {
          open.push(new zmq.Pair({ context, linger: 0 }));
        } catch (error) {
          return error;
        }
      }
      return undefined;
    })();
    ok(error instanceof zmq.ZmqError, `no limit reached: ${error}`);
    equal(error.code, "EMFILE");
    ok(/maxSockets limit \(3;/.test(error.message), error.message);
  } finally {
    closeAll(...open);
    await context.terminate({ timeout: 2_000 }).catch(() => {});
  }
});

test(
  "fuzz regression: an actor that fails is a ZmqError ETERM that says why, with the cause",
  async () => {
    const missing = await zmq.startActor(new URL("./fixtures/no_such_actor.ts", import.meta.url))
      .then(() => undefined, (error) => error);
    ok(missing instanceof zmq.ZmqError, `not a ZmqError: ${missing}`);
    equal(missing.code, "ETERM");
    match(missing.message, /no_such_actor/);
    ok(missing.cause instanceof Error, "the Worker's own error is the cause");
    const actor = await withTimeout(
      zmq.startActor(new URL("./fixtures/thread_failing_actor.ts", import.meta.url)),
      10_000,
      "startActor",
    );
    try {
      await actor.send("go");
      await withTimeout(actor.exited, 5_000, "the failed actor's exit");
      const failure = await actor.receive({ timeout: 1_000 }).then(
        () => undefined,
        (error) => error,
      );
      ok(failure instanceof zmq.ZmqError, `not a ZmqError: ${failure}`);
      equal(failure.code, "ETERM");
      match(failure.message, /actor exploded/);
    } finally {
      await withTimeout(actor.stop(), 5_000, "stop");
    }
  },
  { timeout: 30_000 },
);

test(
  `fuzz regression (${runtime}): events in a context too full for their reader never freeze the thread`,
  async () => {
    deepEqual(await runCase("events-reader-refused"), [
      "first iterator EMFILE",
      "second iterator EMFILE",
      "done",
    ]);
  },
  { timeout: 30_000 },
);

test(
  `fuzz regression (${runtime}): a forwarder Proxy keeps a peer's huge subscription out of its XSubscriber`,
  async () => {
    deepEqual(await runCase("forwarder-huge-subscription"), ["upstream got 2 bytes", "done"]);
  },
  { timeout: 30_000 },
);

test(
  `fuzz regression (${runtime}): terminate() binds the pending inproc connections of contexts borrowed in its thread`,
  async () => {
    deepEqual(await runCase("borrowed-pending-full"), ["full EMFILE", "terminate ok", "done"]);
  },
  { timeout: 30_000 },
);
