// The zeromq.js v5 API (zeromq_v5_compat.ts): EventEmitter sockets.
// deno-lint-ignore-file no-explicit-any
import { Buffer } from "node:buffer";
import * as zmq from "../zeromq_v5_compat.ts";
import { fileURLToPath } from "node:url";
import {
  deepEqual,
  describeExit,
  equal,
  ok,
  runScript,
  test,
  throws,
  uniqueInprocAddress,
  withTimeout,
} from "./harness.ts";

/** The next `event` of an EventEmitter, as a promise of its arguments. */
function once(emitter: zmq.Socket, event: string): Promise<unknown[]> {
  return new Promise((resolve) => emitter.once(event, (...args: unknown[]) => resolve(args)));
}

test("zeromq v5 compat: push/pull with bindSync, on('message') and multipart sends", async () => {
  const pull = zmq.socket("pull");
  const push = zmq.socket("push");
  try {
    pull.bindSync("tcp://127.0.0.1:*");
    push.connect(pull.last_endpoint as string);
    const first = once(pull, "message");
    push.send("hello");
    const [frame] = await withTimeout(first, 5000, "a message");
    ok(frame instanceof Buffer);
    equal(String(frame), "hello");
    const second = once(pull, "message");
    push.send("a", zmq.ZMQ_SNDMORE);
    push.send(["b", Buffer.from("c")]);
    deepEqual((await withTimeout(second, 5000, "multipart")).map(String), ["a", "b", "c"]);
  } finally {
    push.close();
    pull.close();
  }
});

test("zeromq v5 compat: req/rep, send callbacks, bind callback and event", async () => {
  const rep = zmq.socket("rep");
  const req = zmq.socket("req");
  try {
    const address = uniqueInprocAddress();
    const bound = once(rep, "bind");
    const callback = new Promise<unknown>((resolve) => rep.bind(address, resolve));
    equal(await withTimeout(callback, 5000, "bind callback"), undefined);
    deepEqual(await withTimeout(bound, 5000, "bind event"), [address]);
    rep.on("message", (request: Buffer) => rep.send(`echo ${request}`));
    req.connect(address);
    for (const text of ["one", "two"]) {
      const reply = once(req, "message");
      const sent = new Promise<unknown>((resolve) => req.send(text, 0, resolve));
      equal(await withTimeout(sent, 5000, "send callback"), undefined);
      equal(String((await withTimeout(reply, 5000, "reply"))[0]), `echo ${text}`);
    }
  } finally {
    req.close();
    rep.close();
  }
});

test("zeromq v5 compat: a failed bind goes to the callback, or else to 'error'", async () => {
  const sock = zmq.socket("dealer");
  try {
    const viaCallback = new Promise<any>((resolve) => sock.bind("foo://bar", resolve));
    equal((await withTimeout(viaCallback, 5000, "callback")).code, "EPROTONOSUPPORT");
    const viaEvent = once(sock, "error");
    sock.bind("foo-bar");
    equal(((await withTimeout(viaEvent, 5000, "error event"))[0] as any).code, "EINVAL");
    throws(() => sock.bindSync("foo://bar"), (error: any) => error.code === "EPROTONOSUPPORT");
  } finally {
    sock.close();
  }
});

test("zeromq v5 compat: setsockopt/getsockopt by number and name; option properties", () => {
  const sock = zmq.socket("dealer", { identity: "worker-1", linger: 0 });
  try {
    equal(sock.getsockopt(zmq.ZMQ_IDENTITY), "worker-1");
    equal(sock.identity, "worker-1");
    equal(sock.getsockopt("linger"), 0);
    sock.setsockopt(zmq.ZMQ_SNDHWM, 10);
    equal(sock.getsockopt(zmq.ZMQ_SNDHWM), 10);
    sock.setsockopt(zmq.ZMQ_IPV6, 1);
    equal(sock.getsockopt(zmq.ZMQ_IPV6), 1);
    equal(sock.getsockopt(zmq.ZMQ_IPV4ONLY), false);
    equal(sock.getsockopt(zmq.ZMQ_TYPE), zmq.ZMQ_DEALER);
    equal(sock.getsockopt(zmq.ZMQ_MECHANISM), 0);
    throws(() => sock.getsockopt(zmq.ZMQ_FD), /ZMQ_FD is not supported in compatibility mode/);
    throws(() => sock.setsockopt(9999, 1), /Unknown option/);
    throws(() => sock.subscribe("x"), /Subscriber socket required/);
    throws(() => sock.read(), /read\(\) has been removed from compatibility mode/);
  } finally {
    sock.close();
  }
  throws(() => zmq.socket("nope" as zmq.SocketType), /Invalid socket type: nope/);
  throws(() => new (zmq.Context as any)(), /Context cannot be instantiated in compatibility mode/);
  const { public: publicKey, secret } = zmq.curveKeypair();
  equal(publicKey.length, 40);
  equal(secret.length, 40);
  ok(/^\d+\.\d+\.\d+$/.test(zmq.version));
});

test("zeromq v5 compat: pub/sub with subscribe; pause holds messages until resume", async () => {
  const pub = zmq.socket("pub");
  const sub = zmq.socket("sub");
  try {
    pub.bindSync("tcp://127.0.0.1:*");
    sub.subscribe("weather");
    sub.connect(pub.last_endpoint as string);
    const received: string[] = [];
    sub.on("message", (topic: Buffer, body: Buffer) => received.push(`${topic} ${body}`));
    const deadline = Date.now() + 5000;
    while (received.length === 0 && Date.now() < deadline) {
      pub.send(["weather", "sunny"]);
      pub.send(["sports", "ignored"]);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    ok(received.length > 0, "nothing arrived");
    ok(received.every((line): boolean => line === "weather sunny"));
    sub.pause();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const before = received.length;
    pub.send(["weather", "rain"]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    equal(received.length, before);
    const resumed = once(sub, "message");
    sub.resume();
    await withTimeout(resumed, 5000, "a held message");
    ok(received.includes("weather rain"));
  } finally {
    pub.close();
    sub.close();
  }
});

test("zeromq v5 compat: monitor() emits v5 event names", async () => {
  const sock = zmq.socket("rep");
  try {
    const listening = once(sock, "listen");
    sock.monitor(10, 0);
    sock.bindSync("tcp://127.0.0.1:*");
    const [value, address] = await withTimeout(listening, 5000, "listen event");
    equal(value, undefined);
    equal(address, sock.last_endpoint);
    sock.unmonitor();
  } finally {
    sock.close();
  }
});

test("zeromq v5 compat: proxy() forwards between router and dealer", async () => {
  const frontend = zmq.socket("router");
  const backend = zmq.socket("dealer");
  const req = zmq.socket("req");
  const rep = zmq.socket("rep");
  try {
    frontend.bindSync("tcp://127.0.0.1:*");
    backend.bindSync("tcp://127.0.0.1:*");
    zmq.proxy(frontend, backend);
    rep.connect(backend.last_endpoint as string);
    rep.on("message", (request: Buffer) => rep.send(`re: ${request}`));
    req.connect(frontend.last_endpoint as string);
    const reply = once(req, "message");
    req.send("hi");
    equal(String((await withTimeout(reply, 5000, "proxied reply"))[0]), "re: hi");
    throws(() => zmq.proxy(req, rep), /not supported in compatibility mode/);
  } finally {
    for (const sock of [req, rep, frontend, backend]) sock.close();
  }
});

test("zeromq v5 compat: socket() whose option is refused closes the socket it made (the process ends)", async () => {
  const exit = await runScript(
    fileURLToPath(new URL("./fixtures/compat_regression.ts", import.meta.url)),
    { args: ["v5-refused-option"], timeout: 20_000 },
  );
  equal(exit.timedOut, false, `the process did not end: ${describeExit(exit)}`);
  equal(exit.code, 0, describeExit(exit));
  deepEqual(exit.stdout.trim().split("\n"), [
    "pull TypeError",
    "rep TypeError",
    "dealer TypeError",
    "sub TypeError",
    "done",
  ]);
});

test("zeromq v5 compat: resume() while a bind blocks the socket receives once the bind settles (it froze the thread)", async () => {
  const exit = await runScript(
    fileURLToPath(new URL("./fixtures/compat_regression.ts", import.meta.url)),
    { args: ["v5-resume-while-binding"], timeout: 20_000 },
  );
  equal(exit.timedOut, false, `the thread froze: ${describeExit(exit)}`);
  equal(exit.code, 0, describeExit(exit));
  deepEqual(exit.stdout.trim().split("\n"), ["bind ok", "received 1", "received 2", "done"]);
});
