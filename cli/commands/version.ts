/**
 * `zmq --version`: this library's version, the libzmq in use, and the runtime.
 *
 * @module
 */
import process from "node:process";
import { readFileSync } from "node:fs";
import { ExitCode } from "../errors.ts";
import { loadLibrary } from "../session.ts";

/**
 * The package's version: the first deno.json or package.json with a
 * "version" above this file (the source tree, or an npm package's root).
 */
export function packageVersion(): string {
  let directory = new URL("../", import.meta.url);
  for (let depth = 0; depth < 4; depth++) {
    directory = new URL("../", directory);
    for (const name of ["deno.json", "package.json"]) {
      try {
        const manifest = JSON.parse(readFileSync(new URL(name, directory), "utf8"));
        if (typeof manifest?.version === "string") return manifest.version;
      } catch {
        // not there, or not JSON: look further up
      }
    }
  }
  return "unknown";
}

/** The runtime's name and version: "deno 2.2.0", "bun 1.2.0". */
export function runtimeDescription(): string {
  const versions = process.versions as Record<string, string | undefined>;
  if (versions.deno !== undefined) return `deno ${versions.deno}`;
  if (versions.bun !== undefined) return `bun ${versions.bun}`;
  return `node ${versions.node}`;
}

/** Prints "zmq 0.1.0 (libzmq 4.3.4, deno 2.2.0)". */
export async function runVersion(): Promise<number> {
  const zmq = await loadLibrary();
  const line = `zmq ${packageVersion()} (libzmq ${zmq.version}, ${runtimeDescription()})`;
  await new Promise<void>((resolve) => process.stdout.write(`${line}\n`, () => resolve()));
  return ExitCode.ok;
}
