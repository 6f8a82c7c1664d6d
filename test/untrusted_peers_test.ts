/**
 * Untrusted peers: a raw TCP client (node:net, written here, no libzmq) that
 * sends garbage, a truncated ZMTP greeting, a frame bigger than anything
 * sensible, protocol violations after a valid handshake, or connects and
 * stalls, against bound sockets with and without `maxMessageSize`. After
 * every attack the bound socket must still serve a well-behaved peer, the
 * process must be alive, and memory must stay within a sane bound (a sanity
 * check on RSS, not a timed assertion).
 *
 * @module
 */
import { connect, type Socket as NetSocket } from "node:net";
import process from "node:process";
import * as zmq from "../mod.ts";
import { closeAll, equal, ok, receiveUntil, runtime, test, text, withTimeout } from "./harness.ts";

// ---------------------------------------------------------------- ZMTP bytes

/** A ZMTP 3.x greeting (64 bytes). */
function greeting(
  { mechanism = "NULL", asServer = false, major = 3, minor = 0 } = {},
): Uint8Array {
  const bytes = new Uint8Array(64);
  bytes[0] = 0xff;
  bytes[8] = 1; // as libzmq sends it (a ZMTP 1.0 peer reads a 1-byte identity)
  bytes[9] = 0x7f;
  bytes[10] = major;
  bytes[11] = minor;
  bytes.set(new TextEncoder().encode(mechanism).subarray(0, 20), 12);
  bytes[32] = asServer ? 1 : 0;
  return bytes;
}

/** A frame: short (1-byte size) or long (8-byte size), as a message part or a command. */
function frame(body: Uint8Array, { more = false, command = false } = {}): Uint8Array {
  const flags = (more ? 0x01 : 0) | (command ? 0x04 : 0);
  if (body.length < 256) return Uint8Array.of(flags, body.length, ...body);
  return concat(longHeader(body.length, flags), body);
}

/** The header of a long frame announcing `size` bytes (which may never come). */
function longHeader(size: number | bigint, flags = 0): Uint8Array {
  const header = new Uint8Array(9);
  header[0] = flags | 0x02;
  new DataView(header.buffer).setBigUint64(1, BigInt(size));
  return header;
}

/** The NULL mechanism's READY command with a Socket-Type property. */
function ready(socketType: string): Uint8Array {
  const name = new TextEncoder().encode("Socket-Type");
  const value = new TextEncoder().encode(socketType);
  const body = new Uint8Array(1 + 5 + 1 + name.length + 4 + value.length);
  let at = 0;
  body[at++] = 5;
  body.set(new TextEncoder().encode("READY"), at);
  at += 5;
  body[at++] = name.length;
  body.set(name, at);
  at += name.length;
  new DataView(body.buffer).setUint32(at, value.length);
  at += 4;
  body.set(value, at);
  return frame(body, { command: true });
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function garbage(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let x = seed * 2654435761 >>> 0;
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
  return bytes;
}

// ---------------------------------------------------------------- raw client

interface RawClient {
  socket: NetSocket;
  /** Resolves when the connection is closed (by either side). */
  closed: Promise<void>;
  /** Bytes received from the zmq socket so far. */
  received(): number;
  /** Resolves once `count` bytes arrived, or the connection closed. */
  receivedAtLeast(count: number): Promise<void>;
  send(bytes: Uint8Array): Promise<void>;
  destroy(): void;
}

function rawClient(endpoint: string): Promise<RawClient> {
  const port = Number(/:(\d+)$/.exec(endpoint)![1]);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port });
    let received = 0;
    let waiters: { count: number; resolve: () => void }[] = [];
    const wake = () => {
      const ready = waiters.filter((w) => received >= w.count || socket.destroyed);
      waiters = waiters.filter((w) => !ready.includes(w));
      for (const waiter of ready) waiter.resolve();
    };
    const closed = new Promise<void>((done) =>
      socket.once("close", () => {
        done();
        wake();
      })
    );
    socket.on("data", (chunk: Uint8Array) => {
      received += chunk.length;
      wake();
    });
    socket.on("error", () => {}); // resets are expected
    socket.once("connect", () =>
      resolve({
        socket,
        closed,
        received: () => received,
        receivedAtLeast: (count) =>
          received >= count || socket.destroyed
            ? Promise.resolve()
            : new Promise((resolve) => waiters.push({ count, resolve })),
        send: (bytes) =>
          new Promise((sent) => {
            if (socket.destroyed) return sent();
            socket.write(bytes, () => sent());
          }),
        destroy: () => socket.destroy(),
      }));
    socket.once("error", reject);
  });
}

// ---------------------------------------------------------------- checks

let served = 0;

/** A well-behaved zmq peer connects, sends, and the bound socket gets it. */
async function stillServes(
  bound: zmq.Pull,
  endpoint: string,
  peerOptions: Record<string, unknown> = {},
): Promise<void> {
  const push = new zmq.Push({ linger: 0, ...peerOptions });
  try {
    push.connect(endpoint);
    const body = `well-behaved ${++served}`;
    await withTimeout(push.send(body), 5_000, "the well-behaved send");
    // A ZMTP 1.0 peer (no socket type to check, with the NULL mechanism) may
    // have slipped garbage in as messages: skip those.
    const [frame] = await receiveUntil(bound, (frames) => text(frames[0]) === body, 5_000);
    equal(text(frame), body);
  } finally {
    push.close();
  }
}

function rssMiB(): number {
  return process.memoryUsage().rss / (1 << 20);
}

/** Sanity bound on memory growth over one attack (the attacks move < 10 MiB). */
const RSS_GROWTH_LIMIT_MIB = 256;

async function withBoundPull(
  options: Record<string, unknown>,
  attack: (endpoint: string, bound: zmq.Pull) => Promise<void>,
  peerOptions: Record<string, unknown> = {},
): Promise<void> {
  const pull = new zmq.Pull({ linger: 0, ...options });
  try {
    await pull.bind("tcp://127.0.0.1:*");
    const endpoint = pull.lastEndpoint!;
    await stillServes(pull, endpoint, peerOptions);
    const before = rssMiB();
    await attack(endpoint, pull);
    await stillServes(pull, endpoint, peerOptions);
    const grown = rssMiB() - before;
    ok(grown < RSS_GROWTH_LIMIT_MIB, `RSS grew by ${grown.toFixed(0)} MiB during the attack`);
  } finally {
    pull.close();
  }
}

const LIMITS = [{ label: "no maxMessageSize", options: {} }, {
  label: "maxMessageSize 1 KiB",
  options: { maxMessageSize: 1024 },
}];

// ---------------------------------------------------------------- attacks

/**
 * Connects, sends `first`, waits until libzmq answered (its greeting: it has
 * accepted and read ours) or hung up, then sends `rest`.
 */
async function attack(endpoint: string, first: Uint8Array, rest?: Uint8Array): Promise<RawClient> {
  const client = await rawClient(endpoint);
  await client.send(first);
  await withTimeout(
    // Its whole greeting answers a greeting; its signature anything else.
    client.receivedAtLeast(first.length === 64 && first[0] === 0xff ? 64 : 10),
    5_000,
    `libzmq to answer the greeting (got ${client.received()} bytes)`,
  );
  if (rest !== undefined) await client.send(rest);
  return client;
}

/** Whether libzmq itself must hang up on the attack, or may keep waiting for more. */
type Outcome = "closed" | "either";

const ATTACKS: [string, Uint8Array, Uint8Array | undefined, Outcome][] = [
  // Not a greeting at all: read as a ZMTP 1.0 peer, which may wait for more.
  ["garbage", garbage(500, 1), undefined, "either"],
  ["garbage after 0xFF", concat(Uint8Array.of(0xff), garbage(500, 2)), undefined, "closed"],
  [
    "an old ZMTP 1.0 peer with garbage",
    Uint8Array.of(5, 0, ...garbage(300, 9)),
    undefined,
    "either",
  ],
  ["a future protocol version", greeting({ major: 9, minor: 9 }), ready("PUSH"), "either"],
  // A Pull only talks to a Push.
  ["the wrong socket type", greeting(), ready("PUB"), "closed"],
  ["an unknown socket type", greeting(), ready("NONSENSE"), "closed"],
  ["a mechanism nobody configured", greeting({ mechanism: "CURVE" }), ready("PUSH"), "closed"],
  ["a garbage mechanism", greeting({ mechanism: "\u00ff\u0001XX" }), ready("PUSH"), "closed"],
  ["a command instead of READY", greeting(), frame(garbage(40, 3), { command: true }), "closed"],
  ["a message before READY", greeting(), frame(garbage(10, 4)), "closed"],
  [
    "READY with a property longer than itself",
    greeting(),
    frame(Uint8Array.of(5, 82, 69, 65, 68, 89, 200, 1, 2), { command: true }),
    "closed",
  ],
  ["a truncated READY", greeting(), ready("PUSH").subarray(0, 10), "either"],
  ["READY twice", greeting(), concat(ready("PUSH"), ready("PUSH")), "either"],
  [
    "reserved flag bits",
    greeting(),
    concat(ready("PUSH"), Uint8Array.of(0xf8, 3, 1, 2, 3)),
    "either",
  ],
  [
    "an unknown command after READY",
    greeting(),
    concat(ready("PUSH"), frame(Uint8Array.of(4, 66, 79, 79, 77), { command: true })),
    "either",
  ],
  // libzmq cannot allocate 2^63 bytes: it must drop the peer, not abort.
  [
    "a frame of 2^63 bytes",
    greeting(),
    concat(ready("PUSH"), longHeader(2n ** 63n - 1n)),
    "closed",
  ],
];

for (const { label, options } of LIMITS) {
  test(`untrusted (${runtime}, ${label}): garbage, bad greetings and protocol violations`, async () => {
    await withBoundPull(options, async (endpoint) => {
      for (const [what, first, rest, outcome] of ATTACKS) {
        const client = await attack(endpoint, first, rest).catch((error) => {
          throw new Error(`${what}: ${error.message}`);
        });
        if (outcome === "closed") {
          await withTimeout(client.closed, 5_000, `libzmq to drop the peer that sent ${what}`);
        }
        client.destroy();
        await withTimeout(client.closed, 5_000, `the peer that sent ${what} to go`);
      }
    });
  });

  test(`untrusted (${runtime}, ${label}): truncated greetings and half-open peers`, async () => {
    await withBoundPull(options, async (endpoint) => {
      const clients: RawClient[] = [];
      // Every prefix of a valid greeting, left hanging; some cut off at once.
      const full = greeting();
      for (const cut of [1, 9, 10, 11, 12, 20, 33, 40, 63]) {
        const client = await rawClient(endpoint);
        await client.send(full.subarray(0, cut));
        clients.push(client);
      }
      for (const client of clients.splice(0, 4)) client.destroy();
      await handshakesWhileBadPeersHang(endpoint);
      for (const client of clients) client.destroy();
    });
  });

  test(`untrusted (${runtime}, ${label}): a frame announcing 2 GiB, then 1 MiB of it`, async () => {
    await withBoundPull(options, async (endpoint) => {
      const client = await attack(
        endpoint,
        greeting(),
        concat(ready("PUSH"), longHeader(2 ** 31), garbage(1 << 20, 7)),
      );
      if ("maxMessageSize" in options) {
        await withTimeout(client.closed, 5_000, "libzmq to drop the oversized frame");
      }
      client.destroy();
      await withTimeout(client.closed, 5_000, "the oversized peer to go");
    });
  });

  test(`untrusted (${runtime}, ${label}): a correct peer that sends byte by byte is served`, async () => {
    await withBoundPull(options, async (endpoint, bound) => {
      const polite = await attack(endpoint, greeting());
      const bytes = concat(ready("PUSH"), frame(new TextEncoder().encode("slowly")));
      for (let i = 0; i < bytes.length; i += 3) await polite.send(bytes.subarray(i, i + 3));
      const [got] = await withTimeout(bound.receive(), 5_000, "the byte-by-byte message");
      equal(text(got), "slowly");
      polite.destroy();
    });
  });
}

test(`untrusted (${runtime}): a flood of connections that stall or vanish`, async () => {
  await withBoundPull({ maxMessageSize: 4096 }, async (endpoint) => {
    const stalled: RawClient[] = [];
    for (let i = 0; i < 60; i++) {
      const client = await rawClient(endpoint);
      if (i % 3 === 0) client.destroy(); // connect and vanish
      else if (i % 3 === 1) stalled.push(client); // connect and say nothing
      else {
        await client.send(greeting()); // greet, then stall mid-handshake
        stalled.push(client);
      }
    }
    await handshakesWhileBadPeersHang(endpoint);
    for (const client of stalled) client.destroy();
    await Promise.all(stalled.map((c) => withTimeout(c.closed, 5_000, "a stalled peer to close")));
  });
});

test(`untrusted (${runtime}): handshakeInterval drops a peer that never finishes`, async () => {
  await withBoundPull({ handshakeInterval: 200 }, async (endpoint) => {
    const client = await rawClient(endpoint);
    await client.send(greeting().subarray(0, 20));
    await withTimeout(client.closed, 5_000, "libzmq to drop the stalled handshake");
  });
});

test(`untrusted (${runtime}): a Router survives garbage and oversized frames, and routes on`, async () => {
  const router = new zmq.Router({ linger: 0, maxMessageSize: 1024 });
  const dealer = new zmq.Dealer({ linger: 0, routingId: "good" });
  try {
    await router.bind("tcp://127.0.0.1:*");
    const endpoint = router.lastEndpoint!;
    for (let i = 0; i < 6; i++) {
      const client = i % 2 === 0
        ? await attack(endpoint, concat(Uint8Array.of(0xff), garbage(500, i)))
        : await attack(endpoint, greeting(), concat(ready("DEALER"), longHeader(1 << 30)));
      // Both are beyond what libzmq accepts (maxMessageSize 1 KiB): it hangs up.
      await withTimeout(client.closed, 5_000, "the Router to drop a bad peer");
    }
    dealer.connect(endpoint);
    await dealer.send("hello");
    const [id, body] = await withTimeout(router.receive(), 5_000, "the good Dealer's message");
    equal(text(id), "good");
    equal(text(body), "hello");
    await router.send([id, "back"]);
    const [reply] = await withTimeout(dealer.receive(), 5_000, "the reply");
    equal(text(reply), "back");
  } finally {
    closeAll(router, dealer);
  }
});

test(`untrusted (${runtime}): a CURVE server drops forged and malformed handshakes`, async () => {
  const server = zmq.curveKeyPair();
  const client = zmq.curveKeyPair();
  await withBoundPull(
    { curveServer: true, curveSecretKey: server.secretKey },
    async (endpoint) => {
      const command = (name: string, body: Uint8Array) =>
        frame(concat(Uint8Array.of(name.length), new TextEncoder().encode(name), body), {
          command: true,
        });
      const curve = greeting({ mechanism: "CURVE" });
      const attacks: [string, Uint8Array][] = [
        ["a HELLO of random bytes", command("HELLO", garbage(194, 11))],
        ["a short HELLO", command("HELLO", garbage(20, 12))],
        ["a long HELLO", command("HELLO", garbage(400, 13))],
        ["INITIATE before HELLO", command("INITIATE", garbage(300, 14))],
        ["a message instead of HELLO", frame(garbage(100, 15))],
        ["the NULL mechanism's READY", ready("PUSH")],
      ];
      for (const [what, bytes] of attacks) {
        const peer = await attack(endpoint, curve, bytes);
        await withTimeout(peer.closed, 5_000, `the CURVE server to drop ${what}`);
      }
    },
    // The well-behaved peer, before and after: a real CURVE client.
    {
      curveServerKey: server.publicKey,
      curvePublicKey: client.publicKey,
      curveSecretKey: client.secretKey,
    },
  );
});

/** While bad peers still hang on, a new well-behaved peer completes its handshake. */
async function handshakesWhileBadPeersHang(endpoint: string): Promise<void> {
  const push = new zmq.Push({ linger: 0 });
  try {
    const events = push.events[Symbol.asyncIterator]();
    push.connect(endpoint);
    for (;;) {
      const next = await withTimeout(events.next(), 5_000, "a handshake with the bound socket");
      if (next.done) throw new Error("the events ended before the handshake");
      if (next.value.type === "handshake") break;
    }
    await events.return?.();
  } finally {
    push.close();
  }
}
