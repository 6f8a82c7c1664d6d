/**
 * The one benchmark command: C (libzmq directly), zeromq.js 6 on Node, and
 * this library on Deno, Bun and Node (its npm build), side by side on this
 * machine.
 *
 * ```sh
 * deno run -A bench/run.ts [--quick] [--runs N]
 *     [--only c,zeromq.js,deno,bun,node] [--skip-idle] [--skip-memory]
 *     [--messages N]
 * ```
 *
 * - compiles bench/c/*.c if the binaries are missing or stale (cc -O2 -lzmq)
 * - installs bench/node (zeromq.js) with npm if bench/node/node_modules is
 *   missing
 * - for the "node" columns, runs bench/node_build.ts: builds npm/ if missing
 *   or stale and compiles the bench scripts against it for Node; if that
 *   fails the node columns are skipped with a note
 * - runs every case N times (default 5; 3 with --quick) interleaving the
 *   implementations, adapting each one's message count so a run takes about
 *   a quarter of a second (--quick) or a second, and takes the median
 * - --quick: tcp two-process throughput (16 B, 1 KiB, 64 KiB, 1 MiB) and the
 *   tcp round trip, idle CPU, RSS over 2M messages. Without --quick: also
 *   ipc (two processes) and inproc (one process) throughput, the ipc round
 *   trip, RSS over 10M messages.
 * - prints a table with ratios to C and to zeromq.js, the quality bars from
 *   DESIGN.md marked held / not held for Deno and Bun, the same measures for
 *   Node without a verdict (informational: the bars are set for Deno and
 *   Bun), then one JSON line per figure and per bar; writes
 *   bench/results.json and bench/chart.svg.
 *
 * Every child run is bounded by a timeout and runs in its own process group
 * (via setsid), which is killed afterwards so no straggler survives.
 *
 * @module
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

// ---------------------------------------------------------------- options

const argv = [...Deno.args];
const flag = (name: string) => {
  const i = argv.indexOf(name);
  if (i < 0) return false;
  argv.splice(i, 1);
  return true;
};
const option = (name: string) => {
  const i = argv.indexOf(name);
  if (i < 0) return undefined;
  const v = argv[i + 1];
  if (v === undefined) throw new Error(`missing value for ${name}`);
  argv.splice(i, 2);
  return v;
};
const quick = flag("--quick");
const skipIdle = flag("--skip-idle");
const skipMemory = flag("--skip-memory");
const runs = Number(option("--runs") ?? (quick ? 3 : 5));
const only = option("--only")?.split(",");
const TARGETS = ["c", "zeromq.js", "deno", "bun", "node"] as const;
/** What --only selects: the C program, zeromq.js, or this library on a runtime. */
type Target = typeof TARGETS[number];
for (const name of only ?? []) {
  if (!(TARGETS as readonly string[]).includes(name)) {
    console.error(`run.ts: --only takes ${TARGETS.join(",")}, not ${name}`);
    Deno.exit(2);
  }
}
const memoryMessages = Number(
  option("--messages") ?? (quick ? 2_000_000 : 10_000_000),
);
if (argv.length) {
  console.error(`run.ts: unknown arguments ${argv.join(" ")}`);
  Deno.exit(2);
}
/** Seconds of measurement a run aims for (after the first, calibrating one). */
const TARGET_S = quick ? 0.25 : 1;
/** Round trips are noisier: measure them longer. */
const TARGET_LATENCY_S = quick ? 0.5 : 1.5;
/** A run that takes longer than this is a hang: killed and recorded. */
const RUN_TIMEOUT_S = quick ? 10 : 60;
/** --quick stops starting new runs after this many seconds (whole run: < 2.5 min). */
const QUICK_BUDGET_S = 110;
/**
 * --quick measures the "node" columns at the sizes the bars use only (and the
 * round trip), to stay within the budget; a full run measures every size.
 */
const QUICK_NODE_SIZES = [16, 65536];

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(BENCH);
/**
 * libzmq creates `ipc://*` wildcard endpoints as tmpXXXXXX/socket under
 * $TMPDIR, or under the working directory when TMPDIR is unset, and a process
 * that exits before libzmq has cleaned up leaves them behind. Children get a
 * private TMPDIR that is removed at the end.
 */
const TMP = await Deno.makeTempDir({ prefix: "zmq-bench-" });

// ---------------------------------------------------------------- helpers

type Exec = {
  code: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  seconds: number;
};

/** Runs cmd in its own process group, killing the whole group afterwards. */
async function exec(
  cmd: string[],
  timeoutS = RUN_TIMEOUT_S,
  cwd = ROOT,
): Promise<Exec> {
  const t0 = performance.now();
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command("setsid", {
      args: cmd,
      cwd,
      env: { TMPDIR: TMP },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (e) {
    return {
      code: 127,
      stdout: "",
      stderr: String(e),
      timedOut: false,
      seconds: 0,
    };
  }
  let timedOut = false;
  const killGroup = () => {
    try {
      Deno.kill(-child.pid, "SIGKILL");
    } catch { /* already gone */ }
  };
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup();
  }, timeoutS * 1000);
  const out = await child.output();
  clearTimeout(timer);
  killGroup(); // stragglers (a peer that outlived its parent)
  const dec = new TextDecoder();
  return {
    code: out.code,
    stdout: dec.decode(out.stdout),
    stderr: dec.decode(out.stderr),
    timedOut,
    seconds: (performance.now() - t0) / 1000,
  };
}

function lastJson(stdout: string): Record<string, unknown> | undefined {
  const lines = stdout.trim().split("\n").filter((l) => l.startsWith("{"));
  if (!lines.length) return undefined;
  try {
    return JSON.parse(lines[lines.length - 1]);
  } catch {
    return undefined;
  }
}

function failure(r: Exec): string {
  if (r.timedOut) return `hung: killed after ${r.seconds.toFixed(0)} s`;
  const tail = (r.stderr.trim() || r.stdout.trim()).split("\n").slice(-6);
  return `exit ${r.code}: ${tail.join(" | ")}`;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

async function mtime(path: string): Promise<number> {
  try {
    return (await Deno.stat(path)).mtime?.getTime() ?? 0;
  } catch {
    return 0;
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const fmtInt = (n: number) => Math.round(n).toLocaleString("en-US");
const sizeName = (n: number) =>
  n >= 1 << 20 ? `${n >> 20} MiB` : n >= 1024 ? `${n >> 10} KiB` : `${n} B`;
const short = (n: number) =>
  n >= 1e6
    ? `${(n / 1e6).toFixed(n >= 1e7 ? 1 : 2)}M`
    : n >= 1e3
    ? `${(n / 1e3).toFixed(n >= 1e4 ? 0 : 1)}k`
    : n.toFixed(n >= 100 ? 0 : 1);

// ---------------------------------------------------------------- setup

const log = (s: string) => console.error(s);
const notes: string[] = [];

async function buildC(): Promise<boolean> {
  let ok = true;
  for (const name of ["throughput", "latency"]) {
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

async function setupNode(): Promise<boolean> {
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
let zeromqLibzmq = "";

/**
 * The "node" columns: bench/node_build.ts builds npm/ when stale and compiles
 * the bench scripts for Node against it (into a git-ignored directory it
 * prints). Sets nodeBench; false (with a note) when that fails.
 */
async function setupNodeLibrary(): Promise<boolean> {
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
/** Where node_build.ts put the compiled bench scripts. */
let nodeBench = "";

async function findBin(name: string, fallback: string): Promise<string> {
  const local = join(ROOT, "node_modules", ".bin", name);
  return await exists(local) ? local : fallback;
}

const DENO = await findBin("deno", Deno.execPath());
const BUN = await findBin("bun", "bun");
const NODE = "node";

// ---------------------------------------------------------------- impls

/** The runtime a figure ran on (zeromq.js and the "node" columns both run on Node). */
type Runtime = "c" | "node" | "deno" | "bun";
type Style = "await" | "try";
type Case = {
  test: "throughput" | "latency";
  transport: "tcp" | "ipc" | "inproc";
  mode: "two-process" | "one-process";
  size: number;
};
type Impl = {
  id: string;
  target: Target;
  runtime: Runtime;
  style?: Style;
  cmd: (c: Case, count: number) => string[];
};

const endpointOf = (c: Case) =>
  c.transport === "tcp"
    ? "tcp://127.0.0.1:*"
    : c.transport === "ipc"
    ? "ipc://*"
    : "inproc://bench";

function jsArgs(c: Case, count: number, style?: Style): string[] {
  const a = [
    "--endpoint",
    endpointOf(c),
    "--size",
    String(c.size),
    "--count",
    String(count),
    "--mode",
    c.mode,
    "--timeout",
    String(RUN_TIMEOUT_S),
  ];
  return style ? [...a, "--style", style] : a;
}

const IMPLS: Impl[] = [
  {
    id: "c",
    target: "c",
    runtime: "c",
    cmd: (c, n) => [
      join(BENCH, "c", c.test),
      endpointOf(c),
      String(c.size),
      String(n),
      ...(c.test === "throughput" ? [c.mode === "one-process" ? "--threads" : "--fork"] : []),
    ],
  },
  {
    id: "zeromq.js",
    target: "zeromq.js",
    runtime: "node",
    cmd: (c, n) => [
      NODE,
      join(BENCH, "node", `${c.test}.mjs`),
      ...jsArgs(c, n),
    ],
  },
  ...(["deno", "bun", "node"] as const).flatMap((rt) =>
    (["await", "try"] as const).map((style): Impl => ({
      id: `${rt} ${style}`,
      target: rt,
      runtime: rt,
      style,
      cmd: (c, n) => [...libraryCommand(rt, c.test), ...jsArgs(c, n, style)],
    }))
  ),
];

/** The command that runs bench/<script>.ts of this library on rt. */
function libraryCommand(rt: "deno" | "bun" | "node", script: string): string[] {
  return rt === "deno"
    ? [DENO, "run", "-A", join(BENCH, `${script}.ts`)]
    : rt === "bun"
    ? [BUN, join(BENCH, `${script}.ts`)]
    : [NODE, join(nodeBench, `${script}.js`)];
}

/** Whether impl can run case c at all. */
function supports(impl: Impl, c: Case): boolean {
  if (c.test === "latency" && c.mode === "one-process") {
    return impl.runtime !== "c";
  }
  if (quick && impl.target === "node" && c.test === "throughput") {
    return QUICK_NODE_SIZES.includes(c.size);
  }
  return true;
}

const SIZES = [16, 1024, 65536, 1048576];
const CASES: Case[] = [
  ...SIZES.map((size): Case => ({
    test: "throughput",
    transport: "tcp",
    mode: "two-process",
    size,
  })),
  { test: "latency", transport: "tcp", mode: "two-process", size: 16 },
];
if (!quick) {
  CASES.push(
    ...SIZES.map((size): Case => ({
      test: "throughput",
      transport: "ipc",
      mode: "two-process",
      size,
    })),
    ...SIZES.map((size): Case => ({
      test: "throughput",
      transport: "inproc",
      mode: "one-process",
      size,
    })),
    { test: "latency", transport: "ipc", mode: "two-process", size: 16 },
  );
}

/**
 * First-run message counts, long enough for the JIT to warm up (the first
 * run counts towards the median); later runs are sized from its rate.
 */
function initialCount(impl: Impl, c: Case): number {
  const [cc, js, node] = c.test === "latency"
    ? [5000, 3000, 3000]
    : c.size <= 16
    ? [2_000_000, 600_000, 150_000]
    : c.size <= 1024
    ? [500_000, 300_000, 100_000]
    : c.size <= 65536
    ? [20_000, 20_000, 15_000]
    : [1000, 1000, 1000];
  return impl.target === "c" ? cc : impl.target === "zeromq.js" ? node : js;
}

function nextCount(c: Case, rate: number): number {
  const min = c.test === "latency"
    ? 1000
    : c.size >= 1 << 20
    ? 200
    : c.size >= 65536
    ? 3000
    : 50_000;
  const max = c.test === "latency" ? 200_000 : 50_000_000;
  const target = c.test === "latency" ? TARGET_LATENCY_S : TARGET_S;
  return Math.round(Math.min(max, Math.max(min, rate * target)));
}

// ---------------------------------------------------------------- running

type Figure = Case & {
  impl: string;
  runtime: Runtime;
  style?: Style;
  unit: "msgs_per_s" | "rtt_us";
  median?: number;
  mb_per_s?: number;
  runs: number[];
  counts: number[];
  errors: string[];
  vs_c?: number;
  vs_zeromqjs?: number;
};

const caseKey = (c: Case) => `${c.test} ${c.transport} ${c.mode} ${c.size}`;
const figures = new Map<string, Figure>();

async function smoke(impl: Impl): Promise<string | undefined> {
  const c: Case = {
    test: "throughput",
    transport: "tcp",
    mode: "one-process",
    size: 16,
  };
  const r = await exec(impl.cmd(c, 1000), 30);
  if (r.code === 0 && lastJson(r.stdout)) return undefined;
  return failure(r);
}

/** Percent of all CPUs busy (not idle) over `ms`, from /proc/stat; Linux only. */
async function busyPercent(ms = 500): Promise<number | undefined> {
  const read = async () => {
    const line = (await Deno.readTextFile("/proc/stat")).split("\n")[0];
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    return { idle: v[3] + (v[4] ?? 0), total: v.reduce((a, b) => a + b, 0) };
  };
  try {
    const a = await read();
    await new Promise((r) => setTimeout(r, ms));
    const b = await read();
    return Math.round(100 * (1 - (b.idle - a.idle) / (b.total - a.total)));
  } catch {
    return undefined;
  }
}
let busyBefore: number | undefined;

async function main() {
  busyBefore = await busyPercent();
  if (busyBefore !== undefined && busyBefore > 10) {
    const msg = `the machine was ${busyBefore}% busy with other work when the run ` +
      `started: figures are unreliable; rerun on an idle machine`;
    log(`WARNING: ${msg}`);
    notes.push(msg);
  }
  const t0 = performance.now();
  let budgetNoted = false;
  const available = new Set<Target>();
  const want = (target: Target) => !only || only.includes(target);
  if (want("c") && await buildC()) available.add("c");
  if (want("zeromq.js") && await setupNode()) available.add("zeromq.js");
  if (!await exists(join(ROOT, "mod.ts"))) {
    notes.push("deno/bun/node: ../mod.ts does not exist yet (library missing)");
  } else {
    for (const rt of ["deno", "bun", "node"] as const) {
      if (!want(rt)) continue;
      if (rt === "node" && !await setupNodeLibrary()) continue;
      const err = await smoke(IMPLS.find((i) => i.target === rt)!);
      if (err) notes.push(`${rt}: smoke test failed, ${rt} columns skipped: ${err}`);
      else available.add(rt);
    }
  }
  const impls = IMPLS.filter((i) => available.has(i.target));
  if (quick && available.has("node")) {
    notes.push(
      `--quick: node measured at ${QUICK_NODE_SIZES.map(sizeName).join(" and ")} ` +
        `throughput and the round trip only (a full run measures every size)`,
    );
  }
  log(
    `running ${impls.map((i) => i.id).join(", ")}; ${runs} runs per case${quick ? " (quick)" : ""}`,
  );

  for (const c of CASES) {
    const active = impls.filter((i) => supports(i, c));
    const counts = new Map(active.map((i) => [i.id, initialCount(i, c)]));
    for (const impl of active) {
      figures.set(`${caseKey(c)} ${impl.id}`, {
        ...c,
        impl: impl.id === "c" || impl.id === "zeromq.js" ? impl.id : impl.runtime,
        runtime: impl.runtime,
        style: impl.style,
        unit: c.test === "throughput" ? "msgs_per_s" : "rtt_us",
        runs: [],
        counts: [],
        errors: [],
      });
    }
    for (let r = 0; r < runs; r++) {
      for (const impl of active) {
        const fig = figures.get(`${caseKey(c)} ${impl.id}`)!;
        if (fig.errors.length >= 2) continue; // give up on this case
        if (quick && (performance.now() - t0) / 1000 > QUICK_BUDGET_S) {
          if (!budgetNoted) {
            notes.push(
              `--quick time budget (${QUICK_BUDGET_S} s) used up: later runs skipped`,
            );
            budgetNoted = true;
          }
          continue;
        }
        const count = counts.get(impl.id)!;
        const res = await exec(impl.cmd(c, count));
        const j = lastJson(res.stdout);
        if (res.code !== 0 || !j) {
          fig.errors.push(failure(res));
          notes.push(
            `${caseKey(c)} ${impl.id} (count ${count}): ${failure(res)}`,
          );
          log(`  ${caseKey(c)} ${impl.id}: FAILED ${failure(res)}`);
          continue;
        }
        const value = Number(
          c.test === "throughput" ? j.msgs_per_s : j.rtt_us,
        );
        fig.runs.push(value);
        fig.counts.push(count);
        const rate = c.test === "throughput" ? value : 1e6 / value;
        counts.set(impl.id, nextCount(c, rate));
      }
    }
    for (const impl of active) {
      const fig = figures.get(`${caseKey(c)} ${impl.id}`)!;
      if (fig.runs.length) {
        fig.median = median(fig.runs);
        if (c.test === "throughput") {
          fig.mb_per_s = Math.round(fig.median * c.size / 1e5) / 10;
        }
      }
    }
    const ref = (id: string) => figures.get(`${caseKey(c)} ${id}`)?.median;
    for (const impl of active) {
      const fig = figures.get(`${caseKey(c)} ${impl.id}`)!;
      if (fig.median === undefined) continue;
      const cRef = ref("c"), zRef = ref("zeromq.js");
      if (cRef) fig.vs_c = round3(fig.median / cRef);
      if (zRef) fig.vs_zeromqjs = round3(fig.median / zRef);
    }
    log(
      `  ${caseKey(c)}: ${
        active.map((i) => {
          const f = figures.get(`${caseKey(c)} ${i.id}`)!;
          return `${i.id} ${f.median === undefined ? "-" : short(f.median)}`;
        }).join(", ")
      }  [${((performance.now() - t0) / 1000).toFixed(0)} s]`,
    );
  }

  // idle and memory, all in parallel (they measure per-process CPU and RSS)
  const extra: Record<string, unknown>[] = [];
  const jobs: Promise<void>[] = [];
  for (const rt of ["deno", "bun", "node"] as const) {
    if (!available.has(rt)) continue;
    const run = (script: string, args: string[], timeout: number) =>
      jobs.push((async () => {
        const r = await exec([...libraryCommand(rt, script), ...args], timeout);
        const j = lastJson(r.stdout);
        if (r.code === 0 && j) extra.push(j);
        else {
          extra.push({
            impl: rt,
            test: script + (args.includes("--baseline") ? "-baseline" : ""),
            error: failure(r),
          });
        }
      })());
    if (!skipIdle) {
      run("idle", ["--seconds", "5"], 30);
      run("idle", ["--seconds", "5", "--baseline"], 30);
    }
    if (!skipMemory) {
      run("memory", [
        "--messages",
        String(memoryMessages),
        "--timeout",
        String(quick ? 40 : 300),
      ], quick ? 45 : 320);
    }
  }
  if (jobs.length) log("  idle CPU and memory...");
  await Promise.all(jobs);

  report(extra, (performance.now() - t0) / 1000);
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

// ---------------------------------------------------------------- bars

/**
 * A quality bar measured on one runtime. The bars are set for Deno and Bun;
 * Node gets the same measures as information: `bar` is the measure alone and
 * there is no `held`.
 */
type Bar = {
  bar: string;
  runtime: "deno" | "bun" | "node";
  held?: boolean;
  informational?: true;
  value?: string;
  detail?: string;
};

function fig(c: Case, impl: string): Figure | undefined {
  return figures.get(`${caseKey(c)} ${impl}`);
}

function bars(extra: Record<string, unknown>[]): Bar[] {
  const out: Bar[] = [];
  const tcp = (size: number): Case => ({
    test: "throughput",
    transport: "tcp",
    mode: "two-process",
    size,
  });
  const lat: Case = {
    test: "latency",
    transport: "tcp",
    mode: "two-process",
    size: 16,
  };
  const measured = (rt: string) =>
    [...figures.values()].some((f) => f.impl === rt) || extra.some((e) => e.impl === rt);
  for (const rt of ["deno", "bun", "node"] as const) {
    const info = rt === "node";
    if (info && !measured(rt)) continue;
    /** "measure: target" for a bar; the measure alone for Node's information. */
    const name = (measure: string, target: string, infoMeasure = measure) =>
      info ? infoMeasure : `${measure}: ${target}`;
    const ratio = (
      c: Case,
      impl: string,
      ref: string,
    ): number | undefined => {
      const a = fig(c, impl)?.median, b = fig(c, ref)?.median;
      return a !== undefined && b ? a / b : undefined;
    };
    const push = (bar: Omit<Bar, "runtime" | "informational">) =>
      out.push(
        info
          ? { ...bar, runtime: rt, held: undefined, informational: true }
          : { ...bar, runtime: rt },
      );
    const add = (
      measure: string,
      target: string,
      r: number | undefined,
      ok: (r: number) => boolean,
      show: (r: number) => string,
      detail?: string,
    ) =>
      push({
        bar: name(measure, target),
        held: r === undefined ? undefined : ok(r),
        value: r === undefined ? undefined : show(r),
        detail,
      });
    const x = (r: number) => `${r.toFixed(2)}x`;
    const pct = (r: number) => `${(r * 100).toFixed(1)}%`;

    add(
      "16 B PUSH->PULL, await send / for await",
      ">= 4.5x zeromq.js",
      ratio(tcp(16), `${rt} await`, "zeromq.js"),
      (r) => r >= 4.5,
      (r) => `${x(r)} zeromq.js`,
    );
    add(
      "16 B PUSH->PULL, trySend/tryReceive loops",
      ">= 50% of C",
      ratio(tcp(16), `${rt} try`, "c"),
      (r) => r >= 0.5,
      (r) => `${pct(r)} of C`,
    );
    const tryR = ratio(tcp(65536), `${rt} try`, "c");
    add(
      "64 KiB PUSH->PULL MB/s (await style)",
      ">= 90% of C",
      ratio(tcp(65536), `${rt} await`, "c"),
      (r) => r >= 0.9,
      (r) => `${pct(r)} of C`,
      tryR === undefined ? undefined : `try style: ${pct(tryR)} of C`,
    );
    const rttC = ratio(lat, `${rt} await`, "c");
    const rttZ = ratio(lat, `${rt} await`, "zeromq.js");
    add(
      "REQ<->REP round trip (await style)",
      "<= 1.15x C and < zeromq.js",
      rttC,
      (r) => r <= 1.15 && (rttZ === undefined || rttZ < 1),
      (r) => `${x(r)} C`,
      rttZ === undefined ? undefined : `${x(rttZ)} zeromq.js`,
    );
    const idle = extra.find((e) => e.impl === rt && e.test === "idle");
    const base = extra.find((e) => e.impl === rt && e.test === "idle-baseline");
    push({
      bar: name("idle, receive pending", "~0% CPU (< 1%)"),
      held: idle?.cpu_percent === undefined ? undefined : Number(idle.cpu_percent) < 1,
      value: idle?.cpu_percent === undefined ? undefined : `${idle.cpu_percent}% CPU`,
      detail: (idle?.error as string | undefined) ??
        (base?.cpu_percent === undefined
          ? undefined
          : `runtime alone, no socket: ${base.cpu_percent}%`),
    });
    const mem = extra.find((e) => e.impl === rt && e.test === "memory");
    push({
      bar: name(
        `${short(memoryMessages)} messages`,
        "flat RSS (growth < max(8 MB, 10%))",
        `${short(memoryMessages)} messages, RSS`,
      ),
      held: mem?.flat === undefined ? undefined : Boolean(mem.flat),
      value: mem?.growth_mb === undefined
        ? undefined
        : `${mem.rss_warm_mb} -> ${mem.rss_end_mb} MB (peak ${mem.rss_peak_mb})`,
      detail: (mem?.error as string | undefined) ??
        (mem?.external_samples_mb === undefined
          ? undefined
          : `external ${(mem.external_samples_mb as number[])[0]} -> ${
            (mem.external_samples_mb as number[]).at(-1)
          } MB`),
    });
  }
  return out;
}

// ---------------------------------------------------------------- report

async function machine() {
  let cpu = "";
  try {
    const info = await Deno.readTextFile("/proc/cpuinfo");
    cpu = info.match(/model name\s*:\s*(.*)/)?.[1] ?? "";
  } catch { /* not linux */ }
  const version = async (cmd: string[]) => {
    const r = await exec(cmd, 20);
    return r.code === 0 ? r.stdout.trim().split("\n")[0] : undefined;
  };
  let libzmq: string | undefined;
  try {
    const h = await Deno.readTextFile("/usr/include/zmq.h");
    const v = (n: string) => h.match(new RegExp(`#define ZMQ_VERSION_${n} (\\d+)`))?.[1];
    libzmq = `${v("MAJOR")}.${v("MINOR")}.${v("PATCH")}`;
  } catch { /* no header */ }
  let zeromqJs: string | undefined;
  try {
    zeromqJs = JSON.parse(
      await Deno.readTextFile(
        join(BENCH, "node", "node_modules", "zeromq", "package.json"),
      ),
    ).version;
  } catch { /* not installed */ }
  let koffi: string | undefined;
  try {
    koffi = JSON.parse(
      await Deno.readTextFile(join(ROOT, "node_modules", "koffi", "package.json")),
    ).version;
  } catch { /* not installed */ }
  return {
    cpu,
    cpus: navigator.hardwareConcurrency,
    os: `${Deno.build.os} ${Deno.osRelease()}`,
    libzmq,
    node: await version([NODE, "--version"]),
    zeromq_js: zeromqJs,
    zeromq_js_libzmq: zeromqLibzmq || undefined,
    deno: (await version([DENO, "--version"]))?.split(" ")[1],
    bun: await version([BUN, "--version"]),
    koffi,
  };
}

function pad(s: string, n: number, right = false) {
  return right ? s.padStart(n) : s.padEnd(n);
}

async function report(extra: Record<string, unknown>[], seconds: number) {
  const out: string[] = [];
  const p = (s = "") => out.push(s);
  const info = await machine();
  p();
  p(
    `zmq benchmarks — ${info.cpus} CPUs ${info.cpu}; libzmq ${info.libzmq}; ` +
      `node ${info.node} zeromq.js ${info.zeromq_js ?? "-"} (bundles libzmq ${
        info.zeromq_js_libzmq ?? "?"
      }); deno ${info.deno}; bun ${info.bun}; "node" = this library's npm build on Node ` +
      `through koffi ${info.koffi ?? "-"}`,
  );
  p(
    `median of ${runs} runs${
      quick ? " (--quick)" : ""
    }; throughput: receiver-timed, first to last message; ` +
      `ratios: > 1 is faster for throughput, < 1 is faster for round trip`,
  );
  for (const c of CASES) {
    const rows = [...figures.values()].filter((f) => caseKey(f) === caseKey(c));
    if (!rows.length) continue;
    p();
    if (c.test === "throughput") {
      p(
        `PUSH->PULL ${c.transport} ${c.mode}, ${sizeName(c.size)}` +
          `\n  ${pad("impl", 12)}${pad("msgs/s", 14, true)}${pad("MB/s", 10, true)}${
            pad("vs C", 9, true)
          }${pad("vs zmq.js", 11, true)}  runs`,
      );
    } else {
      p(
        `REQ<->REP round trip ${c.transport} ${c.mode}, ${sizeName(c.size)}` +
          `\n  ${pad("impl", 12)}${pad("µs", 14, true)}${pad("", 10)}${pad("vs C", 9, true)}${
            pad("vs zmq.js", 11, true)
          }  runs`,
      );
    }
    for (const f of rows) {
      const id = f.style ? `${f.impl} ${f.style}` : f.impl;
      if (f.median === undefined) {
        p(`  ${pad(id, 12)}  FAILED: ${f.errors[0] ?? "?"}`);
        continue;
      }
      const main = f.unit === "rtt_us" ? f.median.toFixed(1) : fmtInt(f.median);
      const mb = f.mb_per_s === undefined ? "" : f.mb_per_s.toFixed(1);
      const r = (v?: number) => v === undefined ? "-" : `${v.toFixed(2)}x`;
      const runsS = f.runs.map((v) => f.unit === "rtt_us" ? v.toFixed(0) : short(v)).join(" ") +
        (f.errors.length ? `  +${f.errors.length} FAILED` : "");
      p(
        `  ${pad(id, 12)}${pad(main, 14, true)}${pad(mb, 10, true)}${pad(r(f.vs_c), 9, true)}${
          pad(r(f.vs_zeromqjs), 11, true)
        }  ${runsS}`,
      );
    }
  }
  const allBars = bars(extra);
  const barList = allBars.filter((b) => !b.informational);
  const infoList = allBars.filter((b) => b.informational);
  const line = (mark: string, b: Bar) =>
    p(
      `  ${mark} ${pad(b.runtime, 5)} ${pad(b.bar, 66)} ${b.value ?? ""}${
        b.detail ? ` (${b.detail})` : ""
      }`,
    );
  p();
  p("Quality bars (DESIGN.md); throughput and round trip: tcp loopback, two processes:");
  for (const b of barList) {
    line(b.held === undefined ? "n/a     " : b.held ? "held    " : "NOT HELD", b);
  }
  if (infoList.length) {
    p();
    p("Node (npm build), the same measures for information (the bars are set for Deno and Bun):");
    for (const b of infoList) line(b.value === undefined ? "n/a     " : "info    ", b);
  }
  if (notes.length) {
    p();
    p("Notes and problems:");
    for (const n of notes) p(`  - ${n}`);
  }
  p();
  p(`total ${seconds.toFixed(0)} s`);
  console.log(out.join("\n"));

  const figs = [...figures.values()];
  for (const f of figs) console.log(JSON.stringify({ type: "figure", ...f }));
  for (const e of extra) console.log(JSON.stringify({ type: "extra", ...e }));
  for (const b of barList) console.log(JSON.stringify({ type: "bar", ...b }));
  for (const b of infoList) console.log(JSON.stringify({ type: "bar_info", ...b }));

  const results = {
    date: new Date().toISOString(),
    quick,
    runs,
    seconds: Math.round(seconds),
    machine: { ...info, busy_percent_before: busyBefore },
    figures: figs,
    extra,
    bars: barList,
    bars_info: infoList,
    notes,
  };
  await Deno.writeTextFile(
    join(BENCH, "results.json"),
    JSON.stringify(results, null, 2) + "\n",
  );
  await Deno.writeTextFile(join(BENCH, "chart.svg"), chart(figs, info));
  // Keep the generated files as `deno fmt` wants them (fmt --check in CI).
  await exec(
    [DENO, "fmt", "-q", join(BENCH, "chart.svg"), join(BENCH, "results.json")],
    60,
  );
  console.error("wrote bench/results.json and bench/chart.svg");
}

// ---------------------------------------------------------------- chart

const COLORS: Record<string, string> = {
  "c": "#555555",
  "zeromq.js": "#8cc84b",
  "deno await": "#1f6feb",
  "deno try": "#79b8ff",
  "bun await": "#d9822b",
  "bun try": "#f5c26b",
  "node await": "#8250df",
  "node try": "#c8a8ff",
};

function esc(s: string) {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Hand-written SVG: one row per (test, transport, mode), one panel per size. */
function chart(figs: Figure[], info: Record<string, unknown>): string {
  const idOf = (f: Figure) => f.style ? `${f.impl} ${f.style}` : f.impl;
  const ids = Object.keys(COLORS).filter((id) => figs.some((f) => idOf(f) === id));
  const groups: { title: string; cases: Case[] }[] = [];
  for (const c of CASES) {
    const title = `${
      c.test === "throughput" ? "PUSH->PULL" : "REQ<->REP round trip"
    } ${c.transport} ${c.mode}`;
    let g = groups.find((g) => g.title === title);
    if (!g) groups.push(g = { title, cases: [] });
    g.cases.push(c);
  }
  const barW = 26, gap = 6, panelPad = 14;
  const panelW = Math.max(1, ids.length) * (barW + gap) + panelPad * 2;
  const panelH = 150, rowH = panelH + 70, left = 20, top = 70;
  const cols = Math.max(...groups.map((g) => g.cases.length), 1);
  const width = left * 2 + cols * (panelW + 20);
  const height = top + groups.length * rowH + 30;
  const s: string[] = [];
  s.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
      `viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
  );
  s.push(`<rect width="100%" height="100%" fill="#ffffff"/>`);
  s.push(
    `<text x="${left}" y="22" font-size="15" font-weight="bold">zmq benchmarks: C, zeromq.js, this library on Deno, Bun and Node (median of ${runs}${
      quick ? ", quick" : ""
    })</text>`,
  );
  s.push(
    `<text x="${left}" y="38" fill="#555">${
      esc(
        `${info.cpus} CPUs ${info.cpu}; libzmq ${info.libzmq}; deno ${info.deno}; bun ${info.bun}; node ${info.node}; koffi ${
          info.koffi ?? "-"
        }`,
      )
    }</text>`,
  );
  let lx = left;
  for (const id of ids) {
    s.push(
      `<rect x="${lx}" y="48" width="12" height="12" fill="${COLORS[id]}"/>`,
    );
    const name = id === "c" ? "C (libzmq)" : id.startsWith("node ") ? `${id} (npm build)` : id;
    s.push(`<text x="${lx + 16}" y="58">${esc(name)}</text>`);
    lx += 16 + name.length * 7 + 18;
  }
  groups.forEach((g, gi) => {
    const y0 = top + gi * rowH;
    s.push(
      `<text x="${left}" y="${y0 + 18}" font-size="13" font-weight="bold">${esc(g.title)}</text>`,
    );
    g.cases.forEach((c, ci) => {
      const x0 = left + ci * (panelW + 20);
      const py = y0 + 30;
      const rows = ids.map((id) => figs.find((f) => caseKey(f) === caseKey(c) && idOf(f) === id));
      const useMB = c.test === "throughput" && c.size >= 65536;
      const val = (f?: Figure) =>
        f?.median === undefined ? undefined : useMB ? f.mb_per_s! : f.median;
      const max = Math.max(...rows.map((f) => val(f) ?? 0), 1e-9);
      const unit = c.test === "latency"
        ? "µs round trip (lower is better)"
        : useMB
        ? "MB/s"
        : "msgs/s";
      s.push(
        `<rect x="${x0}" y="${py}" width="${panelW}" height="${panelH}" fill="#f6f8fa" stroke="#d0d7de"/>`,
      );
      s.push(
        `<text x="${x0 + 4}" y="${py + panelH + 16}">${
          esc(`${sizeName(c.size)} — ${unit}`)
        }</text>`,
      );
      const chartH = panelH - 30;
      rows.forEach((f, i) => {
        const v = val(f);
        const bx = x0 + panelPad + i * (barW + gap);
        if (v === undefined) {
          s.push(
            `<text x="${bx + 4}" y="${py + panelH - 4}" fill="#999">-</text>`,
          );
          return;
        }
        const label = useMB || c.test === "latency" ? v.toFixed(0) : short(v);
        const h = Math.max(1, v / max * chartH);
        const by = py + panelH - h;
        s.push(
          `<rect x="${bx}" y="${by.toFixed(1)}" width="${barW}" height="${h.toFixed(1)}" fill="${
            COLORS[ids[i]]
          }"><title>${esc(`${ids[i]}: ${label} ${unit}`)}</title></rect>`,
        );
        s.push(
          `<text x="${bx + barW / 2}" y="${
            (by - 3).toFixed(1)
          }" text-anchor="middle" font-size="9">${label}</text>`,
        );
      });
    });
  });
  s.push(`</svg>`);
  return s.join("\n") + "\n";
}

try {
  await main();
} finally {
  await Deno.remove(TMP, { recursive: true }).catch(() => {});
}
