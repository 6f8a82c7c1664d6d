/**
 * Beacons: zbeacon's rules (shared port, prefix filter, own echoes left out,
 * 255-byte payloads), interoperation with czmq's zbeacon itself (a C program
 * compiled here), two hosts on one bridge discovering each other and a
 * service across them, and a silent service leaving the directory.
 *
 * Broadcasts stay on this machine: on loopback (127.255.255.255) or on the
 * test's own bridge between network-namespace hosts (test/netns/hosts.ts).
 */
import { type ChildProcess, spawnSync } from "node:child_process";
import dgram from "node:dgram";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as zmq from "../mod.ts";
import {
  deepEqual,
  equal,
  match,
  ok,
  rejects,
  runScript,
  runtimeCommand,
  test,
  texts,
  throws,
  waitUntil,
  withTimeout,
} from "./harness.ts";
import { createNetwork, type Host, netnsSupport, type Network } from "./netns/hosts.ts";

const decoder = new TextDecoder();
const PEER = fileURLToPath(new URL("./fixtures/beacon_peer.ts", import.meta.url));

/** A UDP port for one test: random, so parallel runs rarely share one. */
const freshPort = () => 20_000 + Math.floor(Math.random() * 30_000);

/** Receives beacons until one satisfies `accept` (bounded). */
async function hear(
  beacon: zmq.Beacon,
  accept: (signal: zmq.BeaconSignal) => boolean,
  ms = 5_000,
): Promise<zmq.BeaconSignal> {
  const deadline = performance.now() + ms;
  for (;;) {
    const signal = await beacon.receive({
      timeout: Math.max(1, Math.ceil(deadline - performance.now())),
    });
    if (accept(signal)) return signal;
  }
}

const payloadIs = (text: string) => (signal: zmq.BeaconSignal) =>
  decoder.decode(signal.payload) === text;

/** A process on a host whose JSON output lines the test reads. */
class Peer {
  readonly lines: Record<string, unknown>[] = [];
  stderr = "";
  #buffer = "";
  #waiters = new Set<() => void>();
  #exited = false;

  constructor(readonly child: ChildProcess, readonly name: string) {
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      this.#buffer += chunk;
      let at;
      while ((at = this.#buffer.indexOf("\n")) >= 0) {
        const line = this.#buffer.slice(0, at).trim();
        this.#buffer = this.#buffer.slice(at + 1);
        if (line.startsWith("{")) this.lines.push(JSON.parse(line));
        else if (line !== "") this.lines.push({ text: line });
      }
      for (const waiter of this.#waiters) waiter();
    });
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => this.stderr += chunk);
    child.once("close", () => {
      this.#exited = true;
      for (const waiter of this.#waiters) waiter();
    });
  }

  /** Resolves with the first line satisfying `accept` (bounded); fails if the process exits. */
  line(accept: (line: Record<string, unknown>) => boolean, ms: number, what: string) {
    return withTimeout(
      new Promise<Record<string, unknown>>((resolve, reject) => {
        const check = () => {
          const found = this.lines.find(accept);
          if (found) resolve(found);
          else if (this.#exited) reject(new Error(`${this.name} exited: ${this.stderr}`));
          else return;
          this.#waiters.delete(check);
        };
        this.#waiters.add(check);
        check();
      }),
      ms,
      `${this.name}: ${what}\n${this.stderr}`,
    );
  }
}

function startPeer(host: Host, config: object): Peer {
  const child = host.spawn([...runtimeCommand(PEER), JSON.stringify(config)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Peer(child, `${host.name} (${JSON.stringify(config)})`);
}

const netns = await netnsSupport();
if (!netns.ok) console.warn(`beacon tests across hosts run on loopback: ${netns.reason}`);

/** Two hosts on a bridge, or (without namespaces) two local processes on loopback. */
async function twoHosts(): Promise<{ network: Network; iface: (host: Host) => string }> {
  if (netns.ok) {
    return { network: await createNetwork(2), iface: (host) => host.interface };
  }
  const { localNetwork } = await import("./netns/hosts.ts");
  return { network: localNetwork(2), iface: () => "lo" };
}

// ---------------------------------------------------------------------------
// zbeacon's rules, on loopback

test("beacon: two beacons on one port hear each other, not their own echo", async () => {
  const port = freshPort();
  const a = new zmq.Beacon({ port, interface: "lo" });
  const b = new zmq.Beacon({ port, interface: "lo" });
  try {
    deepEqual(await a.ready, { name: "lo", address: "127.0.0.1", broadcast: "127.255.255.255" });
    a.subscribe();
    b.subscribe("");
    a.publish("from A", { interval: 50 });
    b.publish(new TextEncoder().encode("from B"), { interval: 50 });
    const heardByA = await hear(a, () => true);
    const heardByB = await hear(b, () => true);
    equal(decoder.decode(heardByA.payload), "from B");
    equal(heardByA.address, "127.0.0.1");
    equal(heardByA.port, port);
    equal(decoder.decode(heardByB.payload), "from A");
    // Several intervals later, A has still heard only B: its own echoes were left out.
    await waitUntil(() => a.statistics().ignored >= 3, 5_000, "A's own echoes to come back");
    while (true) {
      const next = a.tryReceive();
      if (next === null) break;
      equal(decoder.decode(next.payload), "from B");
    }
    ok(a.statistics().sent >= 3, "A broadcast");
  } finally {
    a.close();
    b.close();
  }
});

test("beacon: a prefix filter, as zbeacon's SUBSCRIBE", async () => {
  const port = freshPort();
  const nodes = [1, 2, 3].map(() => new zmq.Beacon({ port, interface: "lo" }));
  try {
    nodes[0].publish("NODE/1", { interval: 30 });
    nodes[1].publish("NODE/2", { interval: 30 });
    nodes[2].publish("RANDOM", { interval: 30 });
    nodes[0].subscribe("NODE");
    for (let i = 0; i < 5; i++) {
      const signal = await nodes[0].receive({ timeout: 5_000 });
      equal(decoder.decode(signal.payload), "NODE/2", "only NODE/*, and not its own");
    }
    // Without a subscription nothing is queued.
    equal(nodes[1].tryReceive(), null);
    nodes[0].unsubscribe();
    equal(nodes[0].tryReceive(), null);
  } finally {
    for (const node of nodes) node.close();
  }
});

test("beacon: oversized datagrams are reported and dropped; payloads over 255 bytes are refused", async () => {
  const port = freshPort();
  const errors: zmq.ZmqError[] = [];
  const beacon = new zmq.Beacon({ port, interface: "lo", onError: (e) => errors.push(e) });
  const raw = dgram.createSocket({ type: "udp4", reuseAddr: true });
  try {
    await beacon.ready;
    beacon.subscribe();
    await new Promise<void>((resolve) => raw.bind(0, "127.0.0.1", resolve));
    raw.setBroadcast(true);
    raw.send(new Uint8Array(300).fill(0x41), port, "127.255.255.255");
    await waitUntil(() => errors.length === 1, 5_000, "the oversized datagram's report");
    equal(errors[0].code, "EMSGSIZE");
    match(errors[0].message, /dropped a 300-byte datagram from 127\.0\.0\.1:\d+/);
    equal(beacon.statistics().oversized, 1);
    // Exactly 255 bytes is a beacon.
    raw.send(new Uint8Array(255).fill(0x42), port, "127.255.255.255");
    const signal = await beacon.receive({ timeout: 5_000 });
    equal(signal.payload.byteLength, 255);

    throws(() => beacon.publish(new Uint8Array(256)), RangeError);
    throws(() => beacon.publish("x".repeat(256)), /at most 255/);
    throws(() => beacon.subscribe(new Uint8Array(256)), RangeError);
    throws(() => zmq.announceService("s".repeat(10_240), "tcp://*:1", { port }), RangeError);
    throws(() => zmq.encodeAnnouncement("echo", `tcp://${"h".repeat(250)}:1`), /at most 255/);
    throws(() => new zmq.Beacon({ port: 0 }), RangeError);
    throws(() => new zmq.Beacon({ port, interface: "no-such-interface0" }), /No IPv4 interface/);
    await rejects(beacon.receive({ timeout: 20 }), (e: zmq.ZmqError) => e.code === "EAGAIN");
  } finally {
    raw.close();
    beacon.close();
  }
  await rejects(beacon.receive(), (e: zmq.ZmqError) => e.code === "ENOTSOCK");
});

test(
  "beacon: a pending receive rejects on close; an idle beacon, directory or announcement lets the process exit",
  async () => {
    const beacon = new zmq.Beacon({ port: freshPort(), interface: "lo" });
    beacon.subscribe();
    const pending = beacon.receive();
    beacon.close();
    await rejects(pending, (e: zmq.ZmqError) => e.code === "ENOTSOCK");

    const exit = await runScript(PEER, {
      args: [JSON.stringify({ role: "idle", port: freshPort() })],
      timeout: 20_000,
    });
    equal(exit.timedOut, false, `the idle script did not exit by itself: ${exit.stderr}`);
    equal(exit.code, 0, exit.stderr);
    match(exit.stdout, /^idle$/m);
  },
  { timeout: 30_000 },
);

// ---------------------------------------------------------------------------
// Discovery

test("discovery: a service is found, followed, and leaves the directory when its announcements stop", async () => {
  const port = freshPort();
  const server = new zmq.Reply();
  const requester = new zmq.Request({ linger: 0 });
  const changes: string[] = [];
  let announcement: zmq.Beacon | undefined;
  let directory: zmq.ServiceDirectory | undefined;
  let link: zmq.ServiceLink | undefined;
  try {
    await server.bind("tcp://127.0.0.1:*");
    const serverPort = server.lastEndpoint!.split(":").pop();
    announcement = zmq.announceService("echo", `tcp://*:${serverPort}`, {
      port,
      interface: "lo",
      interval: 50,
    });
    directory = new zmq.ServiceDirectory({
      port,
      interface: "lo",
      // Long enough that a busy machine's stalls (announcements 50 ms apart)
      // do not end the service while the request is in flight.
      timeout: 1_000,
      onChange: (c) => changes.push(`${c.type} ${c.service.name} ${c.service.endpoint}`),
    });
    const found = await directory.find("echo", { timeout: 5_000 });
    equal(found.endpoint, `tcp://127.0.0.1:${serverPort}`, "the wildcard host filled in");
    equal(found.address, "127.0.0.1");

    link = directory.connect(requester, "echo");
    deepEqual(link.endpoints, [found.endpoint]);
    await requester.send("ping");
    await server.send(await server.receive({ timeout: 5_000 }));
    deepEqual(texts(await requester.receive({ timeout: 5_000 })), ["ping"]);

    // Silence: gone after the directory's timeout (1 s), not before.
    announcement.close();
    const silentAt = performance.now();
    await waitUntil(() => directory!.services("echo").length === 0, 10_000, "the service to leave");
    const took = performance.now() - silentAt;
    ok(took >= 900, `left after ${took.toFixed(0)} ms, not before its timeout`);
    ok(took <= 6_000, `left after ${took.toFixed(0)} ms`);
    deepEqual(changes, [`up echo ${found.endpoint}`, `down echo ${found.endpoint}`]);
    deepEqual(link.endpoints, [], "the socket was disconnected from it");
    await rejects(
      directory.find("echo", { timeout: 100 }),
      (e: zmq.ZmqError) =>
        e.code === "ETIMEDOUT" && /No announcement of service "echo"/.test(e.message),
    );
  } finally {
    link?.close();
    directory?.close();
    announcement?.close();
    requester.close();
    server.close();
  }
});

test("discovery: findService and connectService in one call each", async () => {
  const port = freshPort();
  const announcement = zmq.announceService("clock", "tcp://127.0.0.1:5599", {
    port,
    interface: "lo",
    interval: 50,
  });
  const socket = new zmq.Dealer({ linger: 0 });
  try {
    const found = await zmq.findService("clock", { port, interface: "lo", timeout: 5_000 });
    equal(found.endpoint, "tcp://127.0.0.1:5599");
    const link = await zmq.connectService(socket, "clock", {
      port,
      interface: "lo",
      timeout: 5_000,
    });
    deepEqual(link.endpoints, ["tcp://127.0.0.1:5599"]);
    link.close();
    await rejects(
      zmq.findService("nobody", { port, interface: "lo", timeout: 150 }),
      (e: zmq.ZmqError) => e.code === "ETIMEDOUT",
    );
  } finally {
    socket.close();
    announcement.close();
  }
});

// ---------------------------------------------------------------------------
// Across hosts

test("beacon: two hosts on one bridge discover each other", async () => {
  const port = freshPort();
  const { network, iface } = await twoHosts();
  try {
    const [h1, h2] = network.hosts;
    const peers = [
      startPeer(h1, {
        role: "beacon",
        port,
        interface: iface(h1),
        payload: "HOST/1",
        prefix: "HOST/",
      }),
      startPeer(h2, {
        role: "beacon",
        port,
        interface: iface(h2),
        payload: "HOST/2",
        prefix: "HOST/",
      }),
    ];
    const heard = (payload: string) => (line: Record<string, unknown>) =>
      (line.heard as { payload?: string } | undefined)?.payload === payload;
    const h1Heard = await peers[0].line(heard("HOST/2"), 20_000, "h1 to hear h2");
    const h2Heard = await peers[1].line(heard("HOST/1"), 20_000, "h2 to hear h1");
    equal((h1Heard.heard as { address: string }).address, h2.address);
    equal((h2Heard.heard as { address: string }).address, h1.address);
    ok(!peers[0].lines.some(heard("HOST/1")), "h1 never reported its own beacon");
  } finally {
    await network.destroy();
  }
}, { timeout: 40_000 });

test("discovery: a client on the hub finds a service on another host and talks to it", async () => {
  if (!netns.ok) return; // the loopback version is the discovery test above
  const port = freshPort();
  const network = await createNetwork(1);
  const requester = new zmq.Request({ linger: 0 });
  let link: zmq.ServiceLink | undefined;
  try {
    const [h1] = network.hosts;
    const service = startPeer(h1, { role: "service", port, interface: "eth0", name: "echo" });
    await service.line((line) => line.ready === true, 20_000, "the service to start");
    link = await zmq.connectService(requester, "echo", {
      port,
      interface: network.bridge!,
      timeout: 10_000,
    });
    match(link.endpoints[0], new RegExp(`^tcp://${h1.address.replaceAll(".", "\\.")}:\\d+$`));
    await requester.send("across the bridge");
    deepEqual(texts(await requester.receive({ timeout: 10_000 })), [
      "echo from",
      h1.address,
      "across the bridge",
    ]);
  } finally {
    link?.close();
    requester.close();
    await network.destroy();
  }
}, { timeout: 40_000, ignore: !netns.ok });

// ---------------------------------------------------------------------------
// czmq's zbeacon

const ZBEACON_PROGRAM = String.raw`
// Prints what czmq's zbeacon hears; publishes a payload if one is given.
//   zbeacon_peer PORT PAYLOAD PREFIX SECONDS
#include <czmq.h>
int main (int argc, char *argv []) {
    if (argc != 5) return 64;
    zactor_t *beacon = zactor_new (zbeacon, NULL);
    zsock_send (beacon, "si", "CONFIGURE", atoi (argv [1]));
    char *hostname = zstr_recv (beacon);
    printf ("hostname %s\n", hostname);
    fflush (stdout);
    if (!*hostname) return 2;
    if (*argv [2])
        zsock_send (beacon, "sbi", "PUBLISH", argv [2], strlen (argv [2]), 100);
    zsock_send (beacon, "sb", "SUBSCRIBE", argv [3], strlen (argv [3]));
    zsock_set_rcvtimeo (beacon, 100);
    int64_t end = zclock_mono () + 1000 * atoi (argv [4]);
    while (zclock_mono () < end) {
        char *address = zstr_recv (beacon);
        if (!address) continue;
        zframe_t *content = zframe_recv (beacon);
        printf ("heard %s %d %.*s\n", address, (int) zframe_size (content),
                (int) zframe_size (content), (char *) zframe_data (content));
        fflush (stdout);
        zframe_destroy (&content);
        zstr_free (&address);
    }
    zstr_free (&hostname);
    zactor_destroy (&beacon);
    return 0;
}
`;

/** Compiles the zbeacon peer into a temp dir; null and the reason when it cannot be. */
function compileZbeacon(): { binary: string; dir: string } | { binary: null; reason: string } {
  const dir = mkdtempSync(join(tmpdir(), "zbeacon-"));
  const source = join(dir, "zbeacon_peer.c");
  const binary = join(dir, "zbeacon_peer");
  writeFileSync(source, ZBEACON_PROGRAM);
  const gcc = spawnSync("gcc", ["-O1", "-o", binary, source, "-lczmq", "-lzmq"], {
    encoding: "utf8",
  });
  if (gcc.error !== undefined || gcc.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    const why = gcc.error
      ? `gcc is missing (${gcc.error.message})`
      : gcc.stderr.trim().split("\n")[0];
    return {
      binary: null,
      reason: `cannot build against czmq (apt-get install -y libczmq-dev gcc): ${why}`,
    };
  }
  return { binary, dir };
}

const zbeaconSkip = !netns.ok
  ? `zbeacon needs a broadcast interface, and loopback is not one: ${netns.reason}`
  : null;
if (zbeaconSkip !== null) console.warn(`skipping the czmq zbeacon test: ${zbeaconSkip}`);

test("beacon: czmq's zbeacon hears the TS beacon, and the TS beacon hears zbeacon", async () => {
  const built = compileZbeacon();
  if (built.binary === null) {
    console.warn(`skipping the czmq zbeacon test: ${built.reason}`);
    return;
  }
  const port = freshPort();
  const network = await createNetwork(1);
  const beacon = new zmq.Beacon({ port, interface: network.bridge! });
  try {
    const [h1] = network.hosts;
    // zbeacon on h1 publishes "CZMQ/1" and hears "TS/"; the TS beacon on the hub the reverse.
    const child = h1.spawn([
      "env",
      `ZSYS_INTERFACE=${h1.interface}`,
      built.binary,
      String(port),
      "CZMQ/1",
      "TS/",
      "20",
    ], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    const zbeacon = new Peer(child, "zbeacon on h1");
    const hostname = await zbeacon.line(
      (l) => String(l.text).startsWith("hostname"),
      10_000,
      "CONFIGURE",
    );
    equal(hostname.text, `hostname ${h1.address}`, "zbeacon found its interface");
    const where = await beacon.ready;
    equal(where.address, network.hubAddress);
    beacon.subscribe("CZMQ/");
    beacon.publish("TS/hub", { interval: 100 });

    const fromC = await hear(beacon, payloadIs("CZMQ/1"), 10_000);
    equal(fromC.address, h1.address);
    equal(fromC.port, port, "zbeacon sends from the shared port");
    const heardTs = await zbeacon.line(
      (l) => String(l.text).startsWith("heard"),
      10_000,
      "zbeacon to hear TS",
    );
    equal(heardTs.text, `heard ${network.hubAddress} 6 TS/hub`);
    // Its own "CZMQ/1" never came back to it as a beacon (echo filtered), nor "TS/hub" to us.
    ok(!zbeacon.lines.some((l) => String(l.text).includes("CZMQ/1")), "zbeacon heard only us");

    // The same port on the same host: a TS beacon beside zbeacon on h1 binds it too
    // (zbeacon's SO_REUSEADDR/SO_REUSEPORT and ours), and each hears the other.
    const neighbour = startPeer(h1, {
      role: "beacon",
      port,
      interface: h1.interface,
      payload: "TS/h1",
      prefix: "CZMQ/",
    });
    const heardC = await neighbour.line(
      (l) => (l.heard as { payload?: string } | undefined)?.payload === "CZMQ/1",
      20_000,
      "the TS beacon on h1 to hear zbeacon beside it",
    );
    equal((heardC.heard as { address: string }).address, h1.address);
    await zbeacon.line(
      (l) => l.text === `heard ${h1.address} 5 TS/h1`,
      10_000,
      "zbeacon to hear the TS beacon beside it",
    );
  } finally {
    beacon.close();
    await network.destroy();
    rmSync(built.dir, { recursive: true, force: true });
  }
}, { timeout: 40_000, ignore: zbeaconSkip !== null });
