/**
 * Runs every example in examples/ as a child process with the current
 * runtime: each must exit 0 by itself within 30 s and print what it shows.
 */
import { spawn } from "node:child_process";
import { readdirSync } from "node:fs";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { equal, match, ok, runtimeCommand, test, withTimeout } from "./harness.ts";

const EXAMPLE_TIMEOUT = 30_000;
const examplesDir = fileURLToPath(new URL("../examples/", import.meta.url));
const examples = readdirSync(examplesDir).filter((name) => name.endsWith(".ts")).sort();

interface Run {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/** Runs `script`, killing it if it has not exited within the bound. */
async function runExample(script: string): Promise<Run> {
  const [command, ...args] = runtimeCommand(script);
  const child = spawn(command, args, {
    cwd: fileURLToPath(new URL("..", import.meta.url)),
    env: { ...process.env, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => stdout += chunk);
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => stderr += chunk);
  const exited = new Promise<Run>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  try {
    return await withTimeout(exited, EXAMPLE_TIMEOUT, `${script} to exit`);
  } catch (error) {
    child.kill("SIGKILL");
    throw new Error(`${error}\n--- stdout ---\n${stdout}\n--- stderr ---\n${stderr}`);
  }
}

/** How many lines of `text` match `pattern`. */
const countLines = (text: string, pattern: RegExp) =>
  text.split("\n").filter((line) => pattern.test(line)).length;

/** What each example must print, beyond something. */
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

test("examples: the directory has examples", () => {
  ok(examples.includes("demo.ts"), `examples found: ${examples}`);
});

for (const name of examples) {
  test(`examples: ${name} runs to completion`, async () => {
    const run = await runExample(examplesDir + name);
    const context = `\n--- stdout ---\n${run.stdout}\n--- stderr ---\n${run.stderr}`;
    equal(run.signal, null, `${name} was killed by ${run.signal}${context}`);
    equal(run.code, 0, `${name} exited with ${run.code}${context}`);
    ok(run.stdout.trim() !== "", `${name} printed nothing${context}`);
    try {
      checks[name]?.(run.stdout);
    } catch (error) {
      throw new Error(`${name} printed the wrong thing: ${error}${context}`);
    }
  }, { timeout: EXAMPLE_TIMEOUT + 5_000 });
}
