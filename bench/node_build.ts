/**
 * Makes the Deno/Bun benchmark scripts runnable on Node, against this
 * library's npm build (what a Node user installs), for bench/run.ts's "node"
 * column.
 *
 * ```sh
 * node_modules/.bin/deno run -A bench/node_build.ts
 * node node_modules/.cache/zmq-bench-node-<checkout>-<hash>/bench/throughput.js --size 16
 *     --count 200000   # the directory is the "dir" it prints
 * ```
 *
 * 1. Builds npm/ with scripts/build_npm.ts when it is missing or older than
 *    mod.ts, src/, ffi/, cli/ or the build script.
 * 2. Copies npm/esm/ to node_modules/.cache/zmq-bench-node-<checkout>-<hash>/
 *    (one per checkout: worktrees may share node_modules/) and compiles
 *    bench/{common,throughput,latency,idle,memory,threads,allocation}.ts into its bench/ with
 *    TypeScript's compiler (the options scripts/test_npm.sh uses), their
 *    `../mod.ts` import pointing at the copied mod.js (checked against its
 *    mod.d.ts). The copy, not npm/ itself: build_npm.ts empties npm/ on every
 *    build (scripts/test_npm.sh runs it), which would pull the scripts from
 *    under a benchmark running meanwhile. node_modules/ is git-ignored, and
 *    koffi resolves from the project's node_modules/ as in npm/.
 *
 * Skips both steps when their outputs are newer than their inputs. Logs go
 * to stderr; the last stdout line is `{"dir":..,"npm_built":bool,
 * "compiled":bool}`. Exits 1 with the reason on stderr when either step
 * fails (no TypeScript, a compile error).
 *
 * @module
 */
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import { createHash } from "node:crypto";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import process from "node:process";
import { ambientDeclarations, compilerOptions, tscPath } from "../scripts/npm/compiler.ts";

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(BENCH);
/**
 * Where the Node copies go: one directory per checkout, since git worktrees
 * may share one node_modules/ (a symlink), and one checkout's build must not
 * replace another's under a benchmark running from it.
 */
const NODE_BENCH_DIR = join(
  ROOT,
  "node_modules",
  ".cache",
  `zmq-bench-node-${basename(ROOT)}-${createHash("sha256").update(ROOT).digest("hex").slice(0, 8)}`,
);
/** The bench scripts compiled for Node (spawnSelf runs them as their own peers). */
const NODE_SCRIPTS = ["common", "throughput", "latency", "idle", "memory", "threads", "allocation"];
const NPM = join(ROOT, "npm");

/** Newest modification time (ms) of the files under `paths`; 0 when none exist. */
function newest(paths: string[]): number {
  let t = 0;
  for (const path of paths) {
    let st;
    try {
      st = statSync(path);
    } catch {
      continue;
    }
    if (st.isDirectory()) {
      t = Math.max(t, newest(readdirSync(path).map((name) => join(path, name))));
    } else t = Math.max(t, st.mtimeMs);
  }
  return t;
}

const log = (s: string) => process.stderr.write(s + "\n");

function fail(message: string): never {
  throw new Error(message);
}

/** The error line of a failed command's output, else its last lines. */
function reason(text: string): string {
  const lines = text.trim().split("\n");
  return lines.find((line) => /\berror\b/i.test(line))?.trim() ?? lines.slice(-8).join("\n");
}

const TSC = tscPath(ROOT);

/** What both steps need, checked first so that a missing piece is one clear line. */
function checkTools(): void {
  if (!existsSync(TSC)) {
    fail("TypeScript's compiler is missing: run `npm install` (typescript is a dev dependency)");
  }
  if (!existsSync(join(ROOT, "node_modules", "koffi", "package.json"))) {
    fail("koffi (Node's FFI) is missing: run `npm install` (koffi is a dev dependency)");
  }
}

/** Step 1: npm/ is current (its package.json is written last, after tsc). */
function buildNpm(): boolean {
  const built = newest([join(NPM, "package.json")]);
  const sources = newest(
    ["mod.ts", "src", "ffi", "cli", "scripts/build_npm.ts", "scripts/npm", "deno.json"].map((p) =>
      join(ROOT, p)
    ),
  );
  if (built >= sources && existsSync(join(NPM, "esm", "mod.js"))) return false;
  log("building npm/ (scripts/build_npm.ts)");
  const localDeno = join(ROOT, "node_modules", ".bin", "deno");
  const deno = existsSync(localDeno) ? localDeno : process.execPath;
  const r = spawnSync(deno, ["run", "-A", join(ROOT, "scripts", "build_npm.ts")], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1" },
  });
  if (r.status !== 0) {
    fail(`scripts/build_npm.ts failed (exit ${r.status}): ${reason(`${r.stdout}\n${r.stderr}`)}`);
  }
  return true;
}

/** Step 2: the compiled scripts next to a copy of npm/esm/. */
function compile(): boolean {
  const scripts = NODE_SCRIPTS.map((name) => join(BENCH, `${name}.ts`));
  const built = newest([join(NODE_BENCH_DIR, "bench", "throughput.js")]);
  const inputs = newest([join(NPM, "package.json"), fileURLToPath(import.meta.url), ...scripts]);
  if (
    built >= inputs &&
    NODE_SCRIPTS.every((n) => existsSync(join(NODE_BENCH_DIR, "bench", `${n}.js`)))
  ) {
    return false;
  }
  log(`compiling bench scripts for Node into ${NODE_BENCH_DIR}`);
  // Build beside the old copy and swap it in at the end, so a failed build
  // leaves no half-written directory behind.
  const work = `${NODE_BENCH_DIR}.tmp-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  try {
    cpSync(join(NPM, "esm"), work, { recursive: true });
    if (!existsSync(join(work, "mod.js"))) fail("npm/esm/mod.js is missing after the build");
    writeFileSync(join(work, "package.json"), '{ "type": "module" }\n');
    mkdirSync(join(work, "bench"));
    for (const name of NODE_SCRIPTS) {
      const source = readFileSync(join(BENCH, `${name}.ts`), "utf8")
        .replaceAll('from "../mod.ts"', 'from "../mod.js"');
      writeFileSync(join(work, "bench", `${name}.ts`), source);
    }
    const tsconfig = {
      compilerOptions: compilerOptions(ROOT, work),
      files: [
        ambientDeclarations(ROOT),
        ...NODE_SCRIPTS.map((name) => join(work, "bench", `${name}.ts`)),
      ],
    };
    const config = join(work, "tsconfig.json");
    writeFileSync(config, JSON.stringify(tsconfig, null, 2));
    const r = spawnSync("node", [TSC, "-p", config], { encoding: "utf8" });
    if (r.status !== 0) {
      fail(`tsc failed (exit ${r.status ?? r.error}): ${reason(`${r.stdout}\n${r.stderr}`)}`);
    }
    rmSync(config);
    for (const name of NODE_SCRIPTS) {
      rmSync(join(work, "bench", `${name}.ts`));
      if (!existsSync(join(work, "bench", `${name}.js`))) fail(`tsc wrote no bench/${name}.js`);
    }
    rmSync(NODE_BENCH_DIR, { recursive: true, force: true });
    mkdirSync(dirname(NODE_BENCH_DIR), { recursive: true });
    renameSync(work, NODE_BENCH_DIR);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return true;
}

try {
  checkTools();
  const npmBuilt = buildNpm();
  const compiled = compile();
  console.log(JSON.stringify({ dir: NODE_BENCH_DIR, npm_built: npmBuilt, compiled }));
} catch (e) {
  log(`node_build.ts: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
}
