// Small frames are read straight from libzmq's message struct; these sizes
// straddle the inline limit (33 bytes on 64-bit) in every multipart position.
import { Buffer } from "node:buffer";
import * as zmq from "../mod.ts";
import {
  bindAny,
  closeAll,
  deepEqual,
  equal,
  ok,
  test,
  text,
  throws,
  withTimeout,
} from "./harness.ts";

for (const transport of ["inproc", "tcp"] as const) {
  test(`frames over ${transport}: every size from 0 to 70 bytes, alone and in multipart, arrives exact`, async () => {
    const pull = new zmq.Pull({ linger: 0 });
    const push = new zmq.Push({ linger: 0 });
    try {
      push.connect(await bindAny(pull, transport));
      const bytes = (length: number, seed: number) =>
        Uint8Array.from({ length }, (_, i) => (i * 31 + seed) & 0xff);
      for (let length = 0; length <= 70; length++) {
        const message = [bytes(length, 1), bytes(70 - length, 2), bytes(length, 3)];
        await push.send(message[0]);
        await push.send(message);
        const single = await withTimeout(pull.receive(), 5_000, `a ${length}-byte frame`);
        deepEqual(single.map((f) => Array.from(f)), [Array.from(message[0])]);
        const multi = await withTimeout(pull.receive(), 5_000, `a multipart message`);
        deepEqual(multi.map((f) => Array.from(f)), message.map((f) => Array.from(f)));
      }
    } finally {
      closeAll(push, pull);
    }
  });
}

/** Every frame of `frames` is exactly its own ArrayBuffer. */
function ownsItsBuffer(frame: Uint8Array): boolean {
  return frame.byteOffset === 0 && frame.buffer.byteLength === frame.byteLength;
}

test("frames: every received frame owns its ArrayBuffer (offset 0, exactly its bytes)", async () => {
  const pull = new zmq.Pull({ linger: 0 });
  const push = new zmq.Push({ linger: 0 });
  try {
    push.connect(await bindAny(pull, "inproc"));
    const sizes = [0, 1, 16, 33, 34, 1000, 1024, 5000, 20_000, 70_000, 300_000];
    await push.send(sizes.map((size) => new Uint8Array(size).fill(size & 0xff)));
    const frames = await withTimeout(pull.receive(), 5_000, "the message");
    deepEqual(frames.map((f) => f.byteLength), sizes);
    for (const frame of frames) {
      ok(ownsItsBuffer(frame), `a ${frame.byteLength}-byte frame shares its buffer`);
      // The common idiom: Buffer.from(frame.buffer) is the frame's bytes.
      deepEqual(Buffer.from(frame.buffer), Buffer.from(frame));
    }
    // Handing one frame's buffer away leaves the others whole.
    structuredClone(frames[2].buffer, { transfer: [frames[2].buffer] });
    equal(frames[1].byteLength, 1);
    equal(frames[3][0], 33);
    const metadata = await (async () => {
      await push.send(["a", "bb"]);
      return await withTimeout(pull.receiveWithMetadata(), 5_000, "with metadata");
    })();
    ok(metadata.frames.every(ownsItsBuffer), "receiveWithMetadata frames share buffers");
    await push.send("ccc");
    const message = await withTimeout(pull.receiveMessage(), 5_000, "receiveMessage");
    ok(message.frames.every(ownsItsBuffer), "receiveMessage frames share buffers");
    message.release();
  } finally {
    closeAll(push, pull);
  }
});

test("frames: pooledFrames is an explicit opt-in to shared buffers, with exact bytes", async () => {
  throws(() => new zmq.Pull({ pooledFrames: "yes" as unknown as boolean }), TypeError);
  const pull = new zmq.Pull({ linger: 0, pooledFrames: true });
  const push = new zmq.Push({ linger: 0 });
  try {
    push.connect(await bindAny(pull, "inproc"));
    await push.send(["one", "two", new Uint8Array(5000).fill(5)]);
    const [one, two, large] = await withTimeout(pull.receive(), 5_000, "the message");
    deepEqual([text(one), text(two)], ["one", "two"]);
    equal(one.buffer, two.buffer, "small frames come from one pool");
    ok(ownsItsBuffer(large), "frames above 1 KiB still own their buffer");
  } finally {
    closeAll(push, pull);
  }
});
