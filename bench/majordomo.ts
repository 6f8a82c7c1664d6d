/**
 * Majordomo, measured. Three runs, each printing a table and JSON lines:
 *
 * - scale: one broker (this process), workers on 1, 2, 4 and 8 hosts
 *   (network namespaces on a bridge where allowed, local processes
 *   otherwise), each request costing `--work` ms of simulated work (the
 *   worker's thread blocked in Atomics.wait: occupied as by real work, but
 *   without spending CPU, so 8 workers can overlap on a 2-core machine), and
 *   a client process keeping the pipeline full (the asynchronous form, 4
 *   requests in flight per worker). Requests per second for each worker count.
 * - ceiling: the broker's own limit with zero-cost work (`--ceiling-workers`
 *   worker processes, default 4; 2 client processes with 64 requests in
 *   flight each), next to a plain Router/Dealer `zmq.Proxy` (a C loop off the
 *   JavaScript thread) with as many Reply workers under the same load.
 * - faults: `--requests` (10,000) requests through 4 worker processes, one
 *   killed at random every `--kill-every` ms and replaced; every request must
 *   be answered with its own body or fail with a clear error, none twice.
 *
 *   deno run -A bench/majordomo.ts [--runs scale,ceiling,faults] [--seconds 3] [--work 1]
 *   bun bench/majordomo.ts [...the same]
 *
 * Namespaces need root (iproute2); without them the workers are local
 * processes and the table says so.
 *
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import * as zmq from "../mod.ts";
import { createNetwork, type Host, localNetwork, netnsSupport } from "../test/netns/hosts.ts";

const runtime = "Deno" in globalThis ? "deno" : "bun";
const SCRIPT = fileURLToPath(import.meta.url);
const E = new Uint8Array(0);

const { values: args } = parseArgs({
  args: process.argv.slice(2),
  options: {
    runs: { type: "string", default: "scale,ceiling,faults" },
    seconds: { type: "string", default: "3" },
    work: { type: "string", default: "1" },
    requests: { type: "string", default: "10000" },
    "kill-every": { type: "string", default: "200" },
    // Roles of the child processes.
    role: { type: "string" },
    endpoint: { type: "string" },
    window: { type: "string", default: "16" },
    interval: { type: "string", default: "500" },
    "ceiling-workers": { type: "string", default: "4" },
  },
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function argvOf(...rest: string[]): string[] {
  return runtime === "deno"
    ? [process.execPath, "run", "-A", SCRIPT, ...rest]
    : [process.execPath, SCRIPT, ...rest];
}

/** A child started on a host; its JSON stdout lines are collected. */
class Child {
  readonly lines: Record<string, unknown>[] = [];
  readonly exited: Promise<void>;
  #buffer = "";
  constructor(readonly process: ChildProcess) {
    process.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      this.#buffer += chunk;
      let at;
      while ((at = this.#buffer.indexOf("\n")) >= 0) {
        const line = this.#buffer.slice(0, at);
        this.#buffer = this.#buffer.slice(at + 1);
        if (line.startsWith("{")) this.lines.push(JSON.parse(line));
      }
    });
    process.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
      if (!/^\s*$/.test(chunk)) console.error(`  [child] ${chunk.trim()}`);
    });
    this.exited = new Promise((resolve) => process.once("close", () => resolve()));
  }

  async result(ms: number): Promise<Record<string, unknown>> {
    const deadline = performance.now() + ms;
    while (performance.now() < deadline) {
      const found = this.lines.find((line) => "result" in line);
      if (found) return found.result as Record<string, unknown>;
      await sleep(20);
    }
    throw new Error(`no result within ${ms} ms`);
  }

  async kill(): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    this.process.kill("SIGKILL");
    await Promise.race([this.exited, sleep(5_000)]);
  }
}

function startOn(host: Host | null, ...rest: string[]): Child {
  const argv = argvOf(...rest);
  const child = host === null
    ? spawn(argv[0], argv.slice(1), { stdio: ["pipe", "pipe", "pipe"] })
    : host.spawn(argv, { stdio: ["pipe", "pipe", "pipe"] });
  return new Child(child);
}

/** Waits (bounded, loudly) until `condition()` holds. */
async function until(condition: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = performance.now() + ms;
  while (!condition()) {
    if (performance.now() > deadline) {
      throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    }
    await sleep(20);
  }
}

// ---------------------------------------------------------------------------
// Child roles

/** Exits when the parent goes away (its stdin closes). */
function exitWithParent(cleanup: () => void): void {
  process.stdin.on("end", () => {
    cleanup();
    process.exit(0);
  });
  process.stdin.resume();
}

async function mdpWorkerRole() {
  const work = Number(args.work);
  const interval = Number(args.interval);
  // The work occupies the worker's thread for `work` ms as real work would,
  // without spending CPU (so 8 workers can share 2 cores): a blocking wait.
  // A timer would not do: Deno's setTimeout(1) takes about 2.2 ms.
  const cell = new Int32Array(new SharedArrayBuffer(4));
  const worker = new zmq.MajordomoWorker(args.endpoint!, "echo", (body) => {
    if (work > 0) Atomics.wait(cell, 0, 0, work);
    return body;
  }, { heartbeatInterval: interval, reconnectDelay: interval, onError: () => {} });
  exitWithParent(() => worker.close());
  await worker.done;
}

async function repWorkerRole() {
  const socket = new zmq.Reply({ linger: 0 });
  socket.connect(args.endpoint!);
  exitWithParent(() => socket.close());
  try {
    for (;;) await socket.send(await socket.receive());
  } catch {
    // closed
  }
}

/** Keeps `window` requests in flight for `seconds`; prints the replies counted. */
async function clientRole(kind: "mdp" | "proxy") {
  const window = Number(args.window);
  const seconds = Number(args.seconds);
  const body = new Uint8Array(16);
  let send: () => Promise<void>;
  let receive: () => Promise<unknown>;
  let close: () => void;
  if (kind === "mdp") {
    const client = new zmq.MajordomoClient(args.endpoint!);
    send = () => client.send("echo", body);
    receive = () => client.receive({ timeout: 10_000 });
    close = () => client.close();
  } else {
    const dealer = new zmq.Dealer({ linger: 0 });
    dealer.connect(args.endpoint!);
    send = () => dealer.send([E, body]);
    receive = () => dealer.receive({ timeout: 10_000 });
    close = () => dealer.close();
  }
  for (let i = 0; i < window; i++) await send();
  // Warm-up: the first replies come while connections settle.
  for (let i = 0; i < window; i++) {
    await receive();
    await send();
  }
  let replies = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  while (performance.now() < end) {
    await receive();
    replies++;
    await send();
  }
  const elapsed = (performance.now() - start) / 1000;
  console.log(JSON.stringify({ result: { replies, seconds: elapsed, rate: replies / elapsed } }));
  close();
}

// ---------------------------------------------------------------------------
// Runs

interface ScaleRow {
  workers: number;
  rate: number;
  perWorker: number;
  ideal: number;
}

async function scaleRun(): Promise<void> {
  const work = Number(args.work);
  const seconds = Number(args.seconds);
  const support = await netnsSupport();
  const network = support.ok ? await createNetwork(8) : localNetwork(8);
  const where = support.ok
    ? "workers on network-namespace hosts"
    : `workers as local processes (${support.reason})`;
  const host = support.ok ? network.hubAddress : "127.0.0.1";
  const rows: ScaleRow[] = [];
  try {
    for (const count of [1, 2, 4, 8]) {
      const broker = new zmq.MajordomoBroker({ heartbeatInterval: 500, onError: () => {} });
      await broker.bind(`tcp://${host}:*`);
      const endpoint = broker.endpoint!;
      const workers = network.hosts.slice(0, count).map((h) =>
        startOn(h, "--role", "mdp-worker", "--endpoint", endpoint, "--work", String(work))
      );
      try {
        await until(() => broker.statistics().workers === count, 60_000, `${count} workers`);
        const client = startOn(
          null,
          ...["--role", "mdp-client", "--endpoint", endpoint, "--window", String(4 * count)],
          ...["--seconds", String(seconds)],
        );
        const result = await client.result((seconds + 30) * 1000);
        await client.exited;
        const rate = Number(result.rate);
        rows.push({
          workers: count,
          rate,
          perWorker: rate / count,
          ideal: work > 0 ? count * 1000 / work : NaN,
        });
      } finally {
        for (const worker of workers) await worker.kill();
        broker.close();
      }
    }
  } finally {
    await network.destroy();
  }
  console.log(`\nscale-out (${runtime}): one broker, ${where}, ${work} ms of work per request`);
  console.log("workers | requests/s | per worker | ideal (workers x 1000/work) | of ideal");
  for (const row of rows) {
    console.log(
      `${String(row.workers).padStart(7)} | ${Math.round(row.rate).toString().padStart(10)} | ${
        Math.round(row.perWorker).toString().padStart(10)
      } | ${Math.round(row.ideal).toString().padStart(27)} | ${
        (100 * row.rate / row.ideal).toFixed(0).padStart(7)
      }%`,
    );
  }
  console.log(JSON.stringify({ impl: runtime, test: "majordomo-scale", work, where, rows }));
}

async function ceilingRun(): Promise<void> {
  const seconds = Number(args.seconds);
  const count = Number(args["ceiling-workers"]);
  const results: Record<string, number> = {};
  const cpuShare: Record<string, number> = {};
  const load = async (kind: "mdp" | "proxy", endpoint: string) => {
    const clients = [0, 1].map(() =>
      startOn(
        null,
        ...["--role", `${kind}-client`, "--endpoint", endpoint, "--window", "64"],
        ...["--seconds", String(seconds)],
      )
    );
    // This process's CPU time over the run: how busy the broker (or proxy) was.
    const cpuBefore = process.cpuUsage();
    const wallBefore = performance.now();
    const rates = await Promise.all(clients.map((c) => c.result((seconds + 30) * 1000)));
    const cpu = process.cpuUsage(cpuBefore);
    cpuShare[kind] = (cpu.user + cpu.system) / 1000 / (performance.now() - wallBefore);
    await Promise.all(clients.map((c) => c.exited));
    return rates.reduce((sum, r) => sum + Number(r.rate), 0);
  };

  // The Majordomo broker, zero-cost work.
  {
    const broker = new zmq.MajordomoBroker({ heartbeatInterval: 500, onError: () => {} });
    await broker.bind("tcp://127.0.0.1:*");
    const workers = Array.from(
      { length: count },
      () => startOn(null, "--role", "mdp-worker", "--endpoint", broker.endpoint!, "--work", "0"),
    );
    try {
      await until(() => broker.statistics().workers === count, 60_000, `${count} workers`);
      results.majordomo = await load("mdp", broker.endpoint!);
    } finally {
      for (const worker of workers) await worker.kill();
      broker.close();
    }
  }
  // A plain Router/Dealer proxy (zmq.Proxy, off the JavaScript thread) with Reply workers.
  {
    const frontend = new zmq.Router({ linger: 0 });
    const backend = new zmq.Dealer({ linger: 0 });
    await frontend.bind("tcp://127.0.0.1:*");
    await backend.bind("tcp://127.0.0.1:*");
    const proxy = new zmq.Proxy(frontend, backend);
    const running = proxy.run();
    const workers = Array.from(
      { length: count },
      () => startOn(null, "--role", "rep-worker", "--endpoint", backend.lastEndpoint!),
    );
    try {
      results.proxy = await load("proxy", frontend.lastEndpoint!);
    } finally {
      for (const worker of workers) await worker.kill();
      await proxy.terminate();
      await running;
      frontend.close();
      backend.close();
    }
  }
  console.log(
    `\nbroker ceiling (${runtime}): zero-cost work, ${count} worker processes, 2 client processes x 64 in flight`,
  );
  console.log(
    `  Majordomo broker (7/MDP, JS thread) ${
      Math.round(results.majordomo).toString().padStart(8)
    } requests/s`,
  );
  console.log(
    `  Router/Dealer zmq.Proxy (C thread)  ${
      Math.round(results.proxy).toString().padStart(8)
    } requests/s`,
  );
  console.log(
    `  ratio                               ${
      (results.majordomo / results.proxy).toFixed(2).padStart(8)
    }`,
  );
  // CPU time per request in the broker's process, and the rate that would fill one core.
  const perRequest = (kind: string, rate: number) => 1e6 * cpuShare[kind] / rate;
  const mdpUs = perRequest("mdp", results.majordomo);
  const proxyUs = perRequest("proxy", results.proxy);
  console.log(
    `  broker process CPU: Majordomo ${(100 * cpuShare.mdp).toFixed(0)}% of a core, ` +
      `${mdpUs.toFixed(0)} µs a request (one core's worth: ${
        Math.round(1e6 / mdpUs)
      } requests/s); ` +
      `proxy ${(100 * cpuShare.proxy).toFixed(0)}%, ${proxyUs.toFixed(1)} µs a request`,
  );
  console.log(JSON.stringify({
    impl: runtime,
    test: "majordomo-ceiling",
    workers: count,
    ...results,
    brokerCpu: cpuShare.mdp,
    proxyCpu: cpuShare.proxy,
    brokerUsPerRequest: mdpUs,
    proxyUsPerRequest: proxyUs,
  }));
}

async function faultsRun(): Promise<void> {
  const total = Number(args.requests);
  const killEvery = Number(args["kill-every"]);
  const work = Number(args.work);
  const interval = 250;
  const broker = new zmq.MajordomoBroker({ heartbeatInterval: interval, onError: () => {} });
  await broker.bind("tcp://127.0.0.1:*");
  const endpoint = broker.endpoint!;
  const workers = new Set<Child>();
  const start = () => {
    workers.add(
      startOn(
        null,
        ...["--role", "mdp-worker", "--endpoint", endpoint, "--work", String(work)],
        ...["--interval", String(interval)],
      ),
    );
  };
  for (let i = 0; i < 4; i++) start();
  let kills = 0;
  let killing = true;
  const client = new zmq.MajordomoClient(endpoint, { timeout: 1_000, retries: 5, maxInFlight: 16 });
  try {
    await until(() => broker.statistics().workers === 4, 60_000, "4 workers");
    const killer = (async () => {
      while (killing) {
        await sleep(killEvery);
        if (!killing) break;
        const victim = [...workers][Math.floor(Math.random() * workers.size)];
        workers.delete(victim);
        await victim.kill();
        kills++;
        start();
      }
    })();
    const began = performance.now();
    const answers = new Map<number, number>();
    let wrong = 0;
    const failures = new Map<string, number>();
    await Promise.all(
      Array.from({ length: total }, async (_, i) => {
        try {
          const [reply] = await client.request("echo", `request ${i}`);
          if (new TextDecoder().decode(reply) !== `request ${i}`) wrong++;
          answers.set(i, (answers.get(i) ?? 0) + 1);
        } catch (error) {
          const code = (error as zmq.ZmqError).code ?? String(error);
          failures.set(code, (failures.get(code) ?? 0) + 1);
        }
      }),
    );
    const elapsed = (performance.now() - began) / 1000;
    killing = false;
    await killer;
    const answered = answers.size;
    const twice = [...answers.values()].filter((n) => n > 1).length;
    const failed = [...failures.values()].reduce((a, b) => a + b, 0);
    const stats = client.statistics();
    console.log(
      `\nfaults (${runtime}): ${total} requests, 4 worker processes, one SIGKILLed every ${killEvery} ms and replaced`,
    );
    console.log(`  answered with their own body  ${answered}`);
    console.log(
      `  failed (${[...failures.entries()].map(([c, n]) => `${c} ${n}`).join(", ") || "none"})`
        .padEnd(31) + ` ${failed}`,
    );
    console.log(`  answered twice / wrong body   ${twice} / ${wrong}`);
    console.log(`  retries, worker kills         ${stats.retries}, ${kills}`);
    console.log(`  broker: expired workers       ${broker.statistics().expiredWorkers}`);
    console.log(
      `  elapsed                       ${elapsed.toFixed(1)} s (${
        Math.round(total / elapsed)
      } requests/s)`,
    );
    console.log(JSON.stringify({
      impl: runtime,
      test: "majordomo-faults",
      total,
      answered,
      failed,
      failures: Object.fromEntries(failures),
      twice,
      wrong,
      retries: stats.retries,
      kills,
      expiredWorkers: broker.statistics().expiredWorkers,
      seconds: elapsed,
    }));
    if (answered + failed !== total || twice > 0 || wrong > 0) process.exitCode = 1;
  } finally {
    killing = false;
    client.close();
    for (const worker of workers) await worker.kill();
    broker.close();
  }
}

switch (args.role) {
  case "mdp-worker":
    await mdpWorkerRole();
    break;
  case "rep-worker":
    await repWorkerRole();
    break;
  case "mdp-client":
    await clientRole("mdp");
    break;
  case "proxy-client":
    await clientRole("proxy");
    break;
  case undefined: {
    const runs = args.runs.split(",");
    if (runs.includes("scale")) await scaleRun();
    if (runs.includes("ceiling")) await ceilingRun();
    if (runs.includes("faults")) await faultsRun();
    break;
  }
  default:
    console.error(`unknown --role ${args.role}`);
    process.exitCode = 2;
}
