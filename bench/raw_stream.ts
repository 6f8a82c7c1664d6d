/**
 * The floor of a 16 B stream from JavaScript: PUSH -> PULL over tcp, two
 * processes, with the runtime's own FFI and nothing else (no library):
 * blocking `zmq_send` and blocking `zmq_msg_recv`, each message copied into
 * a new Uint8Array as the library's frames are. What the library's 16 B
 * throughput is measured against in streams.sh. Deno and Bun.
 *
 * ```sh
 * deno run -A bench/raw_stream.ts [--count 3000000] [--warmup 1000000]
 * bun bench/raw_stream.ts ...
 * ```
 *
 * The receiver times from the first message after the warm-up to the last;
 * prints `{"impl":..,"test":"raw_stream","size":16,"count":..,"msgs_per_s":..}`.
 *
 * @module
 */
import process from "node:process";
import { emit, num, parentGone, parseArgs, spawnSelf } from "./common.ts";
import { openZmq } from "./raw_zmq.ts";

const args = parseArgs(process.argv.slice(2), {
  count: "3000000",
  warmup: "1000000",
  child: "",
});
const count = num(args, "count");
const warmup = num(args, "warmup");
const PUSH = 8;
const PULL = 7;

const zmq = openZmq();
if (args.child) {
  const push = zmq.socket(PUSH);
  zmq.connect(push, String(args.child));
  for (let i = 0; i < count + warmup; i++) zmq.send16(push);
  await parentGone();
  process.exit(0);
}
const pull = zmq.socket(PULL);
zmq.bind(pull, "tcp://127.0.0.1:*");
const { child, exited } = spawnSelf(import.meta.url, [
  "--child",
  zmq.lastEndpoint(pull),
  "--count",
  String(count),
  "--warmup",
  String(warmup),
]);
let started = performance.now();
for (let i = 0; i < count + warmup; i++) {
  if (i === warmup) started = performance.now();
  if (zmq.receive(pull).length !== 16) throw new Error("wrong message size");
}
const rate = count / ((performance.now() - started) / 1000);
child.stdin!.end();
await exited;
emit({ test: "raw_stream", size: 16, count, msgs_per_s: Math.round(rate) });
process.exit(0);
