/**
 * Runs every example in examples/ as a child process with the current
 * runtime. A standalone example must exit 0 by itself within 30 s and print
 * what it shows. The guide's multi-process examples (a server and its
 * clients, a broker and its workers, ...) are roles: each scenario below
 * starts the roles of one example together, on fresh ipc endpoints passed as
 * flags, and checks what every process prints and how it exits.
 */
import { spawn } from "node:child_process";
import { readdirSync, rmSync } from "node:fs";
import process from "node:process";
import { fileURLToPath } from "node:url";
import {
  equal,
  match,
  ok,
  runtimeCommand,
  test,
  uniqueIpcAddress,
  withTimeout,
} from "./harness.ts";

const EXAMPLE_TIMEOUT = 30_000;
/** The bound on each process of a scenario, and on waiting for its output. */
const ROLE_TIMEOUT = 20_000;
const examplesDir = fileURLToPath(new URL("../examples/", import.meta.url));
const examples = readdirSync(examplesDir).filter((name) => name.endsWith(".ts")).sort();

interface Run {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/** One example running as a child process, its output collected as it comes. */
class Child {
  stdout = "";
  stderr = "";
  readonly exited: Promise<Run>;
  #child: ReturnType<typeof spawn>;
  #running = true;
  #outputListeners = new Set<() => void>();

  constructor(readonly name: string, readonly args: string[] = []) {
    const [command, ...commandArgs] = runtimeCommand(examplesDir + name);
    this.#child = spawn(command, [...commandArgs, ...args], {
      cwd: fileURLToPath(new URL("..", import.meta.url)),
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.#child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      this.stdout += chunk;
      for (const listener of this.#outputListeners) listener();
    });
    this.#child.stderr!.setEncoding("utf8").on("data", (chunk: string) => this.stderr += chunk);
    this.exited = new Promise<Run>((resolve, reject) => {
      this.#child.once("error", reject);
      this.#child.once("close", (code, signal) => {
        this.#running = false;
        for (const listener of this.#outputListeners) listener();
        resolve({ code, signal, stdout: this.stdout, stderr: this.stderr });
      });
    });
  }

  /** Waits (bounded) until stdout matches `pattern`; fails if the process exits first. */
  waitFor(pattern: RegExp, ms = ROLE_TIMEOUT): Promise<void> {
    return withTimeout(
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (pattern.test(this.stdout)) resolve();
          else if (!this.#running) {
            reject(new Error(`${this.name} exited before printing ${pattern}`));
          } else return;
          this.#outputListeners.delete(check);
        };
        this.#outputListeners.add(check);
        check();
      }),
      ms,
      `${this.name} to print ${pattern}`,
    );
  }

  /** Waits (bounded) for the process to exit, killing it if it does not. */
  async finish(ms = ROLE_TIMEOUT): Promise<Run> {
    try {
      return await withTimeout(this.exited, ms, `${this.name} to exit`);
    } catch (error) {
      this.kill();
      throw error;
    }
  }

  /** Ctrl-C. */
  interrupt(): void {
    // Not child.kill(): after it, Deno's node:child_process reports the
    // signal as the cause of any exit, even a clean one by a handler.
    if (this.#running) process.kill(this.#child.pid!, "SIGINT");
  }

  kill(): void {
    if (this.#running) this.#child.kill("SIGKILL");
  }

  /** Everything it printed, for a failure message. */
  transcript(): string {
    const command = [this.name, ...this.args].join(" ");
    return `--- ${command}: stdout ---\n${this.stdout}--- ${command}: stderr ---\n${this.stderr}`;
  }
}

/** Waits for `child` to exit and asserts it exited by itself with `code`. */
async function expectExit(child: Child, code = 0): Promise<Run> {
  const run = await child.finish();
  equal(run.signal, null, `${child.name} was killed by ${run.signal}`);
  equal(run.code, code, `${child.name} exited with ${run.code}`);
  return run;
}

/** How many lines of `text` match `pattern`. */
const countLines = (text: string, pattern: RegExp) =>
  text.split("\n").filter((line) => pattern.test(line)).length;

/** The number captured by `pattern` in `text`, failing if it is not there. */
function numberIn(text: string, pattern: RegExp): number {
  const found = text.match(pattern);
  ok(found, `no ${pattern} in the output`);
  return Number(found[1]);
}

// ---------------------------------------------------------------------------
// Standalone examples

/** What each standalone example must print, beyond something. */
const checks: Record<string, (stdout: string) => void> = {
  "demo.ts": (out) => match(out, /^Done\.$/m),
  "queue_device.ts": (out) => {
    equal(countLines(out, /^client \d got: /), 9, "nine replies");
    match(out, /got: worker A handled/, "a reply from worker A");
    match(out, /got: worker B handled/, "a reply from worker B");
    match(out, /frontend: 9 messages in/, "the proxy's statistics");
  },
  "forwarder_device.ts": (out) => {
    equal(countLines(out, /^subscriber 1 got \[weather\]/), 3, "three weather updates");
    equal(countLines(out, /^subscriber 2 got \[sports\]/), 3, "three sports updates");
    equal(countLines(out, /got \[news\]/), 0, "no unsubscribed topic");
  },
  "streamer_device.ts": (out) => {
    const a = Number(out.match(/^ {2}worker A: (\d+)$/m)?.[1]);
    const b = Number(out.match(/^ {2}worker B: (\d+)$/m)?.[1]);
    ok(a > 0 && b > 0, `both workers got tasks (A: ${a}, B: ${b})`);
    equal(a + b, 10, "every task handled once");
  },
  "monitor.ts": (out) => {
    const types = [...out.matchAll(/^ {2}event: (\S+)/gm)].map((m) => m[1]);
    const order = ["bind", "accept", "handshake", "disconnect", "close"];
    const positions = order.map((type) => types.indexOf(type));
    ok(positions.every((p, i) => p >= 0 && (i === 0 || p > positions[i - 1])), `events ${types}`);
  },
};

// ---------------------------------------------------------------------------
// Multi-process examples: each scenario starts its roles together

type Start = (name: string, ...args: string[]) => Child;

/** One multi-process example: the role files it runs, and how. */
interface Scenario {
  name: string;
  roles: string[];
  run: (start: Start, endpoint: () => string) => Promise<void>;
}

const scenarios: Scenario[] = [
  {
    name: "hello world: a client (started first) and a server",
    roles: ["hello_server.ts", "hello_client.ts"],
    async run(start, endpoint) {
      const at = endpoint();
      const client = start("hello_client.ts", "--endpoint", at);
      const server = start("hello_server.ts", "--endpoint", at, "--requests", "10");
      const clientRun = await expectExit(client);
      for (let n = 1; n <= 10; n++) {
        match(clientRun.stdout, new RegExp(`^Received World ${n}$`, "m"));
      }
      const serverRun = await expectExit(server);
      equal(countLines(serverRun.stdout, /^Received Hello$/), 10, "ten requests");
      match(serverRun.stdout, /^hello server: served 10 requests$/m);
    },
  },
  {
    name: "weather: a server publishing until Ctrl-C, two clients with their own zip codes",
    roles: ["weather_server.ts", "weather_client.ts"],
    async run(start, endpoint) {
      const at = endpoint();
      const server = start("weather_server.ts", "--endpoint", at, "--zips", "100");
      const clients = ["00042", "00007"].map((zip) =>
        start("weather_client.ts", "--endpoint", at, "--zip", zip, "--updates", "20")
      );
      for (const [i, zip] of ["00042", "00007"].entries()) {
        const { stdout } = await expectExit(clients[i]);
        equal(countLines(stdout, /^Received update: /), 20, "twenty updates");
        equal(
          countLines(stdout, new RegExp(`^Received update: ${zip} -?\\d+ \\d+$`)),
          20,
          "all for the zip",
        );
        match(
          stdout,
          new RegExp(
            `^Average temperature for zipcode '${zip}' was -?\\d+F \\(20 updates\\)$`,
            "m",
          ),
        );
      }
      server.interrupt();
      const { stdout } = await expectExit(server);
      ok(numberIn(stdout, /^weather server: published (\d+) updates$/m) >= 40, "published updates");
    },
  },
  {
    name: "pipeline: a ventilator, two workers and a sink",
    roles: ["task_ventilator.ts", "task_worker.ts", "task_sink.ts"],
    async run(start, endpoint) {
      const tasks = endpoint();
      const results = endpoint();
      const sink = start("task_sink.ts", "--results", results, "--batch", "20");
      const workers = [1, 2].map(() =>
        start("task_worker.ts", "--tasks", tasks, "--results", results)
      );
      const ventilator = start(
        "task_ventilator.ts",
        ...["--tasks", tasks, "--results", results, "--batch", "20", "--workers", "2"],
      );
      match((await expectExit(ventilator)).stdout, /^Total expected cost: \d+ msec$/m);
      const sinkRun = await expectExit(sink);
      match(sinkRun.stdout, /^\.{9}:\.{9}:$/m, "one mark per result");
      match(sinkRun.stdout, /^sink: collected 20 results$/m);
      match(sinkRun.stdout, /^Total elapsed time: \d+ msec$/m);
      const processed: number[] = [];
      for (const worker of workers) {
        worker.interrupt();
        const { stdout } = await expectExit(worker);
        processed.push(numberIn(stdout, /^worker: processed (\d+) tasks$/m));
      }
      // The ventilator waited for both workers, so the batch was shared out.
      ok(processed.every((count) => count > 0), `both workers got tasks: ${processed}`);
      equal(processed[0] + processed[1], 20, "every task processed once");
    },
  },
  {
    name: "request-reply broker: two clients, two workers",
    roles: ["rr_broker.ts", "rr_client.ts", "rr_worker.ts"],
    async run(start, endpoint) {
      const frontend = endpoint();
      const backend = endpoint();
      const broker = start("rr_broker.ts", "--frontend", frontend, "--backend", backend);
      const workers = [1, 2].map(() => start("rr_worker.ts", "--backend", backend));
      // Ctrl-C must find every worker running, with its handler in place.
      for (const worker of workers) await worker.waitFor(/waiting for requests/);
      const clients = ["10", "5"].map((requests) =>
        start("rr_client.ts", "--frontend", frontend, "--requests", requests)
      );
      for (const [i, requests] of [10, 5].entries()) {
        const { stdout } = await expectExit(clients[i]);
        equal(countLines(stdout, /^Received reply \d+ \[World from worker \d+\]$/), requests);
      }
      broker.interrupt();
      const brokerRun = await expectExit(broker);
      match(brokerRun.stdout, /^broker: forwarded 15 requests and 15 replies$/m);
      let handled = 0;
      for (const worker of workers) {
        worker.interrupt();
        const { stdout } = await expectExit(worker);
        handled += numberIn(stdout, /^worker \d+: handled (\d+) requests$/m);
      }
      equal(handled, 15, "every request handled once");
    },
  },
  {
    name: "lazy pirate: the server crashes, restarts, and the client carries on",
    roles: ["lazy_pirate_client.ts", "lazy_pirate_server.ts"],
    async run(start, endpoint) {
      const at = endpoint();
      const first = start(
        "lazy_pirate_server.ts",
        ...["--endpoint", at, "--failure", "crash", "--fail-after", "3"],
      );
      const client = start(
        "lazy_pirate_client.ts",
        ...["--endpoint", at, "--requests", "6", "--timeout", "1000", "--tries", "10"],
      );
      match((await expectExit(first)).stdout, /^I: simulating a crash$/m);
      const second = start("lazy_pirate_server.ts", "--endpoint", at, "--failure", "none");
      const { stdout } = await expectExit(client);
      for (let n = 1; n <= 6; n++) {
        match(stdout, new RegExp(`^I: server replied OK \\(${n}\\)$`, "m"));
      }
      match(stdout, /^W: no response from server, retrying\.\.\.$/m);
      second.interrupt();
      match((await expectExit(second)).stdout, /^I: normal request \(6\)$/m);
    },
  },
  {
    name: "lazy pirate: the server stalls, the client retries on a new socket",
    roles: ["lazy_pirate_client.ts", "lazy_pirate_server.ts"],
    async run(start, endpoint) {
      const at = endpoint();
      const server = start(
        "lazy_pirate_server.ts",
        ...["--endpoint", at, "--failure", "overload", "--fail-after", "2"],
      );
      const client = start(
        "lazy_pirate_client.ts",
        ...["--endpoint", at, "--requests", "5", "--timeout", "500", "--tries", "10"],
      );
      const { stdout } = await expectExit(client);
      for (let n = 1; n <= 5; n++) {
        match(stdout, new RegExp(`^I: server replied OK \\(${n}\\)$`, "m"));
      }
      match(stdout, /^W: no response from server, retrying\.\.\.$/m);
      server.interrupt();
      match((await expectExit(server)).stdout, /^I: simulating CPU overload$/m);
    },
  },
  {
    name: "lazy pirate: the server is gone, the client gives up",
    roles: ["lazy_pirate_client.ts", "lazy_pirate_server.ts"],
    async run(start, endpoint) {
      const at = endpoint();
      const server = start(
        "lazy_pirate_server.ts",
        ...["--endpoint", at, "--failure", "crash", "--fail-after", "2"],
      );
      // The client's bound is for a server that is gone, not one still starting
      // (a runtime's start takes seconds on a busy machine).
      await server.waitFor(/^I: lazy pirate server on /m);
      const client = start(
        "lazy_pirate_client.ts",
        ...["--endpoint", at, "--requests", "5", "--timeout", "1000", "--tries", "3"],
      );
      await expectExit(server);
      const { stdout } = await expectExit(client, 1);
      match(stdout, /^I: server replied OK \(2\)$/m);
      equal(countLines(stdout, /^W: no response from server, retrying/), 2, "two retries");
      match(stdout, /^E: server seems to be offline, abandoning$/m);
      equal(countLines(stdout, /server replied OK \(3\)/), 0, "no reply after the crash");
    },
  },
  {
    name: "majordomo: a broker, two workers and a client of the echo service",
    roles: ["majordomo_broker.ts", "majordomo_worker.ts", "majordomo_client.ts"],
    async run(start, endpoint) {
      const at = endpoint();
      const broker = start("majordomo_broker.ts", "--endpoint", at);
      await broker.waitFor(/^broker: clients and workers connect to /m);
      const workers = [1, 2].map(() => start("majordomo_worker.ts", "--endpoint", at));
      for (const worker of workers) await worker.waitFor(/waiting for requests/);
      const client = start("majordomo_client.ts", "--endpoint", at, "--requests", "10");
      const { stdout } = await expectExit(client);
      match(stdout, /^client: service "echo" is (available|not available yet)$/m);
      for (let n = 1; n <= 10; n++) match(stdout, new RegExp(`^Reply ${n}: Hello ${n}$`, "m"));
      match(stdout, /^client: 10 replies, 0 retries$/m);
      let handled = 0;
      for (const worker of workers) {
        worker.interrupt();
        handled += numberIn(
          (await expectExit(worker)).stdout,
          /^worker \d+: handled (\d+) requests$/m,
        );
      }
      equal(handled, 10, "every request handled once");
      broker.interrupt();
      // Ten requests and the client's mmi.service question.
      match(
        (await expectExit(broker)).stdout,
        /^broker: 11 requests, 11 replies, 0 workers expired$/m,
      );
    },
  },
  {
    name: "beacon: a service announced by beacon, and a client that finds it",
    roles: ["beacon_service.ts", "beacon_client.ts"],
    async run(start, endpoint) {
      // Broadcasts stay on loopback; a random UDP port keeps runs apart.
      const beacon = [
        "--port",
        String(20_000 + Math.floor(Math.random() * 30_000)),
        "--interface",
        "lo",
      ];
      const at = endpoint();
      const service = start("beacon_service.ts", "--endpoint", at, ...beacon);
      await service.waitFor(/^service: announcing "echo" -> /m);
      const client = start("beacon_client.ts", ...beacon, "--requests", "3");
      const { stdout } = await expectExit(client);
      match(stdout, new RegExp(`^client: found "echo" at ${at.replaceAll(".", "\\.")}$`, "m"));
      for (let n = 1; n <= 3; n++) match(stdout, new RegExp(`^Reply ${n}: Hello ${n}$`, "m"));
      service.interrupt();
      match((await expectExit(service)).stdout, /^service: served 3 requests$/m);
    },
  },
];

const roleFiles = new Set(scenarios.flatMap((scenario) => scenario.roles));
const standalone = examples.filter((name) => !roleFiles.has(name));

test("examples: the directory has examples", () => {
  ok(standalone.includes("demo.ts"), `examples found: ${examples}`);
  for (const role of roleFiles) ok(examples.includes(role), `examples/${role} is missing`);
});

for (const name of standalone) {
  test(`examples: ${name} runs to completion`, async () => {
    const child = new Child(name);
    try {
      const run = await child.finish(EXAMPLE_TIMEOUT);
      equal(run.signal, null, `${name} was killed by ${run.signal}`);
      equal(run.code, 0, `${name} exited with ${run.code}`);
      ok(run.stdout.trim() !== "", `${name} printed nothing`);
      checks[name]?.(run.stdout);
    } catch (error) {
      throw new Error(`${name}: ${error}\n${child.transcript()}`);
    }
  }, { timeout: EXAMPLE_TIMEOUT + 5_000 });
}

for (const scenario of scenarios) {
  test(`examples: ${scenario.name}`, async () => {
    const children: Child[] = [];
    const ipcPaths: string[] = [];
    const start: Start = (name, ...args) => {
      ok(scenario.roles.includes(name), `${name} is not a role of this scenario`);
      const child = new Child(name, args);
      children.push(child);
      return child;
    };
    const endpoint = () => {
      const address = uniqueIpcAddress();
      ipcPaths.push(address.slice("ipc://".length));
      return address;
    };
    try {
      await scenario.run(start, endpoint);
    } catch (error) {
      throw new Error(`${error}\n${children.map((child) => child.transcript()).join("")}`);
    } finally {
      for (const child of children) child.kill();
      for (const path of ipcPaths) rmSync(path, { force: true });
    }
  }, { timeout: 45_000 });
}
