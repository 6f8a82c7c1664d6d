/**
 * Measures how each fault heals: a steady stream of numbered messages
 * (one every 5 ms) from this process through the fault to a forwarding peer
 * on a namespace host and back, and for each fault the time from its end
 * until messages arrive again, the longest silence, and how many messages
 * were lost (ZeroMQ is at-most-once). The request/reply run counts retries.
 *
 *   deno run -A test/netns/measure.ts [--cut 5000] [--json]
 *   bun test/netns/measure.ts [--cut 5000] [--json]
 *
 * Needs root for the namespace faults (link cuts); the relay faults run
 * anywhere (on 127.0.0.1 without namespaces).
 *
 * @module
 */
import process from "node:process";
import { parseArgs } from "node:util";
import * as zmq from "../../mod.ts";
import { FaultRelay } from "../fault_relay.ts";
import { anyNetwork, createNetwork, netnsSupport, type Network } from "./hosts.ts";
import { startPeer } from "./peers.ts";
import { Collector, EventLog, pause, tally, Watch } from "./support.ts";

const { values: args } = parseArgs({
  args: process.argv.slice(2),
  options: {
    cut: { type: "string", default: "5000" },
    json: { type: "boolean", default: false },
  },
});
const CUT_MS = Number(args.cut);
const INTERVAL_MS = 5;

interface Row {
  fault: string;
  detectedMs?: number;
  healedMs: number;
  silenceMs: number;
  sent: number;
  lost: number;
  retried?: number;
  note?: string;
}

const rows: Row[] = [];
const runtime = "Deno" in globalThis ? "deno" : "bun";

/** A steady numbered stream from `send` into `collector`'s tag. */
function startStream(send: (seq: number) => Promise<unknown>) {
  let seq = 0;
  let stopped = false;
  const done = (async () => {
    while (!stopped) {
      await send(seq++).catch(() => {});
      await pause(INTERVAL_MS);
    }
  })();
  return {
    get sent() {
      return seq;
    },
    async stop() {
      stopped = true;
      await done;
      return seq;
    },
  };
}

/** After the stream stopped: pump tail markers until one is back, so counting is final. */
async function flush(send: (kind: string) => Promise<unknown>, collector: Collector, tag: string) {
  const tails = collector.of(tag).tails;
  const deadline = performance.now() + 30_000;
  while (collector.of(tag).tails === tails) {
    if (performance.now() > deadline) throw new Error("the path never carried a tail marker");
    await send("tail");
    await collector.until(() => collector.of(tag).tails > tails, 50, "tail").catch(() => {});
  }
}

function healing(collector: Collector, tag: string, faultStart: number, faultEnd: number) {
  const arrivals = collector.of(tag).arrivals;
  const after = arrivals.find((t) => t >= faultEnd);
  const before = [...arrivals].reverse().find((t) => t <= faultStart) ?? faultStart;
  return {
    healedMs: after === undefined ? NaN : after - faultEnd,
    silenceMs: after === undefined ? NaN : after - before,
  };
}

/** push (here) [-> relay] -> forwarding peer on h1 -> back (here). */
async function line(
  network: Network,
  options: { push?: zmq.PushOptions; relay?: boolean },
) {
  const host = network.hosts[0];
  const back = new zmq.Pull({ linger: 0 });
  await back.bind(`tcp://${network.hubAddress}:*`);
  const collector = new Collector(back);
  const peer = await startPeer(host, {
    role: "forward",
    tag: host.name,
    from: { type: "PULL", bind: `tcp://${host.address}:*` },
    to: { type: "PUSH", connect: back.lastEndpoint },
  });
  const relay = options.relay
    ? await FaultRelay.start(peer.endpoints.from, { host: network.hubAddress })
    : undefined;
  const push = new zmq.Push({ linger: 0, ...options.push });
  const log = new EventLog(push);
  push.connect(relay?.endpoint ?? peer.endpoints.from);
  const send = (kind: string, seq = 0) => push.send([kind, String(seq)]);
  await send("warm");
  await collector.until(() => collector.of(host.name).warm > 0, 20_000, "warm-up");
  return {
    host,
    back,
    collector,
    peer,
    relay,
    push,
    log,
    send,
    tag: host.name,
    async close() {
      push.close();
      back.close();
      await relay?.close();
    },
  };
}

async function linkCut(heartbeats: boolean) {
  const network = await createNetwork(1);
  try {
    const push = heartbeats
      ? {
        heartbeatInterval: 200,
        heartbeatTimeout: 1000,
        reconnectInterval: 100,
        connectTimeout: 1000,
      }
      : {};
    const l = await line(network, { push });
    const stream = startStream((seq) => l.send("data", seq));
    await pause(500);
    const cutAt = performance.now();
    await l.host.cut();
    await pause(CUT_MS);
    const restoredAt = performance.now();
    await l.host.restore();
    await l.collector.until(
      () => l.collector.of(l.tag).arrivals.some((t) => t >= restoredAt),
      60_000,
      "data after the restore",
    );
    await pause(500);
    const sent = await stream.stop();
    await flush(l.send, l.collector, l.tag);
    const disconnect = l.log.ofType("disconnect").find((e) => e.at >= cutAt);
    rows.push({
      fault: `link cut ${CUT_MS / 1000} s, ${
        heartbeats ? "heartbeats 200/1000 ms" : "no heartbeats (TCP)"
      }`,
      detectedMs: disconnect === undefined ? undefined : disconnect.at - cutAt,
      ...healing(l.collector, l.tag, cutAt, restoredAt),
      sent,
      lost: tally(l.collector.of(l.tag).seqs, sent).lost,
      note: disconnect === undefined ? "connection survived" : "disconnected, reconnected",
    });
    await l.close();
  } finally {
    await network.destroy();
  }
}

async function peerRestart(network: Network) {
  const l = await line(network, { push: { reconnectInterval: 100, reconnectIntervalMax: 1000 } });
  const stream = startStream((seq) => l.send("data", seq));
  await pause(500);
  const killedAt = performance.now();
  await l.peer.kill();
  await pause(2000);
  const restartedAt = performance.now();
  await startPeer(l.host, {
    role: "forward",
    tag: l.tag,
    from: { type: "PULL", bind: l.peer.endpoints.from },
    to: { type: "PUSH", connect: l.back.lastEndpoint },
  });
  const startedIn = performance.now() - restartedAt;
  await l.collector.until(
    () => l.collector.of(l.tag).arrivals.some((t) => t >= restartedAt),
    30_000,
    "data after the restart",
  );
  await pause(500);
  const sent = await stream.stop();
  await flush(l.send, l.collector, l.tag);
  const retries = l.log.ofType("connect:retry").filter((e) => e.at >= killedAt);
  rows.push({
    fault: "peer killed, restarted 2 s later",
    ...healing(l.collector, l.tag, killedAt, restartedAt),
    sent,
    lost: tally(l.collector.of(l.tag).seqs, sent).lost,
    note: `${retries.length} reconnect attempts (${
      retries.map((e) => e.interval).join("/")
    } ms); peer start took ${startedIn.toFixed(0)} ms`,
  });
  await l.close();
}

async function relayReset(network: Network) {
  const l = await line(network, { relay: true });
  const stream = startStream((seq) => l.send("data", seq));
  const heals: number[] = [];
  for (let i = 0; i < 5; i++) {
    await pause(400);
    const resetAt = performance.now();
    l.relay!.reset();
    await l.collector.until(
      () => l.collector.of(l.tag).arrivals.some((t) => t >= resetAt),
      20_000,
      "data after a reset",
    );
    heals.push(l.collector.of(l.tag).arrivals.find((t) => t >= resetAt)! - resetAt);
  }
  await pause(300);
  const sent = await stream.stop();
  await flush(l.send, l.collector, l.tag);
  const result = tally(l.collector.of(l.tag).seqs, sent);
  rows.push({
    fault: "connection reset (RST), 5 times, PUSH/PULL",
    healedMs: heals.reduce((a, b) => a + b, 0) / heals.length,
    silenceMs: Math.max(...heals),
    sent,
    lost: result.lost,
    note: `per reset: ${heals.map((h) => h.toFixed(0)).join("/")} ms; reconnectInterval 100 ms`,
  });
  await l.close();
}

async function stall(network: Network) {
  const l = await line(network, {
    relay: true,
    push: { heartbeatInterval: 200, heartbeatTimeout: 1000, reconnectInterval: 100 },
  });
  const stream = startStream((seq) => l.send("data", seq));
  await pause(500);
  const stalledAt = performance.now();
  l.relay!.stall();
  const disconnect = await l.log.next("disconnect", stalledAt, 20_000);
  await pause(Math.max(0, 3000 - (performance.now() - stalledAt)));
  const resumedAt = performance.now();
  l.relay!.resume();
  await l.collector.until(
    () => l.collector.of(l.tag).arrivals.some((t) => t >= resumedAt),
    20_000,
    "data after the resume",
  );
  await pause(500);
  const sent = await stream.stop();
  await flush(l.send, l.collector, l.tag);
  rows.push({
    fault: "peer stalled 3 s (relay), heartbeats 200/1000 ms",
    detectedMs: disconnect.at - stalledAt,
    ...healing(l.collector, l.tag, stalledAt, resumedAt),
    sent,
    lost: tally(l.collector.of(l.tag).seqs, sent).lost,
    note:
      "disconnected on heartbeat timeout; bytes already inside the stalled connection still arrive when it resumes, as from a stopped peer's kernel buffer",
  });
  await l.close();
}

async function lazyPirate(network: Network) {
  const host = network.hosts[0];
  const notices = new zmq.Pull({ linger: 0 });
  await notices.bind(`tcp://${network.hubAddress}:*`);
  const executed = new Map<string, number>();
  const watch = new Watch();
  (async () => {
    for await (const [, id] of notices) {
      const key = new TextDecoder().decode(id);
      executed.set(key, (executed.get(key) ?? 0) + 1);
      watch.changed();
    }
  })();
  const server = await startPeer(host, {
    role: "idempotent",
    bind: `tcp://${host.address}:*`,
    notify: notices.lastEndpoint,
  });
  const relay = await FaultRelay.start(server.endpoints.server, { host: network.hubAddress });
  relay.setDelay(20);
  let stop = false;
  const resetter = (async () => {
    while (!stop) {
      await pause(300 + Math.random() * 300);
      relay.reset();
    }
  })();
  const timeout = 250;
  const client = new zmq.LazyPirateClient(relay.endpoint, {
    timeout,
    retries: 20,
    requestIds: true,
  });
  const count = 100;
  const startedAt = performance.now();
  const latencies: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    await client.request(`job ${i}`);
    latencies.push(performance.now() - t);
  }
  const elapsed = performance.now() - startedAt;
  stop = true;
  await resetter;
  await watch.until(() => executed.size === count, 10_000, "every execution notice");
  const stats = client.statistics();
  latencies.sort((a, b) => a - b);
  rows.push({
    fault: `LazyPirateClient (timeout ${timeout} ms), resets every 300-600 ms, 20 ms delay`,
    healedMs: latencies[Math.floor(count * 0.99)],
    silenceMs: latencies[count - 1],
    sent: count,
    lost: count - stats.answered,
    retried: stats.retries,
    note: `${relay.resets} resets; ${
      [...executed.values()].filter((n) => n > 1).length
    } ran twice; median ${latencies[count / 2].toFixed(0)} ms, ${
      (count / elapsed * 1000).toFixed(0)
    } req/s`,
  });
  client.close();
  notices.close();
  await relay.close();
}

const support = await netnsSupport();
console.log(
  `measure.ts on ${runtime}: ${
    support.ok ? "network namespaces" : `local processes (${support.reason})`
  }`,
);
if (support.ok) {
  await linkCut(false);
  await linkCut(true);
}
for (const run of [peerRestart, relayReset, stall, lazyPirate]) {
  const { network } = await anyNetwork(1);
  try {
    await run(network);
  } finally {
    await network.destroy();
  }
}

const fmt = (n: number | undefined) => n === undefined || Number.isNaN(n) ? "-" : n.toFixed(0);
console.log(
  "\n| fault | detected (ms) | healed (ms) | longest silence (ms) | sent | lost | retried | notes |",
);
console.log("|---|---|---|---|---|---|---|---|");
for (const r of rows) {
  console.log(
    `| ${r.fault} | ${fmt(r.detectedMs)} | ${fmt(r.healedMs)} | ${
      fmt(r.silenceMs)
    } | ${r.sent} | ${r.lost} | ${r.retried ?? "-"} | ${r.note ?? ""} |`,
  );
}
console.log(
  "\nhealed: from the fault's end (restore, restart, resume, reset) to the first message through;" +
    "\nfor LazyPirateClient: healed = p99 request latency, longest silence = slowest request.",
);
if (args.json) console.log(JSON.stringify({ runtime, rows }));
process.exit(0);
