/**
 * What bench/run.ts prepares before measuring: the C programs (compiled when
 * missing or stale), zeromq.js in bench/node (installed when missing), and
 * the Node copies of this library's bench scripts (bench/node_build.ts).
 * Each step that fails leaves a note and its columns out.
 *
 * @module
 */
import { join } from "node:path";
import { log, notes } from "./notes.ts";
import { BENCH } from "./options.ts";
import { DENO, exec, exists, failure, lastJson, mtime } from "./process.ts";

/** Compiles bench/c/*.c when a binary is missing or older than its sources. */
export async function buildC(): Promise<boolean> {
  let ok = true;
  for (const name of ["throughput", "latency", "per_message"]) {
    const src = join(BENCH, "c", `${name}.c`);
    const bin = join(BENCH, "c", name);
    const built = await mtime(bin);
    const fresh = built >= await mtime(src) && built >= await mtime(join(BENCH, "c", "common.h"));
    if (fresh && await exists(bin)) continue;
    log(`compiling bench/c/${name}.c`);
    const r = await exec(
      ["cc", "-O2", "-Wall", "-o", bin, src, "-lzmq", "-lpthread"],
      120,
    );
    if (r.code !== 0) {
      notes.push(`C ${name}: compile failed: ${failure(r)}`);
      ok = false;
    }
  }
  return ok;
}

/** The libzmq version zeromq.js bundles, once {@link setupNode} has loaded it. */
export let zeromqLibzmq = "";

/** Installs zeromq.js in bench/node when missing, and checks that it loads. */
export async function setupNode(): Promise<boolean> {
  const dir = join(BENCH, "node");
  if (!await exists(join(dir, "node_modules", "zeromq"))) {
    log("installing zeromq.js in bench/node (npm install)");
    const r = await exec(["npm", "install", "--no-audit", "--no-fund"], 300, dir);
    if (r.code !== 0) {
      notes.push(`zeromq.js: npm install failed: ${failure(r)}`);
      return false;
    }
  }
  const r = await exec(
    ["node", "-e", 'import("zeromq").then((z) => console.log(z.version))'],
    30,
    dir,
  );
  if (r.code !== 0) {
    notes.push(`zeromq.js: does not load: ${failure(r)}`);
    return false;
  }
  zeromqLibzmq = r.stdout.trim();
  return true;
}

/** Where node_build.ts put the compiled bench scripts. */
export let nodeBench = "";

/**
 * The "node" columns: bench/node_build.ts builds npm/ when stale and compiles
 * the bench scripts for Node against it (into a git-ignored directory it
 * prints). Sets nodeBench; false (with a note) when that fails.
 */
export async function setupNodeLibrary(): Promise<boolean> {
  log("preparing this library's npm build for Node (bench/node_build.ts)");
  const r = await exec([DENO, "run", "-A", join(BENCH, "node_build.ts")], 300);
  const dir = lastJson(r.stdout)?.dir;
  if (r.code !== 0 || typeof dir !== "string") {
    const why = r.stderr.split("\n").find((l) => l.startsWith("node_build.ts: "));
    notes.push(
      `node: the npm build for Node failed, node columns skipped: ${why ?? failure(r)}`,
    );
    return false;
  }
  nodeBench = join(dir, "bench");
  return true;
}
