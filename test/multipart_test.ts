// A multipart message reaches a peer whole or not at all: never spliced onto
// the next one, never cut short, whatever fails halfway through a send.
import * as zmq from "../mod.ts";
import {
  bindAny,
  closeAll,
  deepEqual,
  equal,
  ok,
  pumpUntilReceived,
  rejects,
  test,
  texts,
  throws,
  transports,
  uniqueIpcAddress,
  withTimeout,
} from "./harness.ts";

/** A view whose ArrayBuffer was transferred away (as to a Worker). */
function detachedView(): Uint8Array {
  const view = new Uint8Array(8).fill(7);
  structuredClone(view.buffer, { transfer: [view.buffer] });
  equal(view.byteLength, 0, "the buffer did not detach");
  return view;
}

for (const transport of transports) {
  test(`multipart over ${transport}: a bad frame anywhere sends nothing of the message`, async () => {
    const a = new zmq.Pair({ linger: 0 });
    const b = new zmq.Pair({ linger: 0 });
    try {
      b.connect(await bindAny(a, transport));
      await rejects(a.send(["head", detachedView()]), TypeError);
      throws(() => a.trySend(["head", detachedView()]), TypeError);
      await rejects(a.send(["head", 42 as unknown as string]), TypeError);
      await rejects(a.send(detachedView()), TypeError);
      await a.send(["next", "message"]);
      deepEqual(texts(await withTimeout(b.receive(), 5000, "the next message")), [
        "next",
        "message",
      ]);
      // Nothing else arrived: the marker is the very next message.
      await a.send("marker");
      deepEqual(texts(await withTimeout(b.receive(), 5000, "the marker")), ["marker"]);
    } finally {
      closeAll(a, b);
    }
  });
}

/**
 * Peers that vanish while a Push with `immediate` streams multipart messages
 * to them: libzmq then stops taking some messages between two frames (the
 * connection closed in the middle). Every message the survivor receives must
 * be whole, every send must settle within its bound, and a message cut off
 * halfway is sent again whole (or reported), never partly.
 */
async function streamThroughVanishingPeers(useTrySend: boolean): Promise<void> {
  const FRAMES = 4;
  const survivor = new zmq.Pull({ linger: 0 });
  const received: string[][] = [];
  let stop = false;
  const receiving = (async () => {
    while (!stop) {
      const frames = await survivor.receive({ timeout: 200 }).catch(() => null);
      if (frames !== null) received.push(texts(frames));
    }
  })();
  const pushes: zmq.Push[] = [];
  try {
    const survivorEndpoint = await bindAny(survivor, "tcp");
    let sent = 0;
    const filler = "x".repeat(2000);
    // A fresh Push per round, with the survivor and ONE peer that vanishes:
    // with three or more peers, libzmq 4.3.4 itself can send the rest of a
    // message to another peer when a third one's connection closes
    // (lb_t::pipe_terminated resets its cursor; docs/reliability.md).
    for (let round = 0; round < 40; round++) {
      const push = new zmq.Push({ linger: 0, immediate: true, sendHighWaterMark: 100_000 });
      pushes.push(push);
      push.connect(survivorEndpoint);
      const doomed = new zmq.Pull({ linger: 0 });
      push.connect(await bindAny(doomed, "tcp"));
      setTimeout(() => closeAll(doomed), 1);
      const until = performance.now() + 10;
      while (performance.now() < until) {
        const message = Array.from({ length: FRAMES }, (_, i) => `${sent}:${i}:${filler}`);
        // The turns of the event loop below pace the stream (scenario): they
        // let the timer that closes the doomed peer fire mid-stream and the
        // survivor's loop receive.
        if (useTrySend) {
          if (push.trySend(message)) sent++;
          else await new Promise((resolve) => setTimeout(resolve, 0));
        } else {
          await withTimeout(push.send(message, { timeout: 1000 }).catch(() => {}), 5000, "a send");
          sent++;
        }
        if (sent % 64 === 0) await new Promise((resolve) => setTimeout(resolve, 0));
      }
      closeAll(doomed);
    }
    ok(sent > 100, `only ${sent} messages were sent`);
    // Whatever the survivor still gets must be whole too: take all of it,
    // up to an end marker from the last Push (one pipe, in order).
    stop = true;
    await receiving;
    const last = pushes[pushes.length - 1];
    const marker = Array.from({ length: FRAMES }, (_, i) => `end:${i}:`);
    await pumpUntilReceived(() => last.trySend(marker), {
      async receive(options) {
        for (;;) {
          const frames = texts(await survivor.receive(options));
          received.push(frames);
          if (frames[0].startsWith("end:")) return [];
        }
      },
    }, 10_000);
  } finally {
    stop = true;
    await receiving;
    closeAll(...pushes, survivor);
  }
  ok(received.length > 0, "the survivor received nothing");
  for (const frames of received) {
    equal(
      frames.length,
      FRAMES,
      `a message of ${frames.length} frames: ${frames.map((f) => f.slice(0, 12))}`,
    );
    const id = frames[0].split(":")[0];
    frames.forEach((frame, i) =>
      ok(frame.startsWith(`${id}:${i}:`), `frames of different messages: ${frame.slice(0, 12)}`)
    );
  }
}

test("multipart: messages stay whole while peers vanish between frames (send)", async () => {
  await streamThroughVanishingPeers(false);
}, { timeout: 60_000 });

test("multipart: trySend is all or nothing while peers vanish between frames", async () => {
  await streamThroughVanishingPeers(true);
}, { timeout: 60_000 });

test("multipart: a send waiting for a peer keeps its timeout", async () => {
  const dealer = new zmq.Dealer({ linger: 0, immediate: true });
  try {
    // Nobody can be listening there (unlike a fixed tcp port on a shared machine).
    dealer.connect(uniqueIpcAddress());
    await withTimeout(
      rejects(dealer.send(["a", "b", "c"], { timeout: 100 }), (error: unknown) => {
        ok(error instanceof zmq.ZmqError && error.code === "EAGAIN", String(error));
        return true;
      }),
      5000,
      "the send to time out",
    );
  } finally {
    closeAll(dealer);
  }
});
