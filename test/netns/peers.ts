/**
 * Starting test peers (test/fixtures/net_peer.ts) on a host of a
 * {@link Network}, with the runtime that runs the caller, and waiting for the
 * peer to say it is ready. Used by the fault tests and by measure.ts, so it
 * does not import the test harness (which loads bun:test under Bun).
 *
 * @module
 */
import type { ChildProcess } from "node:child_process";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { type Host, killAndWait } from "./hosts.ts";

const isDeno = "Deno" in globalThis;

/** The command line that runs `script` with the runtime running this process. */
export function runtimeArgv(script: string): string[] {
  return isDeno
    ? [
      (globalThis as unknown as { Deno: { execPath(): string } }).Deno.execPath(),
      "run",
      "-A",
      script,
    ]
    : [process.execPath, script];
}

const PEER_SCRIPT = fileURLToPath(new URL("../fixtures/net_peer.ts", import.meta.url));

/** A running peer process. */
export interface Peer {
  readonly host: Host;
  readonly child: ChildProcess;
  /** What the peer bound, by socket name ("from", "to", "socket", "server"). */
  readonly endpoints: Record<string, string>;
  /** Everything the peer wrote to stderr so far. */
  stderr(): string;
  /** SIGKILLs the peer and waits until it is gone. */
  kill(): Promise<void>;
}

/**
 * Starts a net_peer on `host` with `config` and resolves once it printed its
 * ready line; rejects (with what it wrote to stderr) if it exits or takes
 * longer than `timeoutMs`.
 */
export function startPeer(host: Host, config: object, timeoutMs = 20_000): Promise<Peer> {
  const child = host.spawn([...runtimeArgv(PEER_SCRIPT), JSON.stringify(config)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (chunk: string) => stderr += chunk);
  child.stdout!.setEncoding("utf8");
  return new Promise<Peer>((resolve, reject) => {
    const onError = (error: Error) => fail(`could not start (${error.message})`);
    const onClose = (code: number | null, signal: string | null) =>
      fail(`exited (code ${code}, signal ${signal})`);
    const onData = (chunk: string) => {
      stdout += chunk;
      const line = stdout.split("\n").find((l) => l.startsWith('{"ready"'));
      if (line === undefined) return;
      clearTimeout(timer);
      child.off("close", onClose);
      child.off("error", onError);
      child.stdout!.off("data", onData);
      // Keep draining stdout so a chatty peer never blocks on a full pipe.
      child.stdout!.resume();
      resolve({
        host,
        child,
        endpoints: JSON.parse(line).endpoints,
        stderr: () => stderr,
        kill: () => killAndWait(child),
      });
    };
    const fail = (why: string) => {
      clearTimeout(timer);
      child.off("close", onClose);
      killAndWait(child).then(() =>
        reject(
          new Error(`Peer ${JSON.stringify(config)} on ${host.name} ${why}; stderr: ${stderr}`),
        )
      );
    };
    const timer = setTimeout(() => fail(`was not ready within ${timeoutMs} ms`), timeoutMs);
    child.once("error", onError);
    child.once("close", onClose);
    child.stdout!.on("data", onData);
  });
}
