// receiveWithMetadata(): frames with ZMQ_MORE and the connection's properties.
import * as zmq from "../mod.ts";
import {
  bindAny,
  closeAll,
  deepEqual,
  equal,
  isZmqError,
  ok,
  rejects,
  test,
  texts,
  throws,
  withTimeout,
} from "./harness.ts";

test("metadata over tcp: frames, more flags, peer address and socket type", async () => {
  const pull = new zmq.Pull({ linger: 0 });
  const push = new zmq.Push({ linger: 0 });
  try {
    push.connect(await bindAny(pull, "tcp"));
    await push.send(["one", "two", new Uint8Array(100_000).fill(9)]);
    const { frames, more, metadata } = await withTimeout(
      pull.receiveWithMetadata(),
      5_000,
      "the message",
    );
    deepEqual(texts(frames.slice(0, 2)), ["one", "two"]);
    ok(frames[2].length === 100_000 && frames[2].every((byte) => byte === 9));
    deepEqual(more, [true, true, false]);
    equal(metadata.peerAddress, "127.0.0.1");
    equal(metadata.socketType, "PUSH");
    equal(metadata.userId, undefined, "no ZAP handler, no user id");
    equal(metadata.routingId, undefined, "a Push announces no routing id");
    equal(metadata.get("Peer-Address"), "127.0.0.1");
    equal(metadata.get("Socket-Type"), "PUSH");
    equal(metadata.get("User-Id"), undefined);
  } finally {
    closeAll(push, pull);
  }
});

test("metadata: a Router sees the Dealer's routing id; the Dealer sees a ROUTER", async () => {
  const router = new zmq.Router({ linger: 0 });
  const dealer = new zmq.Dealer({ linger: 0, routingId: "dealer-7" });
  try {
    dealer.connect(await bindAny(router, "tcp"));
    await dealer.send("hello");
    const request = await withTimeout(router.receiveWithMetadata(), 5_000, "the request");
    deepEqual(texts(request.frames), ["dealer-7", "hello"]);
    deepEqual(request.more, [true, false]);
    equal(request.metadata.routingId, "dealer-7");
    equal(request.metadata.get("Identity"), "dealer-7");
    equal(request.metadata.socketType, "DEALER");
    await router.send([request.frames[0], "back"]);
    const reply = await withTimeout(dealer.receiveWithMetadata(), 5_000, "the reply");
    deepEqual(texts(reply.frames), ["back"]);
    equal(reply.metadata.socketType, "ROUTER");
    equal(reply.metadata.routingId, undefined, "the Router set no routing id");
  } finally {
    closeAll(dealer, router);
  }
});

test("metadata: the Authenticator's PLAIN user name is the User-Id", async () => {
  const context = new zmq.Context();
  const auth = new zmq.Authenticator({ context, plain: { admin: "s3cret" } });
  const pull = new zmq.Pull({ context, linger: 0, plainServer: true });
  const push = new zmq.Push({
    context,
    linger: 0,
    plainUsername: "admin",
    plainPassword: "s3cret",
  });
  try {
    push.connect(await bindAny(pull, "tcp"));
    await push.send("signed in");
    const { frames, metadata } = await withTimeout(
      pull.receiveWithMetadata({ properties: ["X-Not-There"] }),
      5_000,
      "the message",
    );
    deepEqual(texts(frames), ["signed in"]);
    equal(metadata.userId, "admin");
    equal(metadata.get("User-Id"), "admin");
    equal(metadata.get("X-Not-There"), undefined, "asked for, and absent");
  } finally {
    closeAll(push, pull);
    await auth.close();
    await context.terminate();
  }
});

test("metadata: the Authenticator's CURVE key is the User-Id", async () => {
  const context = new zmq.Context();
  const server = zmq.curveKeyPair();
  const client = zmq.curveKeyPair();
  const auth = new zmq.Authenticator({ context, curve: [client.publicKey] });
  const pull = new zmq.Pull({
    context,
    linger: 0,
    curveServer: true,
    curveSecretKey: server.secretKey,
  });
  const push = new zmq.Push({
    context,
    linger: 0,
    curveServerKey: server.publicKey,
    curvePublicKey: client.publicKey,
    curveSecretKey: client.secretKey,
  });
  try {
    push.connect(await bindAny(pull, "tcp"));
    await push.send("encrypted");
    const { metadata } = await withTimeout(pull.receiveWithMetadata(), 5_000, "the message");
    equal(metadata.userId, client.publicKey);
  } finally {
    closeAll(push, pull);
    await auth.close();
    await context.terminate();
  }
}, { ignore: !zmq.has("curve") });

test("metadata over inproc: there are no properties", async () => {
  const a = new zmq.Pair({ linger: 0 });
  const b = new zmq.Pair({ linger: 0 });
  try {
    b.connect(await bindAny(a, "inproc"));
    await b.send(["x", "y"]);
    const { frames, more, metadata } = await withTimeout(
      a.receiveWithMetadata(),
      5_000,
      "the message",
    );
    deepEqual(texts(frames), ["x", "y"]);
    deepEqual(more, [true, false]);
    deepEqual(
      [metadata.peerAddress, metadata.userId, metadata.socketType, metadata.routingId],
      [undefined, undefined, undefined, undefined],
    );
  } finally {
    closeAll(a, b);
  }
});

test("metadata: a property that was not read, or a bad name, is a clear error", async () => {
  const pull = new zmq.Pull({ linger: 0 });
  const push = new zmq.Push({ linger: 0 });
  try {
    push.connect(await bindAny(pull, "inproc"));
    await push.send("x");
    const { metadata } = await withTimeout(pull.receiveWithMetadata(), 5_000, "the message");
    throws(() => metadata.get("X-Custom"), /was not read for this message/);
    throws(() => metadata.get(42 as unknown as string), TypeError);
    await rejects(
      pull.receiveWithMetadata({ properties: "User-Id" as unknown as string[] }),
      TypeError,
    );
    await rejects(pull.receiveWithMetadata({ properties: [""] }), TypeError);
    await rejects(pull.receiveWithMetadata({ properties: ["A\0B"] }), TypeError);
    await rejects(pull.receiveWithMetadata({ timeout: -5 }), RangeError);
  } finally {
    closeAll(push, pull);
  }
});

test("metadata: served in call order with receive(); timeout and close fail clearly", async () => {
  const pull = new zmq.Pull({ linger: 0 });
  const push = new zmq.Push({ linger: 0 });
  try {
    push.connect(await bindAny(pull, "tcp"));
    const first = pull.receive({ timeout: 5_000 });
    const second = pull.receiveWithMetadata({ timeout: 5_000 });
    const third = pull.receive({ timeout: 5_000 });
    for (const text of ["1", "2", "3"]) await push.send(text);
    const [a, b, c] = await withTimeout(Promise.all([first, second, third]), 5_000, "all three");
    deepEqual([...texts(a), ...texts(b.frames), ...texts(c)], ["1", "2", "3"]);
    equal(b.metadata.socketType, "PUSH");
    await rejects(pull.receiveWithMetadata({ timeout: 0 }), isZmqError("EAGAIN"));
    const pending = pull.receiveWithMetadata();
    pull.close();
    await withTimeout(rejects(pending, isZmqError("ENOTSOCK")), 5_000, "the rejection");
    await rejects(pull.receiveWithMetadata(), isZmqError("ENOTSOCK"));
  } finally {
    closeAll(push, pull);
  }
});
