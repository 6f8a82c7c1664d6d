import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { equal, match, ok, runtime, runtimeCommand, test, withTimeout } from "./harness.ts";

function fixture(name: string): string {
  return fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
}

interface Exit {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

interface Child {
  process: ChildProcess;
  exited: Promise<Exit>;
  stdout(): string;
  stderr(): string;
  /** Resolves when stdout contains `text`. */
  waitFor(text: string): Promise<void>;
}

function start(script: string, ...args: string[]): Child {
  const [command, ...rest] = runtimeCommand(fixture(script));
  // Deno exposes gc() only on request; the gc fixture needs it.
  if (runtime === "deno") rest.splice(1, 0, "--v8-flags=--expose-gc");
  const child = spawn(command, [...rest, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  const waiters: { text: string; resolve: () => void }[] = [];
  child.stdout!.setEncoding("utf8");
  child.stderr!.setEncoding("utf8");
  child.stdout!.on("data", (chunk: string) => {
    stdout += chunk;
    for (const waiter of waiters) {
      if (stdout.includes(waiter.text)) waiter.resolve();
    }
  });
  child.stderr!.on("data", (chunk: string) => stderr += chunk);
  const exited = new Promise<Exit>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code, signal) => {
      resolve({ code, signal, stdout, stderr });
    });
  });
  return {
    process: child,
    exited,
    stdout: () => stdout,
    stderr: () => stderr,
    waitFor(text) {
      if (stdout.includes(text)) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ text, resolve }));
    },
  };
}

/** Run a fixture to its end; fail (and kill it) if it lasts over `ms`. */
async function run(script: string, ms: number, ...args: string[]) {
  const child = start(script, ...args);
  try {
    return await withTimeout(child.exited, ms, `${script} to exit`);
  } catch (error) {
    // Name what the child said so far: it tells where it got stuck.
    throw new Error(
      `${(error as Error).message} (args ${JSON.stringify(args)}, stdout ${
        JSON.stringify(child.stdout())
      }, stderr ${JSON.stringify(child.stderr())})`,
    );
  } finally {
    if (child.process.exitCode === null && child.process.signalCode === null) {
      child.process.kill("SIGKILL");
    }
  }
}

/**
 * The fixture, with `pending` its only hold on the process, must outlive
 * three beats of its unref'd heartbeat ("alive 3"): an idle process would
 * have exited before the first. Fails if it exits instead.
 */
async function staysAlive(child: Child, pending: string): Promise<void> {
  const exited = child.exited.then((exit) => {
    throw new Error(`The process exited with ${pending} pending: ${describe(exit)}`);
  });
  await withTimeout(Promise.race([child.waitFor("alive 3"), exited]), 10_000, "three heartbeats");
  exited.catch(() => {}); // it is killed afterwards, on purpose
  equal(child.process.exitCode, null);
  equal(child.process.signalCode, null);
}

function describe(exit: Exit): string {
  return `code ${exit.code}, signal ${exit.signal}, stdout ${JSON.stringify(exit.stdout)}, stderr ${
    JSON.stringify(exit.stderr)
  }`;
}

function assertCleanExit(exit: Exit) {
  equal(exit.signal, null, `killed by a signal: ${describe(exit)}`);
  equal(exit.code, 0, `non-zero exit: ${describe(exit)}`);
  ok(
    !/panic|segmentation|abort|assertion/i.test(exit.stderr),
    `crash output: ${describe(exit)}`,
  );
}

test(
  `exit (${runtime}): idle open sockets do not keep the process alive`,
  async () => {
    const exit = await run("exit_idle.ts", 10_000);
    assertCleanExit(exit);
    equal(exit.stdout.trim(), "done round trip");
  },
  { timeout: 20_000 },
);

test(
  `exit (${runtime}): exiting with open sockets never crashes (20 runs)`,
  async () => {
    const runs = 20;
    const parallel = 4;
    const failures: string[] = [];
    for (let i = 0; i < runs; i += parallel) {
      const batch = Array.from(
        { length: Math.min(parallel, runs - i) },
        (_, j) => run("exit_idle.ts", 15_000, (i + j) % 2 ? "queued" : "plain"),
      );
      for (const exit of await Promise.all(batch)) {
        if (
          exit.code !== 0 || exit.signal !== null ||
          exit.stdout.trim() !== "done round trip"
        ) {
          failures.push(describe(exit));
        }
      }
    }
    equal(failures.length, 0, `bad exits:\n${failures.join("\n")}`);
  },
  { timeout: 120_000 },
);

test(
  `exit (${runtime}): a pending receive keeps the process alive until satisfied`,
  async () => {
    const exit = await run("exit_pending_satisfied.ts", 10_000);
    assertCleanExit(exit);
    equal(exit.stdout.trim(), "got late message");
  },
  { timeout: 20_000 },
);

test(
  `exit (${runtime}): a receive that nobody satisfies keeps the process alive`,
  async () => {
    const child = start("exit_pending_forever.ts");
    try {
      await withTimeout(child.waitFor("ready"), 10_000, "the fixture to start");
      await staysAlive(child, "a receive");
    } finally {
      child.process.kill("SIGKILL");
    }
    const exit = await withTimeout(child.exited, 5_000, "the killed process");
    equal(exit.signal, "SIGKILL");
    ok(!exit.stdout.includes("unexpected"), describe(exit));
    equal(exit.stdout.split("\n")[0], "ready");
  },
  { timeout: 20_000 },
);

test(
  `exit (${runtime}): a receive with a timeout ends, then the process exits`,
  async () => {
    const exit = await run("exit_receive_timeout.ts", 10_000);
    assertCleanExit(exit);
    const found = /^timeout EAGAIN (\d+)$/.exec(exit.stdout.trim());
    ok(found, `unexpected output: ${describe(exit)}`);
    const elapsed = Number(found[1]);
    ok(elapsed >= 250, `the timeout fired after only ${elapsed} ms`);
  },
  { timeout: 20_000 },
);

test(`exit (${runtime}): a pending send keeps the process alive`, async () => {
  const child = start("exit_pending_send.ts", "no-peer");
  try {
    await withTimeout(child.waitFor("ready"), 10_000, "the fixture to start");
    await staysAlive(child, "a send");
  } finally {
    child.process.kill("SIGKILL");
  }
  await withTimeout(child.exited, 5_000, "the killed process");
}, { timeout: 20_000 });

test(
  `exit (${runtime}): a pending send completes when a peer arrives`,
  async () => {
    const exit = await run("exit_pending_send.ts", 10_000, "with-peer");
    assertCleanExit(exit);
    const lines = exit.stdout.trim().split("\n").sort();
    equal(lines.length, 3, describe(exit));
    equal(lines[0], "got waited for a peer");
    equal(lines[1], "ready");
    match(lines[2], /^sent$/);
  },
  { timeout: 20_000 },
);

test(`exit (${runtime}): an unreferenced socket with a pending receive survives GC`, async () => {
  const exit = await run("exit_gc_pending.ts", 10_000);
  assertCleanExit(exit);
  equal(exit.stdout.trim(), "got after gc");
}, { timeout: 20_000 });

test(`exit (${runtime}): terminate() right after closing a waiting socket returns`, async () => {
  // Run in a child: if zmq_ctx_term blocks the JavaScript thread, no timer
  // of this test runner could fire.
  const exit = await run("exit_terminate_after_close.ts", 10_000);
  assertCleanExit(exit);
  equal(exit.stdout.trim(), "rejected\nterminated");
}, { timeout: 20_000 });

test(
  `gc (${runtime}): sockets dropped without close() are reclaimed by the finalizer`,
  async () => {
    const exit = await run("gc_abandoned.ts", 15_000);
    assertCleanExit(exit);
    equal(exit.stdout.trim(), "reclaimed 20 of 20");
  },
  { timeout: 20_000 },
);
