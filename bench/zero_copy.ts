/**
 * Zero-copy against copying: PUSH -> PULL throughput of large frames over
 * tcp loopback, sender and receiver in two processes, for the C program
 * (bench/c/throughput, libzmq directly: zmq_send copies) and for this library
 * in Deno and Bun, sending frames
 *   - copied (zmq_send), or
 *   - lent to libzmq (zmq_msg_init_data with a free callback; forced here
 *     even in Deno, where send() never lends by default),
 * and receiving them with
 *   - receive() (one copy), or
 *   - receiveMessage() + release() ("view": views over libzmq's memory where
 *     the runtime allows, Bun; one copy, detached on release, in Deno).
 *
 * ```sh
 * deno run -A bench/zero_copy.ts [--runs 3] [--sizes 65536,1048576,16777216]
 *     [--only c,deno,bun]
 * ```
 *
 * Runs interleave the implementations; each prints the median MB/s of its
 * runs, its ratio to C, and one JSON line per figure. The sender stays open
 * until the receiver has counted everything.
 *
 * The measuring side (run by the runner, in Deno or Bun):
 * `bench/zero_copy.ts --measure --size N --count N --send copy|lend --receive copy|view`.
 *
 * @module
 */
import process from "node:process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { emit, now, parentGone, parseArgs, spawnSelf, watchdog } from "./common.ts";

const argv = process.argv.slice(2);

if (argv.includes("--measure")) await measure();
else await runAll();

// ---------------------------------------------------------------- measuring

async function measure(): Promise<void> {
  const zmq = await import("../mod.ts");
  const { setZeroCopySendThreshold } = await import("../src/zero_copy.ts");
  const args = parseArgs(argv, {
    size: "65536",
    count: "1000",
    send: "copy",
    receive: "copy",
    child: "",
    timeout: "60",
  }, ["measure"]);
  const size = Number(args.size);
  const count = Number(args.count);
  if (args.child) {
    setZeroCopySendThreshold(args.send === "lend" ? size : Infinity);
    const gone = parentGone();
    const cpuStart = process.cpuUsage();
    const push = new zmq.Push();
    push.connect(String(args.child));
    const frame = new Uint8Array(size);
    const sending = (async () => {
      for (let i = 0; i < count; i++) await push.send(frame);
    })();
    await Promise.race([sending, gone]);
    await gone; // stay open until the receiver has everything
    const cpu = process.cpuUsage(cpuStart);
    // The sending process's CPU per message, its I/O thread included.
    console.log(JSON.stringify({ sender_cpu_us: (cpu.user + cpu.system) / count }));
    push.close();
    process.exit(0);
  }
  const pull = new zmq.Pull();
  await pull.bind("tcp://127.0.0.1:*");
  const { child, exited } = spawnSelf(import.meta.url, [
    "--measure",
    "--child",
    pull.lastEndpoint!,
    "--size",
    String(size),
    "--count",
    String(count),
    "--send",
    String(args.send),
  ]);
  let received = 0;
  const cancel = watchdog(
    "zero_copy.ts",
    Number(args.timeout),
    () => child,
    () => `received ${received} of ${count}`,
  );
  let start = 0;
  let cpuStart = process.cpuUsage();
  const check = (frame: Uint8Array) => {
    if (frame.length !== size) throw new Error(`wrong frame size ${frame.length}`);
  };
  for (; received < count; received++) {
    if (args.receive === "view") {
      const message = await pull.receiveMessage();
      check(message.frames[0]);
      message.release();
    } else {
      check((await pull.receive())[0]);
    }
    if (received === 0) {
      start = now();
      cpuStart = process.cpuUsage();
    }
  }
  const elapsed = now() - start;
  const cpu = process.cpuUsage(cpuStart);
  child.stdin!.end();
  const code = await exited;
  cancel();
  pull.close();
  // The first message starts the clock: count-1 messages over the elapsed time.
  const rate = (count - 1) / Math.max(elapsed, 1e-9);
  emit({
    test: "zero_copy",
    send: args.send,
    receive: args.receive,
    receiver_cpu_us: Math.round((cpu.user + cpu.system) / (count - 1) * 10) / 10,
    size,
    count,
    mb_per_s: Math.round(rate * size / 1e5) / 10,
  });
  if (code !== 0) process.exitCode = 1;
}

// ---------------------------------------------------------------- the runner

interface Variant {
  id: string;
  runtime: "c" | "deno" | "bun";
  cmd(size: number, count: number): string[];
}

async function runAll(): Promise<void> {
  const args = parseArgs(argv, {
    runs: "3",
    sizes: "65536,1048576,16777216",
    only: "c,deno,bun",
  });
  const runs = Number(args.runs);
  const sizes = String(args.sizes).split(",").map(Number);
  const only = String(args.only).split(",");
  const BENCH = dirname(fileURLToPath(import.meta.url));
  const ROOT = dirname(BENCH);
  const script = fileURLToPath(import.meta.url);
  const deno = join(ROOT, "node_modules", ".bin", "deno");
  const bun = join(ROOT, "node_modules", ".bin", "bun");
  const cThroughput = join(BENCH, "c", "throughput");
  await buildC(BENCH);

  const js =
    (runtime: "deno" | "bun", send: string, receive: string) => (size: number, count: number) => [
      ...(runtime === "deno" ? [deno, "run", "-A", script] : [bun, script]),
      "--measure",
      "--size",
      String(size),
      "--count",
      String(count),
      "--send",
      send,
      "--receive",
      receive,
    ];
  const variants: Variant[] = [
    {
      id: "C",
      runtime: "c",
      cmd: (
        size,
        count,
      ) => [cThroughput, "tcp://127.0.0.1:*", String(size), String(count), "--fork"],
    },
  ];
  for (const runtime of ["deno", "bun"] as const) {
    const name = runtime === "deno" ? "Deno" : "Bun";
    for (
      const [send, receive] of [["copy", "copy"], ["lend", "copy"], ["copy", "view"], [
        "lend",
        "view",
      ]]
    ) {
      const label = receive === "view" ? (send === "lend" ? "lend+view" : "view") : send;
      variants.push({ id: `${name} ${label}`, runtime, cmd: js(runtime, send, receive) });
    }
  }
  const chosen = variants.filter((v) => only.includes(v.runtime));
  // About 1 GiB per run, at least 20 messages.
  const countFor = (size: number) => Math.max(20, Math.round(2 ** 30 / size));
  const results = new Map<string, Measurement[]>();
  for (let run = 1; run <= runs; run++) {
    for (const size of sizes) {
      for (const variant of chosen) {
        const result = await exec(variant.cmd(size, countFor(size)));
        const key = `${variant.id}|${size}`;
        const list = results.get(key) ?? [];
        if (result !== undefined) list.push(result);
        else console.error(`${variant.id} ${size}: failed`);
        results.set(key, list);
      }
    }
    console.error(`run ${run} of ${runs} done`);
  }

  const sizeName = (n: number) => n >= 1 << 20 ? `${n >> 20} MiB` : `${n >> 10} KiB`;
  const figure = (variant: Variant, size: number, pick: (m: Measurement) => number | undefined) =>
    median((results.get(`${variant.id}|${size}`) ?? []).map(pick).filter((v) => v !== undefined));
  const table = (title: string, cell: (variant: Variant, size: number) => string) => {
    const header = [title, ...chosen.map((v) => v.id)];
    const rows = sizes.map((size) => [sizeName(size), ...chosen.map((v) => cell(v, size))]);
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(" | ")} |`;
    console.log(line(header));
    console.log(`| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`);
    for (const row of rows) console.log(line(row));
    console.log();
  };
  table("MB/s", (variant, size) => {
    const value = figure(variant, size, (m) => m.mbPerS);
    const reference = chosen.find((v) => v.runtime === "c");
    const c = reference === undefined ? NaN : figure(reference, size, (m) => m.mbPerS);
    if (Number.isNaN(value)) return "failed";
    return variant.runtime === "c" || Number.isNaN(c)
      ? `${Math.round(value)}`
      : `${Math.round(value)} (${Math.round(value / c * 100)}%)`;
  });
  // CPU is steadier than MB/s on a shared machine: what each side spends per message.
  table("CPU µs/msg (send+receive)", (variant, size) => {
    const send = figure(variant, size, (m) => m.senderCpuUs);
    const receive = figure(variant, size, (m) => m.receiverCpuUs);
    return Number.isNaN(send) || Number.isNaN(receive)
      ? "-"
      : `${send.toFixed(1)}+${receive.toFixed(1)}`;
  });
  for (const size of sizes) {
    for (const variant of chosen) {
      const samples = results.get(`${variant.id}|${size}`) ?? [];
      console.log(JSON.stringify({
        test: "zero_copy",
        impl: variant.id,
        size,
        runs: samples.length,
        mb_per_s: figure(variant, size, (m) => m.mbPerS),
        sender_cpu_us: figure(variant, size, (m) => m.senderCpuUs),
        receiver_cpu_us: figure(variant, size, (m) => m.receiverCpuUs),
        samples: samples.map((m) => m.mbPerS),
      }));
    }
  }
}

interface Measurement {
  mbPerS: number;
  senderCpuUs?: number;
  receiverCpuUs?: number;
}

function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Runs one measurement in its own process group; undefined when it failed. */
async function exec(cmd: string[]): Promise<Measurement | undefined> {
  const child = new Deno.Command("setsid", {
    args: cmd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const killGroup = () => {
    try {
      Deno.kill(-child.pid, "SIGKILL");
    } catch { /* already gone */ }
  };
  const timer = setTimeout(killGroup, 90_000);
  const output = await child.output();
  clearTimeout(timer);
  killGroup();
  const lines = new TextDecoder().decode(output.stdout).trim().split("\n")
    .filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
  const result = lines.find((l) => "mb_per_s" in l);
  if (output.code !== 0 || result === undefined) {
    console.error(new TextDecoder().decode(output.stderr).trim().split("\n").slice(-5).join("\n"));
    return undefined;
  }
  return {
    mbPerS: Number(result.mb_per_s),
    senderCpuUs: lines.find((l) => "sender_cpu_us" in l)?.sender_cpu_us,
    receiverCpuUs: result.receiver_cpu_us,
  };
}

async function buildC(bench: string): Promise<void> {
  const binary = join(bench, "c", "throughput");
  const source = join(bench, "c", "throughput.c");
  const built = await Deno.stat(binary).then((s) => s.mtime?.getTime() ?? 0, () => 0);
  const changed = Math.max(
    ...(await Promise.all(
      [source, join(bench, "c", "common.h")].map((p) =>
        Deno.stat(p).then((s) => s.mtime?.getTime() ?? 0)
      ),
    )),
  );
  if (built >= changed) return;
  const { code } = await new Deno.Command("cc", {
    args: ["-O2", "-Wall", "-o", binary, source, "-lzmq", "-lpthread"],
  }).output();
  if (code !== 0) throw new Error("compiling bench/c/throughput.c failed");
}
