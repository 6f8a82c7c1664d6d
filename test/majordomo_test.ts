/**
 * Majordomo (7/MDP with 8/MMI): every command's frames byte for byte against
 * raw ROUTER/DEALER peers, interoperation with Python peers written from the
 * spec (test/fixtures/mdp_peers.py), heartbeats and expiry, faults with
 * worker and broker processes killed, and bad input the broker survives.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import * as zmq from "../mod.ts";
import { createNetwork, netnsSupport } from "./netns/hosts.ts";
import {
  bindAny,
  bytes,
  deepEqual,
  equal,
  match,
  noPeerEndpoint,
  notDeepEqual,
  ok,
  rejects,
  runtimeCommand,
  test,
  texts,
  throws,
  waitUntil,
  withTimeout,
} from "./harness.ts";

const E = new Uint8Array(0);
const decoder = new TextDecoder();
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** Frames as plain arrays, for deepEqual; strings are UTF-8, numbers a one-byte frame. */
function frames(...parts: (string | number | Uint8Array)[]): number[][] {
  return parts.map((part) =>
    typeof part === "number" ? [part] : Array.from(typeof part === "string" ? bytes(part) : part)
  );
}
const plain = (message: Uint8Array[]) => message.map((frame) => Array.from(frame));

/** Receives until a message matches `accept` (bounded). */
async function receiveMatching(
  socket: { receive(options?: { timeout?: number }): Promise<Uint8Array[]> },
  accept: (message: Uint8Array[]) => boolean,
  ms = 5_000,
): Promise<Uint8Array[]> {
  const deadline = performance.now() + ms;
  for (;;) {
    const message = await socket.receive({
      timeout: Math.max(1, Math.ceil(deadline - performance.now())),
    });
    if (accept(message)) return message;
  }
}

/** A worker command as a raw ROUTER sees it: [id, "", "MDPW01", command, ...]. */
const isCommand = (command: number) => (message: Uint8Array[]) =>
  message.length >= 4 && message[3].length === 1 && message[3][0] === command;

/** A child process whose output the test waits on. */
class Proc {
  stdout = "";
  stderr = "";
  readonly exited: Promise<number | null>;
  readonly child: ChildProcess;
  #listeners = new Set<() => void>();
  #running = true;

  constructor(readonly argv: string[], child?: ChildProcess) {
    this.child = child ?? spawn(argv[0], argv.slice(1), { stdio: ["ignore", "pipe", "pipe"] });
    this.child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      this.stdout += chunk;
      for (const listener of this.#listeners) listener();
    });
    this.child.stderr!.setEncoding("utf8").on("data", (chunk: string) => this.stderr += chunk);
    this.exited = new Promise((resolve) => {
      this.child.once("close", (code) => {
        this.#running = false;
        for (const listener of this.#listeners) listener();
        resolve(code);
      });
      this.child.once("error", () => resolve(null));
    });
  }

  static ts(script: string, ...args: string[]): Proc {
    return new Proc([...runtimeCommand(fixture(script)), ...args]);
  }

  /** Wraps a process started elsewhere (on a namespace host). */
  static of(child: ChildProcess, name: string): Proc {
    return new Proc([name], child);
  }

  /** Resolves with the first match of `pattern` in stdout (bounded); fails if the process exits. */
  waitFor(pattern: RegExp, ms = 20_000): Promise<RegExpMatchArray> {
    return withTimeout(
      new Promise<RegExpMatchArray>((resolve, reject) => {
        const check = () => {
          const found = this.stdout.match(pattern);
          if (found) resolve(found);
          else if (!this.#running) reject(new Error(`exited before printing ${pattern}`));
          else return;
          this.#listeners.delete(check);
        };
        this.#listeners.add(check);
        check();
      }),
      ms,
      `${this.argv.slice(-3).join(" ")} to print ${pattern}\n${this.stderr}`,
    );
  }

  /** SIGKILL, and wait until it is gone. */
  async kill(): Promise<void> {
    if (this.#running) this.child.kill("SIGKILL");
    await withTimeout(this.exited, 5_000, "a killed process to exit");
  }
}

// ---------------------------------------------------------------------------
// The wire, byte for byte

test("majordomo: the broker's frames for every command, against a raw worker and client", async () => {
  const errors: zmq.ZmqError[] = [];
  // Heartbeats every 100 ms; a worker silent for 3 s (30 intervals) would expire.
  const broker = new zmq.MajordomoBroker({
    heartbeatInterval: 100,
    heartbeatLiveness: 30,
    onError: (e) => errors.push(e),
  });
  const worker = new zmq.Dealer({ linger: 0 });
  const client = new zmq.Dealer({ linger: 0 });
  try {
    const endpoint = await bindAny(broker.socket, "tcp");
    worker.connect(endpoint);
    client.connect(endpoint);
    await worker.send([E, "MDPW01", new Uint8Array([1]), "echo"]);
    // The broker heartbeats a registered worker: exactly three frames.
    const heartbeat = await worker.receive({ timeout: 5_000 });
    deepEqual(plain(heartbeat), frames(E, "MDPW01", 0x04));
    equal(broker.statistics().workers, 1);

    await client.send([E, "MDPC01", "echo", "hello", "world"]);
    const request = await receiveMatching(worker, (m) => m[2][0] === 0x02);
    equal(request.length, 7, `REQUEST frames: ${texts(request)}`);
    const clientAddress = request[3];
    ok(clientAddress.length > 0, "a client address frame");
    deepEqual(plain(request), frames(E, "MDPW01", 0x02, clientAddress, E, "hello", "world"));

    await worker.send([E, "MDPW01", new Uint8Array([3]), clientAddress, E, "HELLO", "WORLD"]);
    const reply = await client.receive({ timeout: 5_000 });
    deepEqual(plain(reply), frames(E, "MDPC01", "echo", "HELLO", "WORLD"));

    // 8/MMI: found, not found, not implemented; the reply names the mmi service.
    for (
      const [service, body, code] of [
        ["mmi.service", "echo", "200"],
        ["mmi.service", "nosuch", "404"],
        ["mmi.workers", "echo", "501"],
      ]
    ) {
      await client.send([E, "MDPC01", service, body]);
      deepEqual(
        plain(await client.receive({ timeout: 5_000 })),
        frames(E, "MDPC01", service, code),
      );
    }

    // A worker's HEARTBEAT keeps it; its DISCONNECT removes it at once.
    await worker.send([E, "MDPW01", new Uint8Array([4])]);
    await worker.send([E, "MDPW01", new Uint8Array([5])]);
    const start = performance.now();
    await waitUntil(() => broker.statistics().workers === 0, 5_000, "the worker to be forgotten");
    ok(performance.now() - start < 250, "DISCONNECT, not expiry, removed it");

    // Closing the broker tells every worker DISCONNECT.
    await worker.send([E, "MDPW01", new Uint8Array([1]), "echo"]);
    await waitUntil(() => broker.statistics().workers === 1, 5_000, "the worker to register again");
    broker.close();
    const bye = await receiveMatching(worker, (m) => m[2][0] === 0x05);
    deepEqual(plain(bye), frames(E, "MDPW01", 0x05));
    await withTimeout(broker.done, 2_000, "the broker to stop");
    deepEqual(errors.map((e) => e.message), [], "no protocol errors");
  } finally {
    broker.close();
    worker.close();
    client.close();
  }
});

test("majordomo: the worker's frames for every command, against a raw broker", async () => {
  const router = new zmq.Router({ linger: 0 });
  let worker: zmq.MajordomoWorker | undefined;
  try {
    const endpoint = await bindAny(router, "tcp");
    worker = new zmq.MajordomoWorker(
      endpoint,
      "upper",
      (body, request) => {
        equal(request.service, "upper");
        return body.map((frame) => decoder.decode(frame).toUpperCase());
      },
      { heartbeatInterval: 100, onError: (e) => console.error(e) },
    );
    const ready = await router.receive({ timeout: 5_000 });
    const id = ready[0];
    deepEqual(plain(ready), frames(id, E, "MDPW01", 0x01, "upper"));
    const heartbeat = await receiveMatching(router, isCommand(0x04));
    deepEqual(plain(heartbeat), frames(id, E, "MDPW01", 0x04));

    await router.send([id, E, "MDPW01", new Uint8Array([2]), "CLIENT", E, "abc", "def"]);
    const reply = await receiveMatching(router, isCommand(0x03));
    deepEqual(plain(reply), frames(id, E, "MDPW01", 0x03, "CLIENT", E, "ABC", "DEF"));

    // DISCONNECT: the worker starts afresh on a new socket (a new routing id).
    await router.send([id, E, "MDPW01", new Uint8Array([5])]);
    const again = await receiveMatching(router, isCommand(0x01));
    notDeepEqual(plain([again[0]]), plain([id]), "a new connection");
    deepEqual(plain(again), frames(again[0], E, "MDPW01", 0x01, "upper"));
    equal(worker.statistics().connections, 2);

    // close() says DISCONNECT.
    worker.close();
    const bye = await receiveMatching(router, isCommand(0x05));
    deepEqual(plain(bye), frames(again[0], E, "MDPW01", 0x05));
    await withTimeout(worker.done, 2_000, "the worker to stop");
  } finally {
    worker?.close();
    router.close();
  }
});

test("majordomo: a worker started before its broker (socket option immediate) registers once it is up", async () => {
  // A fresh ipc path nobody can take meanwhile (a tcp port found free and
  // released was bound by another process before the broker, once, under load).
  const endpoint = noPeerEndpoint();
  // With immediate, a DEALER has no room for READY until connected: it must wait, not drop it.
  const worker = new zmq.MajordomoWorker(endpoint, "late", (body) => body, {
    socketOptions: { immediate: true },
  });
  const broker = new zmq.MajordomoBroker();
  let client: zmq.MajordomoClient | undefined;
  try {
    await broker.bind(endpoint);
    client = new zmq.MajordomoClient(endpoint, { timeout: 5_000, retries: 0 });
    deepEqual(texts(await client.request("late", "hello")), ["hello"]);
    equal(worker.statistics().connections, 1);
  } finally {
    client?.close();
    worker.close();
    broker.close();
  }
});

test("majordomo: the client's frames, both forms, against a raw broker", async () => {
  const router = new zmq.Router({ linger: 0 });
  let client: zmq.MajordomoClient | undefined;
  try {
    const endpoint = await bindAny(router, "tcp");
    client = new zmq.MajordomoClient(endpoint, { timeout: 5_000, retries: 0 });
    const pending = client.request("echo", ["a", "b"]);
    const request = await router.receive({ timeout: 5_000 });
    deepEqual(plain(request), frames(request[0], E, "MDPC01", "echo", "a", "b"));
    // A reply for another service, or with a bad header, is not the answer.
    await router.send([request[0], E, "MDPC01", "other", "wrong"]);
    await router.send([request[0], E, "MDPC02", "echo", "wrong"]);
    await router.send([request[0], E, "MDPC01", "echo", "A", "B"]);
    deepEqual(texts(await pending), ["A", "B"]);
    equal(client.statistics().malformed, 1, "the bad header was counted");

    // The asynchronous form: several requests on one DEALER, replies as they come.
    await client.send("echo", "one");
    await client.send("echo", ["two", "2"]);
    const first = await router.receive({ timeout: 5_000 });
    const second = await router.receive({ timeout: 5_000 });
    deepEqual(plain(first), frames(first[0], E, "MDPC01", "echo", "one"));
    deepEqual(plain(second), frames(first[0], E, "MDPC01", "echo", "two", "2"));
    await router.send([first[0], E, "MDPC01", "echo", "second first"]);
    await router.send([first[0], E, "MDPC01", "echo", "first second"]);
    const replies = [
      await client.receive({ timeout: 5_000 }),
      await client.receive({ timeout: 5_000 }),
    ];
    deepEqual(replies.map((r) => [r.service, ...texts(r.body)]), [
      ["echo", "second first"],
      ["echo", "first second"],
    ]);
  } finally {
    client?.close();
    router.close();
  }
});

test("majordomo: a REQ client, as the spec recommends, through the broker to a worker", async () => {
  const broker = new zmq.MajordomoBroker();
  const req = new zmq.Request({ linger: 0 });
  let worker: zmq.MajordomoWorker | undefined;
  try {
    const endpoint = await bindAny(broker.socket, "tcp");
    worker = new zmq.MajordomoWorker(endpoint, "echo", (body) => body);
    req.connect(endpoint);
    await req.send(["MDPC01", "echo", "over REQ"]);
    deepEqual(texts(await req.receive({ timeout: 5_000 })), ["MDPC01", "echo", "over REQ"]);
  } finally {
    worker?.close();
    req.close();
    broker.close();
  }
});

// ---------------------------------------------------------------------------
// Python peers written from the spec

/** The first Python that has pyzmq (Debian's python3-zmq is /usr/bin's, not pyenv's), or why none. */
function findPython(): { python: string; missing: null } | { python: null; missing: string } {
  const reasons: string[] = [];
  for (const candidate of ["python3", "/usr/bin/python3"]) {
    const probe = spawnSync(candidate, ["-c", "import zmq"], { encoding: "utf8" });
    if (probe.error === undefined && probe.status === 0) {
      return { python: candidate, missing: null };
    }
    reasons.push(
      probe.error
        ? `${candidate}: not installed`
        : `${candidate}: ${probe.stderr.trim().split("\n").pop()}`,
    );
  }
  return {
    python: null,
    missing: `no Python with pyzmq (apt-get install -y python3-zmq): ${reasons.join("; ")}`,
  };
}
const { python, missing: pythonMissing } = findPython();
if (pythonMissing !== null) console.warn(`skipping the Python conformance tests: ${pythonMissing}`);
const pythonPeer = (...args: string[]) => new Proc([python!, fixture("mdp_peers.py"), ...args]);

test(
  "majordomo: a Python worker and client (pyzmq, from the spec) through the TS broker",
  async () => {
    const errors: zmq.ZmqError[] = [];
    const broker = new zmq.MajordomoBroker({
      heartbeatInterval: 200,
      onError: (e) => errors.push(e),
    });
    const peers: Proc[] = [];
    try {
      const endpoint = await bindAny(broker.socket, "tcp");
      peers.push(pythonPeer("worker", endpoint, "echo", "200"));
      await peers[0].waitFor(/^ready$/m);
      await waitUntil(() => broker.statistics().workers === 1, 10_000, "the Python worker's READY");
      const client = pythonPeer("client", endpoint, "echo", "5");
      peers.push(client);
      await client.waitFor(/^mmi /m);
      equal(
        await withTimeout(client.exited, 10_000, "the Python client to exit"),
        0,
        client.stderr,
      );
      for (let n = 0; n < 5; n++) match(client.stdout, new RegExp(`^reply echo py:${n}$`, "m"));
      match(client.stdout, /^mmi 200 404 501$/m);
      // Heartbeats flowed both ways: the Python worker is still registered.
      await waitUntil(
        () => (peers[0].stdout.match(/^request$/gm) ?? []).length === 5,
        5_000,
        "5 requests",
      );
      equal(broker.statistics().workers, 1);
      deepEqual(errors.map((e) => e.message), []);
    } finally {
      for (const peer of peers) await peer.kill();
      broker.close();
    }
  },
  { ignore: pythonMissing !== null },
);

test(
  "majordomo: the TS worker and client through a Python broker (pyzmq, from the spec)",
  async () => {
    const broker = pythonPeer("broker", "tcp://127.0.0.1:*", "200");
    let worker: zmq.MajordomoWorker | undefined;
    let client: zmq.MajordomoClient | undefined;
    try {
      const [, endpoint] = await broker.waitFor(/^ready (\S+)$/m);
      worker = new zmq.MajordomoWorker(endpoint, "upper", (body) => {
        return body.map((frame) => decoder.decode(frame).toUpperCase());
      }, { heartbeatInterval: 200 });
      client = new zmq.MajordomoClient(endpoint, { timeout: 5_000, retries: 0 });
      deepEqual(texts(await client.request("upper", ["abc", "xyz"])), ["ABC", "XYZ"]);
      const many = await Promise.all(
        Array.from({ length: 20 }, (_, i) => client!.request("upper", `n${i}`)),
      );
      deepEqual(many.map(([frame]) => decoder.decode(frame)), many.map((_, i) => `N${i}`));
      equal(await client.hasService("upper"), true);
      equal(await client.hasService("lower"), false);
      // The async form through the Python broker.
      for (let i = 0; i < 5; i++) await client.send("upper", `a${i}`);
      const seen = new Set<string>();
      for (let i = 0; i < 5; i++) {
        seen.add(
          decoder.decode((await client.receive({ timeout: 5_000 })).body[0]),
        );
      }
      deepEqual([...seen].sort(), ["A0", "A1", "A2", "A3", "A4"]);
      // Heartbeats kept the worker registered over several intervals: letting
      // them pass (with nothing else to do) is the scenario, not a wait.
      await new Promise((resolve) => setTimeout(resolve, 700)); // 3 heartbeat intervals
      deepEqual(texts(await client.request("upper", "still")), ["STILL"]);
      equal(worker.statistics().connections, 1, "the worker never had to reconnect");
    } finally {
      client?.close();
      worker?.close();
      await broker.kill();
    }
  },
  { ignore: pythonMissing !== null },
);

// ---------------------------------------------------------------------------
// Queueing, heartbeats, expiry

test("majordomo: requests wait for a worker; requests nobody takes expire", async () => {
  const errors: zmq.ZmqError[] = [];
  const broker = new zmq.MajordomoBroker({ requestExpiry: 300, onError: (e) => errors.push(e) });
  let worker: zmq.MajordomoWorker | undefined;
  let client: zmq.MajordomoClient | undefined;
  try {
    const endpoint = await bindAny(broker.socket, "tcp");
    client = new zmq.MajordomoClient(endpoint, { timeout: 5_000, retries: 0 });
    const early = client.request("late", "queued");
    await waitUntil(() => broker.statistics().queued === 1, 5_000, "the request to queue");
    equal(await client.hasService("late"), false);
    worker = new zmq.MajordomoWorker(endpoint, "late", (body) => body);
    deepEqual(texts(await early), ["queued"]);

    // Nobody serves "never": its request is dropped after requestExpiry, with a report.
    const never = client.request("never", "x", { timeout: 1_500 });
    await waitUntil(
      () => broker.statistics().droppedRequests === 1,
      5_000,
      "the request to expire",
    );
    match(errors[0].message, /dropped 1 request for "never": no worker came within 300 ms/);
    equal(broker.statistics().queued, 0);
    await rejects(never, (error: zmq.ZmqError) => error.code === "ETIMEDOUT");
  } finally {
    client?.close();
    worker?.close();
    broker.close();
  }
});

test("majordomo: the broker forgets a silent worker within liveness x interval", async () => {
  const interval = 100;
  const broker = new zmq.MajordomoBroker({ heartbeatInterval: interval, heartbeatLiveness: 3 });
  const worker = new zmq.Dealer({ linger: 0 });
  try {
    const endpoint = await bindAny(broker.socket, "tcp");
    worker.connect(endpoint);
    await worker.send([E, "MDPW01", new Uint8Array([1]), "mute"]);
    await waitUntil(() => broker.statistics().workers === 1, 5_000, "READY");
    const registered = performance.now();
    await waitUntil(() => broker.statistics().workers === 0, 5_000, "the silent worker to expire");
    const took = performance.now() - registered;
    ok(took >= 3 * interval - 20, `expired after ${took.toFixed(0)} ms, not before 300 ms`);
    ok(took <= 3 * interval + 250, `expired after ${took.toFixed(0)} ms, within 300 ms (+ slack)`);
    equal(broker.statistics().expiredWorkers, 1);
  } finally {
    worker.close();
    broker.close();
  }
});

test("majordomo: a worker whose broker falls silent reconnects and registers again", async () => {
  const router = new zmq.Router({ linger: 0 });
  let worker: zmq.MajordomoWorker | undefined;
  try {
    const endpoint = await bindAny(router, "tcp");
    worker = new zmq.MajordomoWorker(endpoint, "echo", (body) => body, {
      heartbeatInterval: 100,
      heartbeatLiveness: 3,
      reconnectDelay: 50,
    });
    const first = await receiveMatching(router, isCommand(0x01));
    const start = performance.now();
    // The raw broker never heartbeats: after 3 x 100 ms the worker gives up on
    // this conversation and, 50 ms later, sends READY on a fresh socket.
    await receiveMatching(
      router,
      (m) => isCommand(0x01)(m) && m[0].join() !== first[0].join(),
    );
    const took = performance.now() - start;
    ok(took >= 250, `reconnected after ${took.toFixed(0)} ms (not before 3 silent intervals)`);
    ok(took < 1_500, `reconnected after ${took.toFixed(0)} ms`);
    equal(worker.statistics().connections, 2);
  } finally {
    worker?.close();
    router.close();
  }
});

test("majordomo: heartbeats go on while a slow handler works", async () => {
  const broker = new zmq.MajordomoBroker({ heartbeatInterval: 50, heartbeatLiveness: 3 });
  let worker: zmq.MajordomoWorker | undefined;
  let client: zmq.MajordomoClient | undefined;
  try {
    const endpoint = await bindAny(broker.socket, "tcp");
    worker = new zmq.MajordomoWorker(endpoint, "slow", async (body) => {
      // The scenario: a handler that works for 12 heartbeat intervals.
      await new Promise((resolve) => setTimeout(resolve, 600));
      return body;
    }, { heartbeatInterval: 50, heartbeatLiveness: 3 });
    client = new zmq.MajordomoClient(endpoint, { timeout: 5_000, retries: 0 });
    deepEqual(texts(await client.request("slow", "patience")), ["patience"]);
    equal(broker.statistics().expiredWorkers, 0, "the busy worker was not taken for dead");
    equal(worker.statistics().connections, 1);
  } finally {
    client?.close();
    worker?.close();
    broker.close();
  }
});

// ---------------------------------------------------------------------------
// Faults with real processes

const netns = await netnsSupport();
if (!netns.ok) console.warn(`skipping the partition test: ${netns.reason}`);

test(
  "majordomo: a worker killed mid-request: the retry reaches another worker, the dead one expires",
  async () => {
    const interval = 200;
    const broker = new zmq.MajordomoBroker({ heartbeatInterval: interval, heartbeatLiveness: 3 });
    const workers: Proc[] = [];
    let client: zmq.MajordomoClient | undefined;
    try {
      const endpoint = await bindAny(broker.socket, "tcp");
      const args = ["--interval", String(interval)];
      // The first to register gets the first request (least recently used
      // first); it never answers "doomed", so the test can kill it mid-request.
      workers.push(Proc.ts("mdp_worker.ts", endpoint, "work", ...args, "--hang-on", "doomed"));
      await waitUntil(() => broker.statistics().workers === 1, 20_000, "worker 1 to register");
      workers.push(Proc.ts("mdp_worker.ts", endpoint, "work", ...args));
      await waitUntil(() => broker.statistics().workers === 2, 20_000, "worker 2 to register");

      client = new zmq.MajordomoClient(endpoint, { timeout: 1_000, retries: 3 });
      const answer = client.request("work", "doomed");
      await workers[0].waitFor(/^working doomed$/m);
      const killedAt = performance.now();
      await workers[0].kill();
      // Watched from now on: the client's retry below takes longer than the expiry.
      const expired = waitUntil(() => broker.statistics().expiredWorkers === 1, 5_000, "expiry")
        .then(() => performance.now() - killedAt);
      deepEqual(texts(await answer), ["doomed"], "the retry's answer, from worker 2");
      // Its line travels a pipe apart from the reply: wait for it, do not race it.
      await workers[1].waitFor(/^working doomed$/m, 5_000);
      equal(client.statistics().retries, 1, "the client retried once");
      const took = await expired;
      ok(
        took <= 3 * interval + 300,
        `expired ${took.toFixed(0)} ms after the kill (3 x ${interval} ms)`,
      );
      equal(broker.statistics().workers, 1);
      deepEqual(texts(await client.request("work", "fine")), ["fine"]);
    } finally {
      client?.close();
      for (const worker of workers) await worker.kill();
      broker.close();
    }
  },
  { timeout: 40_000 },
);

test(
  "majordomo: the broker killed and restarted: workers register again, the next requests succeed",
  async () => {
    const interval = 200;
    // Reserve a port: bind, read it, let it go, and restart the broker on it.
    const probe = new zmq.Router({ linger: 0 });
    const endpoint = await bindAny(probe, "tcp");
    probe.close();
    const brokers: Proc[] = [];
    const workers: zmq.MajordomoWorker[] = [];
    let client: zmq.MajordomoClient | undefined;
    try {
      brokers.push(Proc.ts("mdp_broker.ts", endpoint, "--interval", String(interval)));
      await brokers[0].waitFor(/"ready":true/);
      for (let i = 0; i < 2; i++) {
        workers.push(
          new zmq.MajordomoWorker(endpoint, "echo", (body) => body, {
            heartbeatInterval: interval,
            reconnectDelay: 100,
          }),
        );
      }
      client = new zmq.MajordomoClient(endpoint, { timeout: 1_000, retries: 5 });
      deepEqual(texts(await client.request("echo", "before")), ["before"]);

      await brokers[0].kill();
      brokers.push(Proc.ts("mdp_broker.ts", endpoint, "--interval", String(interval)));
      await brokers[1].waitFor(/"ready":true/);
      // The workers notice the silence (3 x 200 ms), reconnect and send READY;
      // the client's retries carry it over the gap.
      deepEqual(texts(await client.request("echo", "after")), ["after"]);
      await waitUntil(
        () => workers.every((worker) => worker.statistics().connections >= 2),
        10_000,
        "both workers to start a second conversation",
      );
      const replies = await Promise.all(
        Array.from({ length: 10 }, (_, i) => client!.request("echo", `again ${i}`)),
      );
      deepEqual(
        replies.map(([frame]) => decoder.decode(frame)),
        replies.map((_, i) => `again ${i}`),
      );
    } finally {
      client?.close();
      for (const worker of workers) worker.close();
      for (const broker of brokers) await broker.kill();
    }
  },
  { timeout: 40_000 },
);

test(
  "majordomo: a partition heals: the cut-off worker expires, registers again, and serves the request that waited",
  async () => {
    const interval = 200;
    const network = await createNetwork(1);
    // What the broker dropped and why, for the failure message.
    const brokerLog: string[] = [];
    const broker = new zmq.MajordomoBroker({
      heartbeatInterval: interval,
      onError: (error) => brokerLog.push(`${new Date().toISOString()} ${error}`),
    });
    let worker: Proc | undefined;
    let client: zmq.MajordomoClient | undefined;
    try {
      const [h1] = network.hosts;
      await broker.bind(`tcp://${network.hubAddress}:*`);
      const endpoint = broker.endpoint!;
      const argv = [...runtimeCommand(fixture("mdp_worker.ts")), endpoint, "work"];
      const child = h1.spawn([...argv, "--interval", String(interval), "--trace"], {
        stdio: ["ignore", "pipe", "pipe"],
      });
      worker = Proc.of(child, "worker on h1");

      await waitUntil(
        () => broker.statistics().workers === 1,
        20_000,
        "the worker on h1 to register",
      );
      // One attempt must outlast the cut, the expiry and the worker's reconnection.
      client = new zmq.MajordomoClient(endpoint, { timeout: 25_000, retries: 0 });
      deepEqual(texts(await client.request("work", "before")), ["before"]);
      // Registrations from sockets the worker gave up on (if this process
      // stalled: Deno type-checks the poller on the first socket) expire first.
      await waitUntil(() => broker.statistics().workers === 1, 5_000, "one registration");
      const expiredBefore = broker.statistics().expiredWorkers;

      await h1.cut();
      const cutAt = performance.now();
      await waitUntil(
        () => broker.statistics().workers === 0,
        5_000,
        "the cut-off worker to expire",
      );
      equal(broker.statistics().expiredWorkers, expiredBefore + 1);
      const took = performance.now() - cutAt;
      ok(took <= 3 * interval + 300, `expired ${took.toFixed(0)} ms after the cut`);
      // A request now waits in the broker's queue for a worker of "work".
      const waiting = client.request("work", "during");
      await waitUntil(() => broker.statistics().queued === 1, 5_000, "the request to queue");

      await h1.restore();
      const restoredAt = new Date().toISOString();
      const served = await waiting.catch((error) => {
        throw new Error(
          `${error.message}\nrestored at ${restoredAt}; broker ${
            JSON.stringify(broker.statistics())
          }\nbroker log:\n${brokerLog.join("\n")}\nworker stdout:\n${
            worker!.stdout
          }\nworker stderr:\n${worker!.stderr}`,
        );
      });
      deepEqual(texts(served), ["during"], "served once the worker is back");
      equal(broker.statistics().workers, 1);
    } finally {
      client?.close();
      await worker?.kill();
      broker.close();
      await network.destroy();
    }
  },
  { timeout: 60_000, ignore: !netns.ok },
);

test(
  "majordomo: requests through 4 worker processes killed at random: each answered once, or a clear error",
  async () => {
    const interval = 200;
    const total = 1_000;
    const broker = new zmq.MajordomoBroker({ heartbeatInterval: interval, onError: () => {} });
    const workers = new Set<Proc>();
    let client: zmq.MajordomoClient | undefined;
    let killing = true;
    let kills = 0;
    const start = (endpoint: string) => {
      const worker = Proc.ts(
        "mdp_worker.ts",
        endpoint,
        "work",
        "--interval",
        String(interval),
        "--work",
        "2",
        "--quiet",
      );
      workers.add(worker);
      return worker;
    };
    try {
      const endpoint = await bindAny(broker.socket, "tcp");
      for (let i = 0; i < 4; i++) start(endpoint);
      await waitUntil(() => broker.statistics().workers === 4, 30_000, "4 workers to register");
      // Kill a random worker every 200 ms and start a replacement.
      const killer = (async () => {
        while (killing) {
          await new Promise((resolve) => setTimeout(resolve, 200)); // the killer's pace (scenario)
          if (!killing) break;
          const victim = [...workers][Math.floor(Math.random() * workers.size)];
          workers.delete(victim);
          await victim.kill();
          kills += 1;
          start(endpoint);
        }
      })();
      client = new zmq.MajordomoClient(endpoint, { timeout: 800, retries: 10, maxInFlight: 8 });
      const outcomes = await Promise.all(
        Array.from({ length: total }, (_, i) =>
          client!.request("work", [`req-${i}`, "x"]).then(
            (reply) => ({ i, reply: texts(reply) }),
            (error: zmq.ZmqError) => ({ i, error }),
          )),
      );
      killing = false;
      await killer;
      let answered = 0;
      for (const outcome of outcomes) {
        if ("reply" in outcome) {
          deepEqual(outcome.reply, [`req-${outcome.i}`, "x"], "each caller gets its own answer");
          answered += 1;
        } else {
          equal(outcome.error.code, "ETIMEDOUT", `a clear error: ${outcome.error.message}`);
        }
      }
      const stats = client.statistics();
      equal(stats.answered, answered, "one answer per answered call");
      equal(stats.answered + stats.failures, total, "every request answered or failed");
      ok(kills >= 2, `workers were killed (${kills})`);
      ok(answered >= total * 0.95, `${answered} of ${total} answered despite ${kills} kills`);
      console.log(
        `  ${answered}/${total} answered, ${stats.failures} failed, ${stats.retries} retries, ${kills} kills`,
      );
    } finally {
      killing = false;
      client?.close();
      for (const worker of workers) await worker.kill();
      broker.close();
    }
  },
  // Minutes only on a machine busy with other work: it ends when the requests do.
  { timeout: 120_000 },
);

// ---------------------------------------------------------------------------
// Bad input

test("majordomo: malformed frames, unknown commands and a 10 KB service name are reported and dropped; the broker keeps serving", async () => {
  const errors: zmq.ZmqError[] = [];
  const broker = new zmq.MajordomoBroker({
    heartbeatInterval: 5_000,
    onError: (e) => errors.push(e),
  });
  const raw = new zmq.Dealer({ linger: 0 });
  const rogue = new zmq.Dealer({ linger: 0 });
  let worker: zmq.MajordomoWorker | undefined;
  let client: zmq.MajordomoClient | undefined;
  try {
    const endpoint = await bindAny(broker.socket, "tcp");
    raw.connect(endpoint);
    rogue.connect(endpoint);
    const huge = "s".repeat(10_240);
    const bad: { message: (string | Uint8Array)[]; why: RegExp; disconnect?: boolean }[] = [
      { message: ["no empty frame"], why: /do not start with an empty frame/ },
      { message: [E, "MDPX01", "echo", "x"], why: /header "MDPX01" is neither/ },
      { message: [E, "MDPC01", "echo"], why: /at least one body frame/ },
      { message: [E, "MDPC01", huge, "x"], why: /service of 10240 bytes/ },
      { message: [E, "MDPC01", new Uint8Array([0xff, 0xfe]), "x"], why: /not UTF-8/ },
      {
        message: [E, "MDPW01", new Uint8Array([1]), huge],
        why: /service of 10240 bytes/,
        disconnect: true,
      },
      {
        message: [E, "MDPW01", new Uint8Array([1]), "mmi.echo"],
        why: /may not register for "mmi.echo"/,
        disconnect: true,
      },
      { message: [E, "MDPW01", new Uint8Array([0x09])], why: /unknown worker command 0x09/ },
      { message: [E, "MDPW01", new Uint8Array([1, 1]), "echo"], why: /not one byte/ },
      { message: [E, "MDPW01"], why: /not one byte/ },
      {
        message: [E, "MDPW01", new Uint8Array([4])],
        why: /HEARTBEAT before READY/,
        disconnect: true,
      },
      {
        message: [E, "MDPW01", new Uint8Array([3]), "c", E, "x"],
        why: /REPLY before READY/,
        disconnect: true,
      },
    ];
    for (const { message, why, disconnect } of bad) {
      const before = errors.length;
      await raw.send(message);
      await waitUntil(() => errors.length > before, 5_000, `a report for ${why}`);
      match(errors[errors.length - 1].message, why);
      if (disconnect) {
        const reply = await raw.receive({ timeout: 5_000 });
        deepEqual(plain(reply), frames(E, "MDPW01", 0x05), `DISCONNECT for ${why}`);
      }
    }
    equal(broker.statistics().malformed, bad.length);
    equal(broker.statistics().workers, 0, "no bad READY registered anything");
    ok(errors.every((e) => e instanceof zmq.ZmqError && e.message.length < 400), "short reports");

    // A registered worker that breaks the protocol is disconnected and forgotten.
    await rogue.send([E, "MDPW01", new Uint8Array([1]), "echo"]);
    await waitUntil(() => broker.statistics().workers === 1, 5_000, "the rogue to register");
    await rogue.send([E, "MDPW01", new Uint8Array([3]), "nobody", E, "forged"]);
    const disconnect = await receiveMatching(rogue, (m) => m[2]?.[0] === 0x05);
    deepEqual(plain(disconnect), frames(E, "MDPW01", 0x05));
    match(errors[errors.length - 1].message, /a REPLY to a request it was not given/);
    equal(broker.statistics().workers, 0);

    // And it still serves.
    worker = new zmq.MajordomoWorker(endpoint, "echo", (body) => body);
    client = new zmq.MajordomoClient(endpoint, { timeout: 5_000, retries: 0 });
    deepEqual(texts(await client.request("echo", "still here")), ["still here"]);
  } finally {
    client?.close();
    worker?.close();
    raw.close();
    rogue.close();
    broker.close();
  }
});

test("majordomo: a worker drops malformed messages from its broker and keeps serving", async () => {
  const router = new zmq.Router({ linger: 0 });
  const errors: unknown[] = [];
  let worker: zmq.MajordomoWorker | undefined;
  try {
    const endpoint = await bindAny(router, "tcp");
    worker = new zmq.MajordomoWorker(endpoint, "echo", (body) => body, {
      heartbeatInterval: 5_000,
      onError: (e) => errors.push(e),
    });
    const [id] = await router.receive({ timeout: 5_000 });
    for (
      const message of [
        ["junk"],
        [E, "MDPC01", "echo"],
        [E, "MDPW01", new Uint8Array([9])],
        [E, "MDPW01", new Uint8Array([2]), "client-without-delimiter"],
      ]
    ) {
      await router.send([id, ...message]);
    }
    await waitUntil(() => errors.length === 4, 5_000, "four reports");
    await router.send([id, E, "MDPW01", new Uint8Array([2]), "C", E, "fine"]);
    deepEqual(
      plain(await receiveMatching(router, isCommand(0x03))),
      frames(id, E, "MDPW01", 0x03, "C", E, "fine"),
    );
    equal(worker.statistics().malformed, 4);
    equal(worker.statistics().connections, 1);
  } finally {
    worker?.close();
    router.close();
  }
});

test("majordomo: a handler that throws sends no reply; the worker reports it and registers afresh", async () => {
  const broker = new zmq.MajordomoBroker();
  const errors: unknown[] = [];
  let worker: zmq.MajordomoWorker | undefined;
  let client: zmq.MajordomoClient | undefined;
  try {
    const endpoint = await bindAny(broker.socket, "tcp");
    let calls = 0;
    worker = new zmq.MajordomoWorker(endpoint, "flaky", (body) => {
      calls += 1;
      if (calls === 1) throw new Error("first call fails");
      return body;
    }, { onError: (e) => errors.push(e) });
    client = new zmq.MajordomoClient(endpoint, { timeout: 500, retries: 2 });
    deepEqual(texts(await client.request("flaky", "again")), ["again"]);
    equal(calls, 2);
    match(String(errors[0]), /first call fails/);
    equal(worker.statistics().failures, 1);
    equal(worker.statistics().connections, 2, "it registered afresh");
    equal(broker.statistics().workers, 1, "the old registration was dropped (DISCONNECT)");
  } finally {
    client?.close();
    worker?.close();
    broker.close();
  }
});

test("majordomo: client errors are clear: no broker, closed, bad arguments", async () => {
  const client = new zmq.MajordomoClient(noPeerEndpoint(), { timeout: 100, retries: 2 });
  try {
    await rejects(client.request("echo", "x"), (error: zmq.ZmqError) => {
      equal(error.code, "ETIMEDOUT");
      match(error.message, /No reply from service "echo" .* after 3 attempts of 100 ms each/);
      return true;
    });
    deepEqual(client.statistics(), {
      requests: 1,
      answered: 0,
      retries: 2,
      failures: 1,
      malformed: 0,
    });
    await rejects(client.request("x".repeat(300), "x"), RangeError);
    await rejects(client.request("", "x"), RangeError);
    await rejects(client.request("echo", "x", { timeout: -1 }), RangeError);
    await rejects(client.request("echo", { nope: 1 } as never), TypeError);
    const pending = client.request("echo", "x", { timeout: 5_000 });
    const aborted = new AbortController();
    const abortable = client.request("echo", "x", { timeout: 5_000, signal: aborted.signal });
    aborted.abort(new Error("caller gave up"));
    await rejects(abortable, /caller gave up/);
    client.close();
    await rejects(pending, (error: zmq.ZmqError) => error.code === "ENOTSOCK");
    await rejects(client.request("echo", "x"), (error: zmq.ZmqError) => error.code === "ENOTSOCK");
  } finally {
    client.close();
  }
  throws(() => new zmq.MajordomoWorker("tcp://127.0.0.1:1", "mmi.x", () => "x"), RangeError);
  throws(() => new zmq.MajordomoWorker("tcp://127.0.0.1:1", "", () => "x"), RangeError);
  throws(() => new zmq.MajordomoBroker({ heartbeatInterval: 0 }), RangeError);
  throws(() => new zmq.MajordomoClient("not an endpoint"), zmq.ZmqError);
});
