// The ZAP Authenticator, against real handshakes over tcp.
import { createServer, type Server, type Socket as NetSocket } from "node:net";
import * as zmq from "../mod.ts";
import {
  bindAny,
  closeAll,
  deepEqual,
  equal,
  ok,
  rejects,
  test,
  texts,
  throws,
  withTimeout,
} from "./harness.ts";

const curve = zmq.has("curve");
const refused = (error: unknown) => (error as zmq.ZmqError).code === "EAGAIN";

/** A Pull server and a Push client in a fresh context, with socket options per side. */
async function pair(
  context: zmq.Context,
  server: Record<string, unknown>,
  client: Record<string, unknown>,
) {
  const pull = new zmq.Pull({ context, linger: 0, ...server });
  const push = new zmq.Push({ context, linger: 0, ...client });
  const endpoint = await bindAny(pull, "tcp");
  return { pull, push, endpoint };
}

test("auth: a CURVE key on the allowlist gets in, another does not", async () => {
  const context = new zmq.Context();
  const server = zmq.curveKeyPair();
  const good = zmq.curveKeyPair();
  const bad = zmq.curveKeyPair();
  const decisions: zmq.AuthDecision[] = [];
  const auth = new zmq.Authenticator({
    context,
    curve: [good.publicKey],
    onDecision: (decision) => decisions.push(decision),
  });
  const { pull, push, endpoint } = await pair(
    context,
    { curveServer: true, curveSecretKey: server.secretKey },
    {
      curveServerKey: server.publicKey,
      curveSecretKey: good.secretKey,
      curvePublicKey: good.publicKey,
    },
  );
  const intruder = new zmq.Push({
    context,
    linger: 0,
    curveServerKey: server.publicKey,
    curveSecretKey: bad.secretKey,
    curvePublicKey: bad.publicKey,
  });
  try {
    intruder.connect(endpoint);
    intruder.trySend("from the intruder");
    push.connect(endpoint);
    await push.send("from a friend");
    deepEqual(texts(await withTimeout(pull.receive(), 5_000, "the friend's message")), [
      "from a friend",
    ]);
    await rejects(pull.receive({ timeout: 300 }), refused);
    ok(decisions.some((d) => d.allowed && d.request.publicKey === good.publicKey));
    ok(decisions.some((d) => !d.allowed && d.request.publicKey === bad.publicKey));
    equal(decisions.find((d) => !d.allowed)!.reason, "CURVE key not allowed");
  } finally {
    closeAll(push, intruder, pull);
    await auth.close();
  }
}, { ignore: !curve });

test("auth: PLAIN lets in the right password and refuses a wrong one", async () => {
  const context = new zmq.Context();
  const auth = new zmq.Authenticator({ context, plain: { admin: "s3cret ✓" } });
  const { pull, push, endpoint } = await pair(
    context,
    { plainServer: true },
    { plainUsername: "admin", plainPassword: "s3cret ✓" },
  );
  const wrong = new zmq.Push({
    context,
    linger: 0,
    plainUsername: "admin",
    plainPassword: "guess",
  });
  try {
    wrong.connect(endpoint);
    wrong.trySend("wrong");
    push.connect(endpoint);
    await push.send("right");
    deepEqual(texts(await withTimeout(pull.receive(), 5_000, "right")), ["right"]);
    await rejects(pull.receive({ timeout: 300 }), refused);
  } finally {
    closeAll(push, wrong, pull);
    await auth.close();
  }
});

test("auth: a denied address is refused, and deny wins over allow", async () => {
  const context = new zmq.Context();
  const decisions: zmq.AuthDecision[] = [];
  const auth = new zmq.Authenticator({
    context,
    allow: ["127.0.0.1"],
    deny: ["127.0.0.1"],
    onDecision: (d) => decisions.push(d),
  });
  // NULL sockets ask ZAP only when they have a zapDomain.
  const { pull, push, endpoint } = await pair(context, { zapDomain: "global" }, {});
  try {
    push.connect(endpoint);
    push.trySend("nope");
    await rejects(pull.receive({ timeout: 300 }), refused);
    equal(decisions[0]?.reason, "address denied");
  } finally {
    closeAll(push, pull);
    await auth.close();
  }
});

test("auth: an allow list lets listed addresses in", async () => {
  const context = new zmq.Context();
  const auth = new zmq.Authenticator({ context, allow: ["127.0.0.1"] });
  const { pull, push, endpoint } = await pair(context, { zapDomain: "global" }, {});
  try {
    push.connect(endpoint);
    await push.send("yes");
    deepEqual(texts(await withTimeout(pull.receive(), 5_000, "yes")), ["yes"]);
  } finally {
    closeAll(push, pull);
    await auth.close();
  }
});

test("auth: a domain policy serves its domain only", async () => {
  const context = new zmq.Context();
  const auth = new zmq.Authenticator({ context, domain: "inside", allow: ["127.0.0.1"] });
  const inside = await pair(context, { zapDomain: "inside" }, {});
  const outside = await pair(context, { zapDomain: "outside" }, {});
  try {
    inside.push.connect(inside.endpoint);
    outside.push.connect(outside.endpoint);
    await inside.push.send("in");
    outside.push.trySend("out");
    deepEqual(texts(await withTimeout(inside.pull.receive(), 5_000, "in")), ["in"]);
    await rejects(outside.pull.receive({ timeout: 300 }), refused);
  } finally {
    closeAll(inside.push, inside.pull, outside.push, outside.pull);
    await auth.close();
  }
});

test("auth: a custom authorize callback decides, and a throwing one refuses", async () => {
  const context = new zmq.Context();
  let calls = 0;
  const auth = new zmq.Authenticator({
    context,
    plain: {},
    authorize: (request) => {
      calls++;
      if (request.username === "boom") throw new Error("callback failed");
      return request.username === "guest";
    },
  });
  const { pull, push, endpoint } = await pair(
    context,
    { plainServer: true },
    { plainUsername: "guest", plainPassword: "any" },
  );
  const boom = new zmq.Push({ context, linger: 0, plainUsername: "boom", plainPassword: "x" });
  try {
    boom.connect(endpoint);
    boom.trySend("boom");
    push.connect(endpoint);
    await push.send("guest");
    deepEqual(texts(await withTimeout(pull.receive(), 5_000, "guest")), ["guest"]);
    await rejects(pull.receive({ timeout: 300 }), refused);
    ok(calls >= 2);
  } finally {
    closeAll(push, boom, pull);
    await auth.close();
  }
});

test("auth: a refused handshake shows up as a monitor event", async () => {
  const context = new zmq.Context();
  const auth = new zmq.Authenticator({ context, plain: { a: "b" } });
  const { pull, push, endpoint } = await pair(
    context,
    { plainServer: true },
    { plainUsername: "a", plainPassword: "nope" },
  );
  const events = pull.events[Symbol.asyncIterator]();
  try {
    push.connect(endpoint);
    const failure = (async () => {
      for (;;) {
        const next = await events.next();
        if (next.done) throw new Error("events ended");
        if (next.value.type.startsWith("handshake:error")) return next.value;
      }
    })();
    const event = await withTimeout(failure, 5_000, "a handshake failure event");
    equal(event.type, "handshake:error:auth");
  } finally {
    await events.return?.();
    closeAll(push, pull);
    await auth.close();
  }
});

test("auth: a second Authenticator on a context is a clear error; close frees the endpoint", async () => {
  const context = new zmq.Context();
  const first = new zmq.Authenticator({ context });
  throws(() => new zmq.Authenticator({ context }), (error: unknown) => {
    equal((error as zmq.ZmqError).code, "EADDRINUSE");
    ok(/already has an Authenticator/.test((error as Error).message));
    return true;
  });
  await first.close();
  await first.close(); // twice is fine
  const second = new zmq.Authenticator({ context });
  await second.close();
});

test("auth: bad keys are refused without echoing them", () => {
  const secret = zmq.curveKeyPair().secretKey;
  throws(() => new zmq.Authenticator({ curve: [secret.slice(0, 39)] }), (error: unknown) => {
    ok(error instanceof TypeError);
    ok(!(error as Error).message.includes(secret.slice(0, 39)), "the key was echoed");
    return true;
  });
  throws(() => new zmq.Authenticator({ curve: "all" as unknown as "any" }), TypeError);
});

/** A TCP relay that records every byte that crosses it. */
async function relay(
  target: string,
): Promise<{ endpoint: string; seen: () => string; server: Server }> {
  const [, host, port] = /^tcp:\/\/([^:]+):(\d+)$/.exec(target)!;
  const chunks: Uint8Array[] = [];
  const sockets: NetSocket[] = [];
  const server = createServer((client) => {
    const upstream = new (client.constructor as typeof NetSocket)();
    sockets.push(client, upstream);
    upstream.connect(Number(port), host);
    client.on("data", (data) => {
      chunks.push(new Uint8Array(data));
      upstream.write(data);
    });
    upstream.on("data", (data) => {
      chunks.push(new Uint8Array(data));
      client.write(data);
    });
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address() as { port: number };
  const closeServer = server.close.bind(server);
  server.close = ((callback?: (error?: Error) => void) => {
    for (const socket of sockets) socket.destroy();
    return closeServer(callback);
  }) as typeof server.close;
  return {
    endpoint: `tcp://127.0.0.1:${address.port}`,
    seen: () => new TextDecoder("latin1").decode(concat(chunks)),
    server,
  };
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const all = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let offset = 0;
  for (const chunk of chunks) {
    all.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return all;
}

for (const mechanism of ["NULL", "CURVE"] as const) {
  test(
    `auth: through a relay, the plaintext marker ${
      mechanism === "CURVE" ? "never crosses" : "crosses"
    } under ${mechanism}`,
    async () => {
      const marker = "MARKER-7f3a-plaintext";
      const server = zmq.curveKeyPair();
      const client = zmq.curveKeyPair();
      const secure = mechanism === "CURVE";
      const pull = new zmq.Pull({
        linger: 0,
        ...(secure ? { curveServer: true, curveSecretKey: server.secretKey } : {}),
      });
      const push = new zmq.Push({
        linger: 0,
        ...(secure
          ? {
            curveServerKey: server.publicKey,
            curveSecretKey: client.secretKey,
            curvePublicKey: client.publicKey,
          }
          : {}),
      });
      const endpoint = await bindAny(pull, "tcp");
      const middle = await relay(endpoint);
      try {
        push.connect(middle.endpoint);
        await push.send(marker);
        deepEqual(texts(await withTimeout(pull.receive(), 5_000, "the marker")), [marker]);
        equal(middle.seen().includes(marker), !secure);
        ok(middle.seen().length > 0, "nothing crossed the relay");
      } finally {
        closeAll(push, pull);
        await new Promise((resolve) => middle.server.close(resolve));
      }
    },
    { ignore: mechanism === "CURVE" && !curve },
  );
}

test("auth: a malformed ZAP request gets an error reply, not a crash or an open door", async () => {
  const context = new zmq.Context();
  const auth = new zmq.Authenticator({ context, curve: "any" });
  const fake = new zmq.Request({ context, linger: 0 });
  try {
    fake.connect(zmq.ZAP_ENDPOINT);
    await fake.send(["2.0", "id-1", "", "127.0.0.1", "", "CURVE"]);
    const [version, id, status] = texts(await withTimeout(fake.receive(), 5_000, "a ZAP reply"));
    deepEqual([version, id, status], ["1.0", "id-1", "500"]);
    await fake.send(["1.0", "id-2", "", "127.0.0.1", "", "CURVE", "short key"]);
    const reply = texts(await withTimeout(fake.receive(), 5_000, "a ZAP reply"));
    equal(reply[2], "400", "a CURVE key of the wrong length is refused");
  } finally {
    closeAll(fake);
    await auth.close();
  }
});
