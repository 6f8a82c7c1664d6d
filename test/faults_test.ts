/**
 * Faults between hosts, injected by a TCP relay (test/fault_relay.ts) that
 * runs in the test process on the bridge between namespace hosts: added
 * delay, a throttled link, connections reset mid-stream, a stalled peer
 * (heartbeats must notice it) and a stalled consumer (high-water marks).
 *
 * Every path is: a socket here -> relay -> a forwarding peer in its own
 * process on a namespace host -> a clean connection back to a PULL here,
 * which counts what arrived. Where namespaces are not allowed, the same
 * tests run with local peer processes on 127.0.0.1 (the relay supplies the
 * faults either way). ZeroMQ is at-most-once: losses after a reset are
 * counted and reported, not hidden.
 */
import * as zmq from "../mod.ts";
import { type Direction, FaultRelay } from "./fault_relay.ts";
import { anyNetwork, type Network } from "./netns/hosts.ts";
import { type Peer, startPeer } from "./netns/peers.ts";
import { Collector, EventLog, pause, tally } from "./netns/support.ts";
import { closeAll, equal, ok, rejects, test } from "./harness.ts";

type Pattern = "PUSH/PULL" | "PUB/SUB";

interface Path {
  network: Network;
  relay: FaultRelay;
  sender: zmq.Push | zmq.Publisher;
  back: zmq.Pull;
  collector: Collector;
  peer: Peer;
  /** The peer's tag on what it forwards. */
  tag: string;
  /** The relay direction the data travels in. */
  data: Direction;
  send(kind: string, seq?: number, payload?: Uint8Array): Promise<void>;
}

interface PathOptions {
  senderOptions?: zmq.PushOptions & zmq.PublisherOptions;
  peerOptions?: Record<string, unknown>;
}

const notes = new Set<string>();

function note(text: string) {
  if (notes.has(text)) return;
  notes.add(text);
  console.log(`faults: ${text}`);
}

/**
 * Builds sender -> relay -> forwarding peer -> back, runs `body`, and tears
 * everything down whatever happens.
 */
async function withPath(
  pattern: Pattern,
  options: PathOptions,
  body: (path: Path) => Promise<void>,
): Promise<void> {
  const { network, note: where } = await anyNetwork(1);
  note(where);
  const host = network.hosts[0];
  const sockets: { close(): void }[] = [];
  let relay: FaultRelay | undefined;
  try {
    const back = new zmq.Pull({ linger: 0 });
    sockets.push(back);
    await back.bind(`tcp://${network.hubAddress}:*`);
    const collector = new Collector(back);
    const to = { type: "PUSH", connect: back.lastEndpoint };
    let sender: zmq.Push | zmq.Publisher;
    let peer: Peer;
    if (pattern === "PUSH/PULL") {
      peer = await startPeer(host, {
        role: "forward",
        tag: host.name,
        from: { type: "PULL", bind: `tcp://${host.address}:*`, options: options.peerOptions },
        to,
      });
      relay = await FaultRelay.start(peer.endpoints.from, { host: network.hubAddress });
      sender = new zmq.Push({ linger: 0, reconnectInterval: 50, ...options.senderOptions });
      sockets.push(sender);
      sender.connect(relay.endpoint);
    } else {
      sender = new zmq.Publisher({ linger: 0, ...options.senderOptions });
      sockets.push(sender);
      await sender.bind(`tcp://${network.hubAddress}:*`);
      relay = await FaultRelay.start(sender.lastEndpoint!, { host: network.hubAddress });
      peer = await startPeer(host, {
        role: "forward",
        tag: host.name,
        from: {
          type: "SUB",
          connect: relay.endpoint,
          subscribe: [""],
          options: { reconnectInterval: 50, ...options.peerOptions },
        },
        to,
      });
    }
    const path: Path = {
      network,
      relay,
      sender,
      back,
      collector,
      peer,
      tag: host.name,
      data: pattern === "PUSH/PULL" ? "toTarget" : "toClient",
      send: (kind, seq = 0, payload) =>
        sender.send(payload ? [kind, String(seq), payload] : [kind, String(seq)]),
    };
    // Open the path end to end (a subscription must reach the publisher).
    await pumpUntil(path, "warm", () => collector.of(path.tag).warm > 0, 15_000);
    await body(path);
  } finally {
    closeAll(...sockets);
    await relay?.close();
    await network.destroy();
  }
}

/** Sends `kind` markers every 20 ms until `arrived()`; fails loudly after `ms`. */
async function pumpUntil(path: Path, kind: string, arrived: () => boolean, ms: number) {
  const deadline = performance.now() + ms;
  while (!arrived()) {
    if (performance.now() > deadline) {
      throw new Error(`No "${kind}" message came back within ${ms} ms`);
    }
    await path.send(kind);
    await path.collector.until(arrived, 20, kind).catch(() => {});
  }
}

/**
 * Sends `count` numbered messages, then tail markers until one is back, so
 * that everything that was going to arrive has arrived (both hops keep order).
 */
async function stream(path: Path, count: number, payload?: Uint8Array) {
  for (let seq = 0; seq < count; seq++) await path.send("data", seq, payload);
  const tails = path.collector.of(path.tag).tails;
  await pumpUntil(path, "tail", () => path.collector.of(path.tag).tails > tails, 20_000);
  return tally(path.collector.of(path.tag).seqs, count);
}

for (const pattern of ["PUSH/PULL", "PUB/SUB"] as const) {
  test(`faults: ${pattern} across 50 ms of added delay delivers everything, in order`, async () => {
    await withPath(pattern, {}, async (path) => {
      path.relay.setDelay(50);
      const sentAt = performance.now();
      const result = await stream(path, 200);
      equal(result.lost, 0, `a delayed TCP link must not lose messages: ${JSON.stringify(result)}`);
      ok(result.ordered, "messages arrived out of order");
      // Proof that the fault was in effect: nothing can cross faster than the delay.
      const firstTransit = path.collector.of(path.tag).arrivals[0] - sentAt;
      ok(
        firstTransit >= 45,
        `message 0 crossed in ${firstTransit.toFixed(1)} ms despite 50 ms delay`,
      );
    });
  }, { timeout: 30_000 });

  test(`faults: ${pattern} across a throttled link delivers everything, in order`, async () => {
    await withPath(pattern, {}, async (path) => {
      const rate = 256 * 1024;
      path.relay.setThrottle(rate);
      const payload = new Uint8Array(4096);
      const count = 64; // 256 KiB: about a second at this rate
      const before = path.relay.forwarded(path.data);
      const startedAt = performance.now();
      const result = await stream(path, count, payload);
      const seconds = (performance.now() - startedAt) / 1000;
      equal(
        result.lost,
        0,
        `a throttled TCP link must not lose messages: ${JSON.stringify(result)}`,
      );
      ok(result.ordered, "messages arrived out of order");
      const bytes = path.relay.forwarded(path.data) - before;
      // Lower bound only (a loaded machine is slower, never faster): the throttle held.
      ok(
        seconds >= 0.5 * bytes / rate,
        `${bytes} bytes crossed in ${seconds.toFixed(2)} s, faster than ${rate} B/s`,
      );
    });
  }, { timeout: 30_000 });

  test(`faults: ${pattern} keeps flowing after connections are reset mid-stream`, async () => {
    await withPath(pattern, {}, async (path) => {
      const { relay, collector, tag } = path;
      const payload = new Uint8Array(256);
      const resetsWanted = 3;
      let seqAtLastReset = -1;
      let seq = 0;
      // Reset every 64 KiB of data until three resets happened, while streaming.
      const resets = (async () => {
        for (let i = 0; i < resetsWanted; i++) await relay.resetAfter(64 * 1024, path.data);
        seqAtLastReset = seq;
      })();
      // Stream until a message sent after the last reset came back: the path healed.
      const deadline = performance.now() + 20_000;
      const healed = () =>
        seqAtLastReset >= 0 && collector.of(tag).seqs.some((s) => s > seqAtLastReset);
      while (!healed()) {
        if (performance.now() > deadline) {
          throw new Error(
            `No message got through after the last reset within 20 s (resets: ${relay.resets}, ` +
              `connections: ${relay.accepted}, received: ${collector.of(tag).seqs.length}/${seq})`,
          );
        }
        await path.send("data", seq++, payload);
        if (seq % 32 === 0) await pause(2); // a steady stream, not one burst
      }
      await resets;
      const tails = collector.of(tag).tails;
      await pumpUntil(path, "tail", () => collector.of(tag).tails > tails, 20_000);
      const result = tally(collector.of(tag).seqs, seq);
      console.log(
        `faults: ${pattern} with ${relay.resets} resets over ${relay.accepted} connections: ` +
          `${result.received}/${result.sent} delivered, ${result.lost} lost (at-most-once), ` +
          (result.ordered ? "in order" : `merged from ${result.runs} in-order streams`),
      );
      ok(
        relay.accepted >= resetsWanted + 1,
        `expected reconnects, saw ${relay.accepted} connections`,
      );
      equal(result.duplicates, 0, "a message arrived twice");
      // Order holds per connection: a reconnect may interleave what the old
      // connection still held with the new one's, so what arrived merges at
      // most one in-order stream per connection.
      ok(
        result.ordered || (pattern === "PUSH/PULL" && result.runs <= relay.accepted),
        `messages arrived in ${result.runs} interleaved in-order streams over ` +
          `${relay.accepted} connections: ${JSON.stringify(collector.of(tag).seqs)}`,
      );
    });
  }, { timeout: 40_000 });
}

test(
  "faults: heartbeats detect a stalled peer with a disconnect event, then reconnect",
  async () => {
    const heartbeatTimeout = 500;
    await withPath("PUSH/PULL", {
      senderOptions: { heartbeatInterval: 100, heartbeatTimeout },
    }, async (path) => {
      const log = new EventLog(path.sender);
      const stalledAt = performance.now();
      path.relay.stall();
      const bound = 10 * heartbeatTimeout;
      const disconnect = await log.next("disconnect", stalledAt, bound);
      const detectedIn = disconnect.at - stalledAt;
      console.log(
        `faults: stalled peer detected in ${detectedIn.toFixed(0)} ms ` +
          `(heartbeatInterval 100, heartbeatTimeout ${heartbeatTimeout})`,
      );
      path.relay.resume();
      // libzmq reconnects by itself; a fresh message proves the new connection.
      let seq = 0;
      const deadline = performance.now() + 15_000;
      while (path.collector.of(path.tag).seqs.length === 0) {
        ok(performance.now() < deadline, "no message after the reconnect within 15 s");
        await path.send("data", seq++);
        await path.collector.until(() => path.collector.of(path.tag).seqs.length > 0, 50, "data")
          .catch(() => {});
      }
      ok(path.relay.accepted >= 2, "no new connection was made");
    });
  },
  { timeout: 30_000 },
);

test("faults: PUB drops for a stalled subscriber only; a healthy one gets everything", async () => {
  const { network, note: where } = await anyNetwork(2);
  note(where);
  const [healthyHost, stalledHost] = network.hosts;
  const sockets: { close(): void }[] = [];
  let relay: FaultRelay | undefined;
  try {
    const back = new zmq.Pull({ linger: 0 });
    sockets.push(back);
    await back.bind(`tcp://${network.hubAddress}:*`);
    const collector = new Collector(back);
    // libzmq tells a writer how far its reader got only every HWM/2 messages,
    // so the healthy subscriber's batches of 10 need an HWM well above 10.
    const pub = new zmq.Publisher({ linger: 0, sendHighWaterMark: 100, sendBufferSize: 65536 });
    sockets.push(pub);
    await pub.bind(`tcp://${network.hubAddress}:*`);
    relay = await FaultRelay.start(pub.lastEndpoint!, { host: network.hubAddress });
    const subscriber = (host: typeof healthyHost, endpoint: string) =>
      startPeer(host, {
        role: "forward",
        tag: host.name,
        from: {
          type: "SUB",
          connect: endpoint,
          subscribe: [""],
          options: { receiveHighWaterMark: 100, receiveBufferSize: 65536 },
        },
        to: { type: "PUSH", connect: back.lastEndpoint },
      });
    await Promise.all([
      subscriber(healthyHost, pub.lastEndpoint!),
      subscriber(stalledHost, relay.endpoint),
    ]);
    const healthy = collector.of(healthyHost.name);
    const stalled = collector.of(stalledHost.name);
    const deadline = performance.now() + 15_000;
    while (healthy.warm === 0 || stalled.warm === 0) {
      ok(performance.now() < deadline, "the subscribers never received the warm-up");
      await pub.send(["warm", "0"]);
      await collector.until(() => healthy.warm > 0 && stalled.warm > 0, 20, "warm").catch(() => {});
    }

    relay.stall();
    const payload = new Uint8Array(16 * 1024);
    const count = 500; // 8 MB: far more than the stalled path can buffer (about 3 MB)
    for (let seq = 0; seq < count; seq++) {
      await pub.send(["data", String(seq), payload]);
      // Keep the healthy subscriber within its HWM: it must not lose anything.
      if (seq % 10 === 9) await collector.untilSeq(healthyHost.name, seq, 15_000);
    }
    relay.resume();
    const tailDeadline = performance.now() + 20_000;
    while (stalled.tails === 0) {
      ok(performance.now() < tailDeadline, "the stalled subscriber never recovered");
      await pub.send(["tail", "0"]);
      await collector.until(() => stalled.tails > 0, 20, "tail").catch(() => {});
    }
    const good = tally(healthy.seqs, count);
    const slow = tally(stalled.seqs, count);
    console.log(
      `faults: PUB with a stalled subscriber: healthy ${good.received}/${count}, ` +
        `stalled ${slow.received}/${count} (${slow.lost} dropped by the HWM)`,
    );
    equal(good.lost, 0, "the healthy subscriber lost messages");
    ok(good.ordered && slow.ordered, "reordered delivery");
    ok(slow.lost > 0, "the stalled subscriber lost nothing: the stall did not reach the HWM");
  } finally {
    closeAll(...sockets);
    await relay?.close();
    await network.destroy();
  }
}, { timeout: 40_000 });

test("faults: PUSH to a stalled consumer times out with EAGAIN and loses nothing", async () => {
  await withPath("PUSH/PULL", {
    senderOptions: { sendHighWaterMark: 10, sendBufferSize: 32768 },
    peerOptions: { receiveHighWaterMark: 10, receiveBufferSize: 32768 },
  }, async (path) => {
    const push = path.sender as zmq.Push;
    path.relay.stall();
    const payload = new Uint8Array(16 * 1024);
    let accepted = 0;
    let refusal: unknown;
    while (accepted < 5000) {
      try {
        await push.send(["data", String(accepted), payload], { timeout: 300 });
        accepted += 1;
      } catch (error) {
        refusal = error;
        break;
      }
    }
    ok(refusal !== undefined, `5000 sends of 16 KiB into a stalled link never blocked`);
    ok(refusal instanceof zmq.ZmqError, `not a ZmqError: ${refusal}`);
    equal(refusal.code, "EAGAIN");
    equal(push.trySend(["data", "x"]), false, "trySend must refuse while the HWM is reached");
    await rejects(push.send(["data", "x"], { timeout: 50 }), { code: "EAGAIN" });
    path.relay.resume();
    // Every message whose send resolved must arrive, in order.
    await path.collector.untilSeq(path.tag, accepted - 1, 20_000);
    const result = tally(path.collector.of(path.tag).seqs, accepted);
    console.log(
      `faults: PUSH into a stalled link: ${accepted} accepted before EAGAIN, all delivered`,
    );
    equal(result.lost, 0, `accepted messages were lost: ${JSON.stringify(result)}`);
    ok(result.ordered);
  });
}, { timeout: 40_000 });
