/**
 * The CPU one 16-byte message costs each side, per way of sending and
 * receiving, against c/per_message.c: over inproc in one thread, sends into
 * a queue with room and receives from a full one, so nothing ever waits and
 * what is timed is the call itself. Beside them, what the language alone
 * charges for the `await` styles. Deno and Bun (and Node through its npm
 * build copy).
 *
 * ```sh
 * deno run -A bench/per_message.ts [--count 1000000] [--rounds 5]
 * bun bench/per_message.ts ...
 * ```
 *
 * ns per message, the median round after one untimed round (the JIT's tiers):
 *
 * - `send_try_ns`: `trySend(frame)`; `send_await_ns`: `await send(frame)`;
 * - `receive_try_ns`: `tryReceive()`; `receive_await_ns`: one step of
 *   `for await (const message of pull)`;
 * - `await_ns`: `await` of a promise already settled (what `await send()`
 *   adds to the call at the least); `for_await_step_ns`: one step of a
 *   `for await` over an iterator whose `next()` returns settled promises
 *   (what `for await` adds at the least).
 *
 * On a machine whose cores the two processes of a stream share with libzmq's
 * I/O threads, each side's CPU per message comes off the rate: these are the
 * floors of the 16 B figures.
 *
 * Prints one line `{"impl":..,"test":"per_message","count":..,
 * "send_try_ns":..,"send_await_ns":..,"receive_try_ns":..,
 * "receive_await_ns":..,"await_ns":..,"for_await_step_ns":..}`.
 *
 * @module
 */
import process from "node:process";
import * as zmq from "../mod.ts";
import { emit, num, parseArgs } from "./common.ts";

const args = parseArgs(process.argv.slice(2), { count: "1000000", rounds: "5" });
const count = num(args, "count");
const rounds = num(args, "rounds");

const frame = new Uint8Array(16);
/** Read back at the end, so no loop can be optimized away. */
let sink = 0;

/**
 * The median over the rounds of ns per message of `run` (which handles
 * `count`), each round after `prepare` (untimed).
 */
async function measure(run: () => Promise<void> | void, prepare = () => {}): Promise<number> {
  const perRound: number[] = [];
  for (let r = -1; r < rounds; r++) {
    prepare();
    const start = performance.now();
    await run();
    const ns = (performance.now() - start) * 1e6 / count;
    if (r >= 0) perRound.push(ns);
  }
  perRound.sort((a, b) => a - b);
  return Math.round(perRound[perRound.length >> 1] * 10) / 10;
}

const pull = new zmq.Pull({ receiveHighWaterMark: 0 });
const push = new zmq.Push({ sendHighWaterMark: 0 });
await pull.bind("inproc://per_message");
push.connect("inproc://per_message");

function fill(): void {
  for (let i = 0; i < count; i++) {
    if (!push.trySend(frame)) throw new Error("an inproc queue without a limit refused a send");
  }
}

function drain(): void {
  for (let i = 0; i < count; i++) sink += pull.tryReceive()![0].length;
}

// Sends into an unbounded queue, emptied (untimed) before each round;
// receives from a queue filled (untimed) before each round.
let queued = 0;
const empty = () => {
  if (queued > 0) drain();
  queued = 0;
};
const sendTry = await measure(() => {
  fill();
  queued = count;
}, empty);
const sendAwait = await measure(async () => {
  for (let i = 0; i < count; i++) await push.send(frame);
  queued = count;
}, empty);
empty();
const receiveTry = await measure(drain, fill);
const receiveAwait = await measure(async () => {
  let n = 0;
  for await (const [received] of pull) {
    sink += received.length;
    if (++n === count) break;
  }
}, fill);

const settled = Promise.resolve();
const awaitOnly = await measure(async () => {
  for (let i = 0; i < count; i++) await settled;
});
const step: IteratorResult<number> = { done: false, value: 1 };
const iterable: AsyncIterable<number> = {
  [Symbol.asyncIterator]: () => ({ next: () => Promise.resolve(step) }),
};
const forAwaitStep = await measure(async () => {
  let n = 0;
  for await (const value of iterable) {
    sink += value;
    if (++n === count) break;
  }
});

push.close();
pull.close();
if (sink < 0) console.log(sink);
emit({
  test: "per_message",
  count,
  send_try_ns: sendTry,
  send_await_ns: sendAwait,
  receive_try_ns: receiveTry,
  receive_await_ns: receiveAwait,
  await_ns: awaitOnly,
  for_await_step_ns: forAwaitStep,
});
