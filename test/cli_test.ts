/**
 * The `zmq` command-line tool, run as child processes with the current
 * runtime: messages round-trip between two CLI processes, every command's
 * help works, and bad input gives one line and exit code 2.
 */
import { type ChildProcess, spawn } from "node:child_process";
import process from "node:process";
import { fileURLToPath } from "node:url";
import * as zmq from "../mod.ts";
import { Progress, Stats } from "../cli/progress.ts";
import {
  closeAll,
  deepEqual,
  equal,
  match,
  ok,
  runtimeCommand,
  test,
  uniqueIpcAddress,
  withTimeout,
} from "./harness.ts";

const CLI = fileURLToPath(new URL("../cli/zmq.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("..", import.meta.url));
/** The longest any one CLI process may take before it is killed and the test fails. */
const CHILD_TIMEOUT = 10_000;

interface Exit {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/** One running `zmq ...` process, with its output collected as it comes. */
class Cli {
  readonly args: string[];
  readonly child: ChildProcess;
  stdout = "";
  stderr = "";
  readonly exited: Promise<Exit>;
  #listeners = new Set<() => void>();

  constructor(args: string[], stdin: "pipe" | "ignore") {
    this.args = args;
    const [command, ...rest] = runtimeCommand(CLI);
    this.child = spawn(command, [...rest, ...args], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: "1" },
      stdio: [stdin, "pipe", "pipe"],
    });
    const changed = () => {
      for (const listener of this.#listeners) listener();
    };
    this.child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      this.stdout += chunk;
      changed();
    });
    this.child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
      this.stderr += chunk;
      changed();
    });
    this.exited = new Promise((resolve, reject) => {
      this.child.once("error", reject);
      this.child.once("close", (code, signal) => {
        resolve({ code, signal, stdout: this.stdout, stderr: this.stderr });
        changed();
      });
    });
  }

  /** Resolves with the first match of `pattern` in stdout or stderr; fails after the bound. */
  async waitFor(where: "stdout" | "stderr", pattern: RegExp): Promise<RegExpMatchArray> {
    let listener: (() => void) | undefined;
    const found = new Promise<RegExpMatchArray>((resolve, reject) => {
      listener = () => {
        const result = this[where].match(pattern);
        if (result !== null) resolve(result);
        else if (this.child.exitCode !== null || this.child.signalCode !== null) {
          reject(new Error(`zmq ${this.args.join(" ")} exited before ${where} matched ${pattern}`));
        }
      };
      this.#listeners.add(listener);
      listener();
    });
    try {
      return await withTimeout(
        found,
        CHILD_TIMEOUT,
        `${where} of zmq ${this.args[0]} to match ${pattern}`,
      );
    } catch (error) {
      throw new Error(`${error}\n${this.describe()}`);
    } finally {
      this.#listeners.delete(listener!);
    }
  }

  /** The endpoint a wildcard bind reported ("zmq: bound to tcp://127.0.0.1:40123"). */
  async boundEndpoint(nth = 1): Promise<string> {
    const pattern = new RegExp(`(?:bound to (tcp://\\S+)[\\s\\S]*?){${nth}}`);
    const found = await this.waitFor("stderr", pattern);
    return found[1];
  }

  /** Writes lines to stdin. */
  write(text: string): void {
    this.child.stdin!.write(text);
  }

  /** Waits for the exit, killing the process if it outlasts the bound. */
  async finish(): Promise<Exit> {
    try {
      return await withTimeout(this.exited, CHILD_TIMEOUT, `zmq ${this.args[0]} to exit`);
    } catch (error) {
      this.kill();
      throw new Error(`${error}\n${this.describe()}`);
    }
  }

  /**
   * Sends `signal` the way a shell's `kill` does. Not child.kill(): Deno's
   * ChildProcess then reports the signal as the cause of exit even when the
   * process handled it and exited 0 by itself.
   */
  signal(signal: "SIGTERM" | "SIGINT"): void {
    process.kill(this.child.pid!, signal);
  }

  /** Kills the process at once (cleanup). */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
  }

  describe(): string {
    return `--- zmq ${
      this.args.join(" ")
    }\n--- stdout ---\n${this.stdout}\n--- stderr ---\n${this.stderr}`;
  }
}

/** Starts `zmq ...args`. */
function start(args: string[], stdin: "pipe" | "ignore" = "ignore"): Cli {
  return new Cli(args, stdin);
}

/** Runs `zmq ...args` to the end, with `input` on stdin if given. */
async function run(args: string[], input?: string): Promise<Exit> {
  const cli = start(args, input === undefined ? "ignore" : "pipe");
  if (input !== undefined) cli.child.stdin!.end(input);
  return await cli.finish();
}

/** Kills every process given, whatever state the test ended in. */
function killAll(...clis: (Cli | undefined)[]): void {
  for (const cli of clis) cli?.kill();
}

/** Non-empty lines of `text`. */
const lines = (text: string) => text.split("\n").filter((line) => line !== "");

/** Asserts a clean usage error: exit 2, exactly one stderr line, no stack trace. */
function assertUsageError(exit: Exit, pattern: RegExp, what: string): void {
  equal(exit.code, 2, `${what}: exit code (stderr: ${exit.stderr})`);
  const errorLines = lines(exit.stderr);
  equal(errorLines.length, 1, `${what}: one line on stderr, got:\n${exit.stderr}`);
  match(errorLines[0], /^zmq: /, `${what}: the line starts with "zmq: "`);
  match(errorLines[0], pattern, what);
  ok(!/\bat .+:\d+:\d+/.test(exit.stderr), `${what}: no stack trace`);
  equal(exit.stdout, "", `${what}: nothing on stdout`);
}

test("cli: push -> pull over tcp, from stdin lines and hex arguments, ended by SIGTERM", async () => {
  let pull: Cli | undefined;
  let push: Cli | undefined;
  try {
    pull = start(["pull", "tcp://127.0.0.1:*", "--format", "json"]);
    const endpoint = await pull.boundEndpoint();
    push = start(["push", endpoint, "--separator", "|"], "pipe");
    push.child.stdin!.end("one\ntwo|2\nthree\n");
    const pushed = await push.finish();
    equal(pushed.code, 0, push.describe());
    const hex = await run(["push", endpoint, "--input", "hex", "6869 ff00"]);
    equal(hex.code, 0, hex.stderr);
    await pull.waitFor("stdout", /(.*\n){4}/);
    pull.signal("SIGTERM");
    const pulled = await pull.finish();
    equal(pulled.code, 0, `SIGTERM ends pull with exit 0\n${pull.describe()}`);
    deepEqual(lines(pulled.stdout).map((line) => JSON.parse(line)), [
      ["one"],
      ["two", "2"],
      ["three"],
      ["hi", { base64: "/wA=" }],
    ]);
  } finally {
    killAll(pull, push);
  }
});

test("cli: req gets the reply of rep --echo; multipart, hex and json output", async () => {
  let rep: Cli | undefined;
  try {
    rep = start(["rep", "tcp://127.0.0.1:*", "--echo", "--format", "hex", "--count", "2"]);
    const endpoint = await rep.boundEndpoint();
    const req = await run([
      "req",
      endpoint,
      "a|b",
      "hello",
      "--separator",
      "|",
      "--format",
      "json",
      "--timeout",
      "5000",
    ]);
    equal(req.code, 0, req.stderr);
    deepEqual(lines(req.stdout).map((line) => JSON.parse(line)), [["a", "b"], ["hello"]]);
    const replied = await rep.finish();
    equal(replied.code, 0, rep.describe());
    deepEqual(lines(replied.stdout), ["61 62", "68656c6c6f"]);
  } finally {
    killAll(rep);
  }
});

test("cli: text output joins frames with the separator; rep answers with --reply", async () => {
  let rep: Cli | undefined;
  try {
    rep = start(["rep", "tcp://127.0.0.1:*", "--reply", "ok|done", "-d", "|", "-n", "1"]);
    const endpoint = await rep.boundEndpoint();
    const req = await run(["req", endpoint, "x+y", "-d", "+", "--timeout", "5000"]);
    equal(req.code, 0, req.stderr);
    equal(req.stdout, "ok+done\n", "the reply's two frames, joined by req's separator");
    const replied = await rep.finish();
    equal(replied.code, 0, rep.describe());
    equal(replied.stdout, "x|y\n", "the request's two frames, joined by rep's separator");
  } finally {
    killAll(rep);
  }
});

test("cli: sub --subscribe gets only its topic from pub", async () => {
  let sub: Cli | undefined;
  let pub: Cli | undefined;
  try {
    sub = start(["sub", "tcp://127.0.0.1:*", "--subscribe", "weather", "--count", "2"]);
    const endpoint = await sub.boundEndpoint();
    pub = start(["pub", endpoint], "pipe");
    // Publishing is fire-and-forget: publish both topics until the
    // subscription has reached the publisher and two matches came through.
    let round = 0;
    const publisher = pub;
    const subscriber = sub;
    const pumping = (async () => {
      while (subscriber.child.exitCode === null && round < 500) {
        round++;
        publisher.write(`news ${round}\nweather ${round}\n`);
        // Paces the publisher (scenario, not a wait): the loop ends when the subscriber has its two.
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const received = await sub.finish();
    await pumping;
    pub.child.stdin!.end();
    equal((await pub.finish()).code, 0, pub.describe());
    equal(received.code, 0, sub.describe());
    const got = lines(received.stdout);
    equal(got.length, 2, sub.describe());
    ok(got.every((line) => /^weather \d+$/.test(line)), `only weather: ${got}`);
  } finally {
    killAll(sub, pub);
  }
});

test("cli: proxy queue carries a CLI req to a CLI rep and stops on SIGTERM", async () => {
  let proxy: Cli | undefined;
  let rep: Cli | undefined;
  try {
    proxy = start(["proxy", "queue", "tcp://127.0.0.1:*", "tcp://127.0.0.1:*", "--verbose"]);
    const frontend = await proxy.boundEndpoint(1);
    const backend = await proxy.boundEndpoint(2);
    ok(frontend !== backend, `two endpoints: ${frontend}, ${backend}`);
    rep = start(["rep", backend, "--echo", "--count", "1"]);
    const req = await run(["req", frontend, "through the queue", "--timeout", "5000"]);
    equal(req.code, 0, req.stderr);
    equal(req.stdout, "through the queue\n");
    equal((await rep.finish()).code, 0, rep.describe());
    proxy.signal("SIGTERM");
    const stopped = await proxy.finish();
    equal(stopped.code, 0, proxy.describe());
    match(stopped.stderr, /frontend 1 in, 1 out; backend 1 in, 1 out/);
  } finally {
    killAll(proxy, rep);
  }
});

test("cli: monitor prints connect and accept events", async () => {
  const server = new zmq.Reply();
  const client = new zmq.Dealer();
  let connecting: Cli | undefined;
  let binding: Cli | undefined;
  try {
    await server.bind("tcp://127.0.0.1:*");
    connecting = start(["monitor", server.lastEndpoint!]);
    const connect = await connecting.waitFor("stdout", /^\S+ connect (tcp:\S+) fd=\d+$/m);
    equal(connect[1], server.lastEndpoint);
    connecting.signal("SIGINT");
    equal((await connecting.finish()).code, 0, connecting.describe());

    binding = start(["monitor", "tcp://127.0.0.1:*", "--format", "json", "--count", "2"]);
    const endpoint = await binding.boundEndpoint();
    client.connect(endpoint);
    const exit = await binding.finish();
    equal(exit.code, 0, binding.describe());
    const events = lines(exit.stdout).map((line) => JSON.parse(line));
    deepEqual(events.map((event) => event.type), ["bind", "accept"]);
    ok(events.every((event) => typeof event.time === "string" && event.address === endpoint));
  } finally {
    closeAll(server, client);
    killAll(connecting, binding);
  }
});

test("cli: keygen prints a valid CURVE key pair, as text and as json", async () => {
  const text = await run(["keygen"]);
  equal(text.code, 0, text.stderr);
  const found = text.stdout.match(/^public-key: (.{40})\nsecret-key: (.{40})\n$/);
  ok(found !== null, `two key lines: ${text.stdout}`);
  equal(zmq.curvePublic(found[2]), found[1], "the public key belongs to the secret key");

  const json = await run(["keygen", "--format", "json"]);
  equal(json.code, 0, json.stderr);
  const keys = JSON.parse(json.stdout) as { publicKey: string; secretKey: string };
  equal(keys.publicKey.length, 40);
  equal(zmq.curvePublic(keys.secretKey), keys.publicKey);
  ok(keys.publicKey !== found[1], "every run makes a new pair");

  const derived = await run(["keygen", "--secret", keys.secretKey, "--format", "json"]);
  deepEqual(JSON.parse(derived.stdout), keys);
});

test("cli: bench prints msgs/s, MB/s and a round trip", async () => {
  const [text, json] = await Promise.all([
    run(["bench", "--transport", "inproc", "--count", "500"]),
    run(["bench", "latency", "-T", "tcp", "-n", "200", "-s", "64", "-f", "json"]),
  ]);
  equal(text.code, 0, text.stderr);
  match(text.stdout, /throughput: 500 messages in [\d.]+ s: [\d,]+ msgs\/s, [\d.]+ MB\/s/);
  match(text.stdout, /latency: 500 round trips in [\d.]+ s: [\d.]+ µs per round trip/);

  equal(json.code, 0, json.stderr);
  const result = JSON.parse(json.stdout);
  equal(result.size, 64);
  equal(result.transport, "tcp");
  equal(result.throughput, undefined, "latency only");
  equal(result.latency.roundTrips, 200);
  ok(result.latency.microseconds > 0, json.stdout);
});

test("cli: an unreachable req with --timeout exits 1 with one clear line", async () => {
  const exit = await run(["req", uniqueIpcAddress(), "hello", "--timeout", "300"]);
  equal(exit.code, 1, exit.stderr);
  const errorLines = lines(exit.stderr);
  equal(errorLines.length, 1, exit.stderr);
  match(errorLines[0], /^zmq: no reply within 300 ms from ipc:\/\//);
  equal(exit.stdout, "");
});

test("cli: a push with no peer fails at --timeout instead of dropping the message", async () => {
  const endpoint = uniqueIpcAddress();
  const exit = await run(["push", endpoint, "hi", "--timeout", "300"]);
  equal(exit.code, 1, exit.stderr);
  const errorLines = lines(exit.stderr);
  equal(errorLines.length, 1, exit.stderr);
  match(errorLines[0], /^zmq: could not send a message within 300 ms: no peer ready on ipc:\/\//);
  // With a puller there, the same command delivers.
  const pull = start(["pull", "tcp://127.0.0.1:*", "--count", "1"]);
  try {
    const bound = await pull.boundEndpoint();
    const pushed = await run(["push", bound, "hi", "--timeout", "5000"]);
    equal(pushed.code, 0, pushed.stderr);
    const pulled = await pull.finish();
    equal(pulled.stdout, "hi\n", pull.describe());
  } finally {
    killAll(pull);
  }
});

test("cli: --help for every command exits 0 and explains it", async () => {
  const commands = [
    "pub",
    "sub",
    "xpub",
    "xsub",
    "req",
    "rep",
    "dealer",
    "router",
    "push",
    "pull",
    "pair",
    "stream",
    "proxy",
    "monitor",
    "keygen",
    "bench",
    "version",
  ];
  const top = await run(["--help"]);
  equal(top.code, 0, top.stderr);
  for (const name of commands) match(top.stdout, new RegExp(`^  ${name} `, "m"));
  // A few at a time: each is a process of its own.
  for (let index = 0; index < commands.length; index += 6) {
    const batch = commands.slice(index, index + 6);
    const exits = await Promise.all(batch.map((name) => run([name, "--help"])));
    for (const [i, exit] of exits.entries()) {
      equal(exit.code, 0, `${batch[i]} --help: ${exit.stderr}`);
      match(exit.stdout, new RegExp(`^zmq ${batch[i]}: `), `${batch[i]} --help names it`);
      match(exit.stdout, /^Flags:$/m, `${batch[i]} --help lists flags`);
      equal(exit.stderr, "");
    }
  }
  const version = await run(["--version"]);
  equal(version.code, 0, version.stderr);
  match(version.stdout, /^zmq \S+ \(libzmq 4\.\d+\.\d+, (deno|bun) \S+\)\n$/);
}, { timeout: 30_000 });

test("cli: usage errors exit 2 with one line and no stack trace", async () => {
  const cases: [string[], RegExp][] = [
    [["foo", "tcp://127.0.0.1:5555"], /unknown socket type "foo" \(expected one of: pub, sub, /],
    [["push", "tcp://127.0.0.1:5555", "--bogus"], /unknown flag "--bogus" for "zmq push"/],
    [["push", "not-an-endpoint"], /bad endpoint "not-an-endpoint"/],
    [["push", "tcp://localhost"], /tcp needs host:port/],
    [["push", "htp://x:1"], /unknown transport "htp"/],
    [["pull", "tcp://127.0.0.1:5555", "hello"], /only receives/],
    [["pull", "tcp://127.0.0.1:5555", "--count"], /--count needs a value/],
    [["pull", "tcp://127.0.0.1:5555", "--count", "many"], /--count must be a whole number/],
    [["pull", "tcp://127.0.0.1:5555", "--format", "xml"], /--format must be one of text/],
    [["push", "tcp://127.0.0.1:5555", "-o", "nope=1", "x"], /unknown option "nope"/],
    [["push", "tcp://127.0.0.1:5555", "-o", "linger=soon", "x"], /needs a whole number/],
    [["push", "tcp://*:70000", "x"], /port 70000 is out of range/],
    [["push"], /needs an endpoint/],
    [["proxy", "tunnel", "tcp://*:1", "tcp://*:2"], /unknown device "tunnel"/],
    [["keygen", "--secret", "short"], /40-character Z85 key/],
    [["pull", "--bind", "--connect", "tcp://127.0.0.1:5555"], /--bind and --connect exclude/],
    [["monitor", "-b", "-c", "tcp://127.0.0.1:5555"], /--bind and --connect exclude/],
  ];
  for (let index = 0; index < cases.length; index += 5) {
    const batch = cases.slice(index, index + 5);
    const exits = await Promise.all(batch.map(([args]) => run(args)));
    for (const [i, exit] of exits.entries()) {
      assertUsageError(exit, batch[i][1], `zmq ${batch[i][0].join(" ")}`);
    }
  }
}, { timeout: 30_000 });

test("cli: progress is one rewritten line on a terminal, plain lines otherwise", () => {
  const written: string[] = [];
  const sink = { write: (text: string) => written.push(text) };
  const stats = new Stats();
  stats.countSent(1000);
  stats.countSent(1000);
  const inPlace = new Progress("zmq push", stats, { inPlace: true, sink, show: ["sent"] });
  inPlace.render();
  ok(written[0].startsWith("\r\x1b[2K"), "the line is rewritten in place");
  match(written[0].slice(5), /^zmq push: sent 2 \([\d,]+ msg\/s, [\d.]+ .?B\/s\)$/);
  inPlace.stop();
  equal(written[1], "\r\x1b[2K", "stopping clears the line");

  const logged: string[] = [];
  stats.countReceived(10);
  const plain = new Progress("zmq dealer", stats, {
    inPlace: false,
    sink: { write: (text: string) => logged.push(text) },
  });
  plain.render();
  plain.stop();
  match(logged[0], /^zmq dealer: sent 2 \(.*\), received 1 \(.*\)\n$/);
  equal(logged.length, 1, "nothing to clear when not in place");
});
