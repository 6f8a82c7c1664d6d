/**
 * Never crash, round two (issue #19): each defect reduced to the few lines
 * of public API that showed it. Cases that aborted the process, or kept it
 * from exiting, run in a child process (test/fixtures/never_crash.ts), so a
 * regression fails its test instead of killing the runner.
 *
 * @module
 */
import * as zmq from "../mod.ts";
import { closeAll, deepEqual, equal, ok, test, withTimeout } from "./harness.ts";

test("never crash: { timeout: Infinity } waits without a limit in Poller.wait, poll, receive and send", async () => {
  const pull = new zmq.Pull({ linger: 0 });
  const push = new zmq.Push({ linger: 0, sendHighWaterMark: 1 });
  try {
    const address = `inproc://never-crash-infinity-${Math.random()}`;
    await pull.bind(address);
    const poller = new zmq.Poller().add(pull);
    const waited = poller.wait({ timeout: Infinity });
    const polled = zmq.poll([{ socket: pull, readable: true }], { timeout: Infinity });
    const received = pull.receive({ timeout: Infinity });
    push.connect(address);
    await withTimeout(push.send("one", { timeout: Infinity }), 5_000, "a send with no limit");
    const [frame] = await withTimeout(received, 5_000, "a receive with no limit");
    equal(new TextDecoder().decode(frame), "one");
    await push.send("two", { timeout: Infinity });
    const ready = await withTimeout(waited, 5_000, "Poller.wait with no limit");
    deepEqual(ready.map((entry) => entry.socket === pull && entry.readable), [true]);
    const pollReady = await withTimeout(polled, 5_000, "poll with no limit");
    equal(pollReady.length, 1);
    ok(pull.tryReceive() !== null, "the second message is there");
  } finally {
    closeAll(push, pull);
  }
});

test("never crash (#19.8): two next() calls on one events iterator both settle when the socket closes", async () => {
  const pull = new zmq.Pull({ linger: 0 });
  const events = pull.events[Symbol.asyncIterator]();
  const first = events.next();
  const second = events.next();
  pull.close();
  const results = await withTimeout(Promise.all([first, second]), 5_000, "both next() calls");
  deepEqual(results.map((result) => result.done), [true, true]);
});

test("never crash (#19.8): next() calls waiting together get events in call order", async () => {
  const pull = new zmq.Pull({ linger: 0 });
  try {
    const events = pull.events[Symbol.asyncIterator]();
    const first = events.next();
    const second = events.next();
    await pull.bind("tcp://127.0.0.1:*");
    await pull.bind("tcp://127.0.0.1:*");
    const [a, b] = await withTimeout(Promise.all([first, second]), 5_000, "two events");
    deepEqual([a.value?.type, b.value?.type], ["bind", "bind"]);
    ok(a.value!.address !== b.value!.address, "two different binds, in order");
    const third = events.next();
    const fourth = events.next();
    await withTimeout(events.return!(), 5_000, "return()");
    deepEqual(
      (await withTimeout(Promise.all([third, fourth]), 5_000, "the rest")).map((r) => r.done),
      [
        true,
        true,
      ],
    );
  } finally {
    pull.close();
  }
});
