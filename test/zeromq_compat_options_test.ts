// The zeromq.js entry point's options: properties with zeromq.js's value
// types, the typed accessors, warnings, sealed objects and Context options.
// deno-lint-ignore-file no-explicit-any
import { Buffer } from "node:buffer";
import { readdirSync } from "node:fs";
import process from "node:process";
import { fileURLToPath } from "node:url";
import * as zmq from "../zeromq.ts";
import {
  deepEqual,
  describeExit,
  equal,
  rejects,
  runScript,
  test,
  throws,
  uniqueInprocAddress,
  withTimeout,
} from "./harness.ts";

/** Collects process warnings emitted while `fn` runs (and one tick after). */
async function warningsDuring(fn: () => Promise<void> | void): Promise<string[]> {
  const warnings: string[] = [];
  const listener = (warning: Error) => warnings.push(warning.message);
  process.on("warning", listener);
  try {
    await fn();
    await new Promise((resolve) => setTimeout(resolve, 10));
  } finally {
    process.off("warning", listener);
  }
  return warnings;
}

test("zeromq compat options: properties read and write with zeromq.js's value types", () => {
  const sock = new zmq.Dealer();
  try {
    equal(sock.immediate, false);
    sock.immediate = true;
    equal(sock.immediate, true);
    equal(sock.backlog, 100);
    sock.backlog = 75;
    equal(sock.backlog, 75);
    equal(sock.maxMessageSize, -1);
    sock.maxMessageSize = 0xffffffff;
    equal(sock.maxMessageSize, 0xffffffff);
    equal(sock.routingId, null);
    sock.routingId = "åbçdéfghïjk";
    equal(sock.routingId, "åbçdéfghïjk");
    (sock as any).routingId = Buffer.from("bytes");
    equal(sock.routingId, "bytes");
    equal(sock.type, 5);
    equal(sock.securityMechanism, null);
    sock.plainServer = true;
    equal(sock.securityMechanism, "plain");
    equal(sock.socksProxy, null);
    (sock as any).socksProxy = Buffer.from("foo");
    equal(sock.socksProxy, "foo");
    (sock as any).socksProxy = null;
    equal(sock.socksProxy, null);
    equal(sock.threadSafe, false);
  } finally {
    sock.close();
  }
});

test("zeromq compat options: typed accessors by zmq.h number", () => {
  const sock = new zmq.Dealer() as any;
  try {
    equal(sock.getBoolOption(39), false);
    sock.setBoolOption(39, true);
    equal(sock.getBoolOption(39), true);
    equal(sock.getInt32Option(19), 100);
    sock.setInt32Option(19, 75);
    equal(sock.getInt32Option(19), 75);
    sock.setInt64Option(22, 0xffffffffffff);
    equal(sock.getInt64Option(22), 0xffffffffffff);
    equal(sock.getStringOption(5), null);
    sock.setStringOption(5, Buffer.from("id"));
    equal(sock.getStringOption(5), "id");
    throws(() => sock.setInt32Option(19, "x"), /Option value must be a number/);
    throws(() => sock.setBoolOption(39, 1), /Option value must be a boolean/);
    throws(() => sock.setStringOption(5, 1), /Option value must be a string or buffer/);
    throws(() => sock.getInt32Option("19"), /Identifier must be a number/);
    throws(() => sock.getInt32Option(9999), (error: any) => error.code === "EINVAL");
  } finally {
    sock.close();
  }
});

test('zeromq compat context: raw option reads (fuzz seed 1311: an error reading "Success")', () => {
  const context = new zmq.Context() as any;
  // libzmq returns its scheduling policy's default, -1, as a value.
  equal(context.getInt32Option(4), -1);
  equal(context.getInt32Option(1), 1, "ioThreads");
  // An option libzmq does not know fails with EINVAL, never with errno 0.
  throws(
    () => context.getInt32Option(9999),
    (error: any) => error.code === "EINVAL" && error.errno > 0 && error.message !== "Success",
  );
  throws(() => context.getBoolOption(9999), (error: any) => error.code === "EINVAL");
});

test("zeromq compat options: read-only and unknown properties are TypeErrors", () => {
  const sock = new zmq.Dealer();
  try {
    throws(
      () => ((sock as any).securityMechanism = 1),
      /Cannot set property securityMechanism of #<Socket> which has only a getter/,
    );
    throws(() => {
      "use strict";
      (sock as any).doesNotExist = 1;
    }, TypeError);
    equal((sock as any).doesNotExist, undefined);
    // Options of other types are not there: a Dealer has no `mandatory`.
    throws(() => new (zmq.Dealer as any)({ mandatory: true }), /Cannot add property mandatory/);
  } finally {
    sock.close();
  }
});

test("zeromq compat options: setting an option that waits for the next bind warns", async () => {
  const sock = new zmq.Dealer();
  try {
    deepEqual(await warningsDuring(() => void (sock.routingId = "before")), []);
    const binding = sock.bind(uniqueInprocAddress());
    deepEqual(await warningsDuring(() => void (sock.routingId = "during")), [
      "Socket option will not take effect until next connect/bind.",
    ]);
    await binding;
    deepEqual(await warningsDuring(() => void (sock.routingId = "after")), [
      "Socket option will not take effect until next connect/bind.",
    ]);
    deepEqual(await warningsDuring(() => void (sock.linger = 0)), []);
  } finally {
    sock.close();
  }
  const fresh = new zmq.Dealer() as any;
  try {
    deepEqual(
      await warningsDuring(() => fresh.setUint64Option(4, 0xfffffff7fab7fb)),
      ["Value is larger than Number.MAX_SAFE_INTEGER and may have been rounded inaccurately."],
    );
    equal(fresh.getUint64Option(4), 0xfffffff7fab7fb);
  } finally {
    fresh.close();
  }
});

test("zeromq compat options: a SOCKS proxy can be set, connecting through it is refused", () => {
  const sock = new zmq.Dealer();
  try {
    sock.socksProxy = "127.0.0.1:1080";
    throws(() => sock.connect("tcp://127.0.0.1:5555"), (error: any) => error.code === "ENOTSUP");
  } finally {
    sock.close();
  }
});

test("zeromq compat options: sendTimeout 0 drops instead of waiting", async () => {
  const router = new zmq.Router({ mandatory: true, sendTimeout: 0 });
  try {
    await rejects(
      router.send(["nobody", "x"]),
      (error: any) => error.code === "EHOSTUNREACH" && error.message === "Host unreachable",
    );
  } finally {
    router.close();
  }
});

test("zeromq compat context: options are properties, settable after construction", () => {
  const context = new zmq.Context({ ioThreads: 2 });
  equal(context.ioThreads, 2);
  context.ioThreads = 3;
  equal(context.ioThreads, 3);
  equal(context.ipv6, false);
  context.ipv6 = true;
  equal(context.ipv6, true);
  equal(context.blocky, true);
  context.blocky = false;
  equal(context.blocky, false);
  equal(typeof context.maxSocketsLimit, "number");
  throws(
    () => ((context as any).maxSocketsLimit = 1),
    /Cannot set property maxSocketsLimit of #<Context> which has only a getter/,
  );
  throws(() => new (zmq.Context as any)({ doesNotExist: 1 }), /Cannot add property doesNotExist/);
  throws(() => new (zmq.Context as any)({ ioThreads: "x" }), /Option value must be a number/);
  throws(() => new (zmq.Context as any)(1), /Options must be an object/);
  throws(() => new (zmq.Context as any)({}, 2), /Expected 1 argument but received 2/);
  throws(() => (zmq.Context as any)(), /Class constructors cannot be invoked without 'new'/);
  const sock = new zmq.Pair({ context });
  equal(sock.context, context);
  sock.close();
});

// libzmq reads ioThreads and maxSockets when the context starts (its first
// socket): properties set before then must be the ones it starts with.
test("zeromq compat context: ioThreads and maxSockets set before the first socket apply", () => {
  const threads = () => readdirSync("/proc/self/task").length;
  const context = new zmq.Context({ ioThreads: 6 });
  context.maxSockets = 2;
  const before = threads();
  const sockets = [new zmq.Dealer({ context }), new zmq.Dealer({ context })];
  try {
    // Six I/O threads and the reaper (one I/O thread if the options came too late).
    const started = threads() - before;
    if (started < 7) throw new Error(`The context started ${started} threads, not 6 I/O + reaper`);
    equal(context.maxSockets, 2);
    throws(() => new zmq.Dealer({ context }), /Too many open file descriptors/);
  } finally {
    for (const sock of sockets) sock.close();
  }
});

test("zeromq compat: XPublisher verbosity passes repeated subscriptions on", async () => {
  const xpub = new zmq.XPublisher();
  xpub.verbosity = "allSubs";
  await xpub.bind("tcp://127.0.0.1:*");
  const subs = [new zmq.Subscriber(), new zmq.Subscriber()];
  try {
    for (const sub of subs) {
      sub.connect(xpub.lastEndpoint!);
      sub.subscribe("fo");
    }
    const seen: string[] = [];
    for (let i = 0; i < 2; i++) {
      const [message] = await withTimeout(xpub.receive(), 5000, "subscription");
      seen.push(message.toString("latin1"));
    }
    deepEqual(seen, ["\x01fo", "\x01fo"]);
  } finally {
    for (const sub of subs) sub.close();
    xpub.close();
  }
});

test("zeromq compat options: thread settings libzmq would abort on are refused (fuzz: src/thread.cpp asserts)", async () => {
  const exit = await runScript(
    fileURLToPath(new URL("./fixtures/compat_regression.ts", import.meta.url)),
    { args: ["context-thread-settings"], timeout: 20_000 },
  );
  equal(exit.signal, null, `crash: ${describeExit(exit)}`);
  equal(exit.code, 0, describeExit(exit));
  const lines = exit.stdout.trim().split("\n");
  deepEqual(lines.slice(0, 8), [
    "policy 4: EINVAL",
    "policy 7: EINVAL",
    "policy FIFO without a priority: EINVAL",
    "priority 0 then policy RR: EINVAL",
    "priority 100 then policy FIFO: EINVAL",
    "CPU 100000: EINVAL",
    "CPU 5000: EINVAL",
    "maxSockets 2^30: EINVAL",
  ]);
  // Set or refused (EPERM) depending on the privilege to schedule; never an abort.
  for (const line of lines.slice(8, 11)) equal(/: (set|EPERM)$/.test(line), true, line);
  equal(lines[11], "done");
});
