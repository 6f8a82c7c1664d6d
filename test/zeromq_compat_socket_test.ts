// The zeromq.js entry point's sockets: frames, errors, concurrency and
// lifecycle as zeromq.js v6 has them.
// deno-lint-ignore-file no-explicit-any
import { Buffer } from "node:buffer";
import * as zmq from "../zeromq.ts";
import {
  assert,
  deepEqual,
  equal,
  ok,
  rejects,
  test,
  throws,
  uniqueInprocAddress,
  withTimeout,
} from "./harness.ts";

type Failure = Error & { code?: string; errno?: number; address?: string };

/** A validator for throws/rejects: an Error with zeromq.js's code and message. */
function zmqError(code: string, message?: string, address?: string) {
  return (error: unknown) => {
    assert(error instanceof Error, `not an Error: ${error}`);
    const failure = error as Failure;
    equal(failure.code, code, failure.message);
    equal(typeof failure.errno, "number");
    if (message !== undefined) equal(failure.message, message);
    if (address !== undefined) equal(failure.address, address);
    return true;
  };
}

async function connectedPairs(): Promise<[zmq.Pair, zmq.Pair]> {
  const a = new zmq.Pair({ linger: 0 });
  const b = new zmq.Pair({ linger: 0 });
  await b.bind("tcp://127.0.0.1:*");
  a.connect(b.lastEndpoint!);
  return [a, b];
}

test("zeromq compat: exports exactly zeromq.js v6's names", () => {
  deepEqual(Object.keys(zmq).sort(), [
    "Context",
    "Dealer",
    "Observer",
    "Pair",
    "Proxy",
    "Publisher",
    "Pull",
    "Push",
    "Reply",
    "Request",
    "Router",
    "Socket",
    "Stream",
    "Subscriber",
    "XPublisher",
    "XSubscriber",
    "capability",
    "context",
    "curveKeyPair",
    "version",
  ]);
  assert(/^\d+\.\d+\.\d+$/.test(zmq.version));
  ok(Object.values(zmq.capability).every((value) => typeof value === "boolean"));
  const { publicKey, secretKey } = zmq.curveKeyPair();
  equal(publicKey.length, 40);
  equal(secretKey.length, 40);
});

test("zeromq compat: frames arrive as Buffers; anything sendable is coerced as zeromq.js does", async () => {
  const [a, b] = await connectedPairs();
  try {
    await a.send(["text", Buffer.from("buf"), new Uint8Array([0x41]).buffer]);
    const parts = await withTimeout(b.receive(), 5000, "multipart");
    ok(parts.every((part) => part instanceof Buffer));
    deepEqual(parts.map(String), ["text", "buf", "A"]);
    for (const value of [null, 16.19, true, {}, Int32Array.from([0x66])]) {
      await a.send(value as zmq.MessageLike);
    }
    const received: string[] = [];
    for await (const [frame] of b) {
      received.push(frame.toString());
      if (received.length === 5) break;
    }
    deepEqual(received, ["", "16.19", "true", "[object Object]", "f\x00\x00\x00"]);
  } finally {
    a.close();
    b.close();
  }
});

test("zeromq compat: a second concurrent send or receive is EBUSY, thrown at once", async () => {
  const sock = new zmq.Pair({ linger: 0, sendTimeout: 50, receiveTimeout: 50 });
  try {
    const receiving = sock.receive().catch((error) => error);
    throws(
      () => sock.receive(),
      zmqError(
        "EBUSY",
        "Socket is busy reading; only one receive operation may be in progress at any time",
      ),
    );
    const sending = sock.send(null).catch((error) => error);
    throws(
      () => sock.send(null),
      zmqError(
        "EBUSY",
        "Socket is busy writing; only one send operation may be in progress at any time",
      ),
    );
    // Each timed-out operation is EAGAIN with zeromq.js's text.
    zmqError("EAGAIN", "Operation was not possible or timed out")(await receiving);
    zmqError("EAGAIN", "Operation was not possible or timed out")(await sending);
  } finally {
    sock.close();
  }
});

test("zeromq compat: close cancels pending operations with EAGAIN; afterwards EBADF", async () => {
  const sock = new zmq.Dealer();
  const receiving = sock.receive();
  const sending = sock.send("never");
  sock.close();
  equal(sock.closed, true);
  await rejects(receiving, zmqError("EAGAIN", "Operation was not possible or timed out"));
  await rejects(sending, zmqError("EAGAIN"));
  throws(() => sock.receive(), zmqError("EBADF", "Socket is closed"));
  throws(() => sock.send("x"), zmqError("EBADF", "Socket is closed"));
  throws(() => sock.connect("tcp://127.0.0.1:5555"), zmqError("EBADF"));
  equal(sock.readable, false);
  equal(sock.writable, false);
});

test("zeromq compat: async iteration ends on close; libzmq's own errors still surface", async () => {
  const sock = new zmq.Pair();
  setTimeout(() => sock.close(), 20);
  for await (const _ of sock) { /* nothing arrives */ }
  const req = new zmq.Request();
  setTimeout(() => req.close(), 20);
  await rejects(
    (async () => {
      for await (const _ of req) { /* a REQ cannot receive first */ }
    })(),
    zmqError("EFSM", "Operation cannot be accomplished in current state"),
  );
});

test("zeromq compat: bind blocks the socket; close during bind waits for it", async () => {
  const sock = new zmq.Dealer();
  const address = uniqueInprocAddress();
  const binding = sock.bind(address);
  throws(
    () => sock.bind(uniqueInprocAddress()),
    zmqError("EBUSY", "Socket is blocked by a bind or unbind operation"),
  );
  throws(() => sock.receive(), zmqError("EBUSY"));
  sock.close();
  equal(sock.closed, false);
  await binding;
  equal(sock.closed, true);

  // (A closed socket frees its inproc name a moment later, on libzmq's thread.)
  const other = new zmq.Dealer();
  const otherAddress = uniqueInprocAddress();
  await other.bind(otherAddress);
  const again = other.bind(otherAddress);
  other.close();
  await rejects(again, zmqError("EADDRINUSE", "Address already in use", otherAddress));
  equal(other.closed, true);
});

test("zeromq compat: endpoint errors carry libzmq's text, the code and the address", async () => {
  const sock = new zmq.Dealer();
  try {
    await rejects(sock.bind("foo-bar"), zmqError("EINVAL", "Invalid argument", "foo-bar"));
    await rejects(
      sock.bind("foo://bar"),
      zmqError("EPROTONOSUPPORT", "Protocol not supported", "foo://bar"),
    );
    const address = uniqueInprocAddress();
    await rejects(sock.unbind(address), zmqError("ENOENT", "No such endpoint", address));
    throws(() => sock.connect("foo-bar"), zmqError("EINVAL", "Invalid argument", "foo-bar"));
    throws(() => sock.disconnect(address), zmqError("ENOENT", "No such endpoint", address));
    throws(() => sock.bindSync("foo://bar"), zmqError("EPROTONOSUPPORT"));
    sock.bindSync(address);
    sock.unbindSync(address);
    throws(() => sock.bind(42 as unknown as string), /Address must be a string/);
  } finally {
    sock.close();
  }
});

test("zeromq compat: construction refuses what zeromq.js refuses, with its errors", () => {
  throws(() => new (zmq.Socket as any)(), /Socket type must be a number/);
  throws(() => new (zmq.Socket as any)(3, 1), /Options must be an object/);
  throws(() => new (zmq.Socket as any)(1, {}, 2), /Expected 2 arguments but received 3/);
  throws(() => new (zmq.Socket as any)(37), zmqError("EINVAL", "Invalid argument"));
  throws(() => new (zmq.Socket as any)(1, { context: {} }), /Invalid argument/);
  throws(
    () => new (zmq.Dealer as any)({ recoveryInterval: "hello" }),
    /Option value must be a number/,
  );
  throws(
    () => new (zmq.Dealer as any)({ securityMechanism: 1 }),
    /Cannot set property securityMechanism of #<Socket> which has only a getter/,
  );
  throws(
    () => new (zmq.Dealer as any)({ doesNotExist: 1 }),
    /Cannot add property doesNotExist, object is not extensible/,
  );
  const context = new zmq.Context({ maxSockets: 2 });
  const sockets = [new zmq.Dealer({ context }), new zmq.Dealer({ context })];
  try {
    throws(
      () => new zmq.Dealer({ context }),
      zmqError("EMFILE", "Too many open file descriptors"),
    );
  } finally {
    for (const sock of sockets) sock.close();
  }
  class MySocket extends zmq.Socket {
    constructor() {
      super(1);
    }
  }
  const mine = new MySocket();
  equal(mine.context, zmq.context);
  equal(mine.type, 1);
  mine.close();
});

test("zeromq compat: every socket has send and receive; the wrong one is refused", async () => {
  const sub = new zmq.Subscriber();
  const pub = new zmq.Publisher();
  try {
    throws(() => (sub as any).send(), /Message must be present/);
    await rejects((sub as any).send("x"), zmqError("ENOTSUP"));
    await rejects((pub as any).receive(), zmqError("ENOTSUP"));
  } finally {
    sub.close();
    pub.close();
  }
});

test("zeromq compat: Router connect with a routing id can route at once", async () => {
  const peer = new zmq.Router();
  await peer.bind("tcp://127.0.0.1:*");
  const router = new zmq.Router({ mandatory: true, linger: 0 });
  try {
    router.connect(peer.lastEndpoint!, { routingId: "remoteId" });
    await router.send(["remoteId", "hi"]);
    const [, body] = await withTimeout(peer.receive(), 5000, "routed message");
    equal(body.toString(), "hi");
  } finally {
    router.close();
    peer.close();
  }
});
