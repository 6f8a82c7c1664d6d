/**
 * The floor of a round trip from JavaScript: REQ<->REP over tcp with the
 * runtime's own FFI and nothing else (no library): `zmq_send` and a blocking
 * `zmq_msg_recv`, each reply copied into a new Uint8Array as the library's
 * frames are. What `{ blocking: true }` sockets are measured against in
 * round_trips.sh. Deno (`Deno.dlopen`) and Bun (`bun:ffi`).
 *
 * ```sh
 * deno run -A bench/raw_round_trip.ts [--count 20000]
 * bun bench/raw_round_trip.ts [--count 20000]
 * ```
 *
 * Prints `{"impl":..,"test":"raw_round_trip","count":..,"rtt_us":..}`.
 *
 * @module
 */
import process from "node:process";
import { emit, num, parentGone, parseArgs, spawnSelf } from "./common.ts";
import { openZmq } from "./raw_zmq.ts";

const args = parseArgs(process.argv.slice(2), { count: "20000", child: "" });
const count = num(args, "count");
const WARMUP = 100;
const REQ = 3;
const REP = 4;

const zmq = openZmq();
if (args.child) {
  const rep = zmq.socket(REP);
  zmq.connect(rep, String(args.child));
  for (let i = 0; i < count + WARMUP; i++) {
    zmq.receive(rep);
    zmq.send16(rep);
  }
  await parentGone();
  process.exit(0);
}
const req = zmq.socket(REQ);
zmq.bind(req, "tcp://127.0.0.1:*");
const { child, exited } = spawnSelf(import.meta.url, [
  "--child",
  zmq.lastEndpoint(req),
  "--count",
  String(count),
]);
let started = 0;
for (let i = 0; i < count + WARMUP; i++) {
  if (i === WARMUP) started = performance.now();
  zmq.send16(req);
  if (zmq.receive(req).length !== 16) throw new Error("wrong reply size");
}
const rtt = (performance.now() - started) * 1000 / count;
child.stdin!.end();
await exited;
emit({ test: "raw_round_trip", count, rtt_us: Math.round(rtt * 100) / 100 });
process.exit(0);
