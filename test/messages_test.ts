import * as zmq from "../mod.ts";
import {
  assert,
  bindAny,
  bytes,
  closeAll,
  deepEqual,
  equal,
  rejects,
  test,
  text,
  throws,
  type Transport,
  transports,
  withTimeout,
} from "./harness.ts";

/** A connected Push/Pull pair over `transport`, closed by `fn`'s end. */
async function withPipe(
  transport: Transport,
  fn: (push: zmq.Push, pull: zmq.Pull) => Promise<void>,
) {
  const pull = new zmq.Pull({ linger: 0 });
  const push = new zmq.Push({ linger: 0 });
  try {
    push.connect(await bindAny(pull, transport));
    await fn(push, pull);
  } finally {
    closeAll(push, pull);
  }
}

function receive(pull: zmq.Pull, what = "a message") {
  return withTimeout(pull.receive(), 10_000, what);
}

function assertFrame(actual: Uint8Array, expected: Uint8Array, what: string) {
  assert(actual instanceof Uint8Array, `${what}: not a Uint8Array`);
  equal(actual.byteLength, expected.byteLength, `${what}: length`);
  deepEqual(Array.from(actual), Array.from(expected), `${what}: bytes`);
}

for (const transport of transports) {
  test(`messages over ${transport}: multipart with empty and binary frames`, async () => {
    await withPipe(transport, async (push, pull) => {
      const all = new Uint8Array(256).map((_, i) => i);
      const frames = [
        new Uint8Array(0),
        bytes("header"),
        all,
        new Uint8Array(0),
        new Uint8Array([0, 0, 0]),
        new Uint8Array(0),
      ];
      await push.send(frames);
      const got = await receive(pull);
      equal(got.length, frames.length, "frame count");
      for (let i = 0; i < frames.length; i++) {
        assertFrame(got[i], frames[i], `frame ${i}`);
      }
    });
  });

  test(`messages over ${transport}: a single empty frame`, async () => {
    await withPipe(transport, async (push, pull) => {
      await push.send(new Uint8Array(0));
      await push.send("");
      await push.send([""]);
      for (let i = 0; i < 3; i++) {
        const got = await receive(pull);
        equal(got.length, 1);
        equal(got[0].byteLength, 0);
      }
    });
  });

  test(`messages over ${transport}: a 4 MiB frame arrives byte-exact`, async () => {
    await withPipe(transport, async (push, pull) => {
      const big = new Uint8Array(4 * 1024 * 1024);
      for (let i = 0; i < big.length; i++) big[i] = (i * 7 + (i >>> 13)) & 255;
      await push.send(["big", big, "after"]);
      const got = await receive(pull, "the 4 MiB message");
      equal(got.length, 3);
      equal(text(got[0]), "big");
      equal(got[1].byteLength, big.byteLength);
      let firstDifference = -1;
      for (let i = 0; i < big.length; i++) {
        if (got[1][i] !== big[i]) {
          firstDifference = i;
          break;
        }
      }
      equal(firstDifference, -1, "the big frame differs");
      equal(text(got[2]), "after");
    });
  });
}

test("messages: non-ASCII strings round-trip byte-exact as UTF-8", async () => {
  await withPipe("tcp", async (push, pull) => {
    const samples = ["héllo ✓ 日本", "🎉 emoji 𝄞", "\u0000nul inside\u0000"];
    await push.send(samples);
    const got = await receive(pull);
    equal(got.length, samples.length);
    for (let i = 0; i < samples.length; i++) {
      assertFrame(got[i], new TextEncoder().encode(samples[i]), samples[i]);
      equal(text(got[i]), samples[i]);
    }
  });
});

test("messages: every accepted frame type sends exactly its bytes", async () => {
  await withPipe("inproc", async (push, pull) => {
    const backing = new Uint8Array([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
    const u16 = new Uint16Array([1, 0x0203]);
    const u16Bytes = new Uint8Array(u16.buffer.slice(0));
    const cases: [string, unknown, Uint8Array][] = [
      ["string", "abc", bytes("abc")],
      ["Uint8Array", new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 3])],
      [
        "ArrayBuffer",
        new Uint8Array([4, 5, 6]).buffer,
        new Uint8Array([4, 5, 6]),
      ],
      ["Uint16Array", u16, u16Bytes],
      [
        "Uint8Array subarray",
        backing.subarray(2, 5),
        new Uint8Array([7, 6, 5]),
      ],
      [
        "DataView with offset",
        new DataView(backing.buffer, 4, 3),
        new Uint8Array([5, 4, 3]),
      ],
      [
        "Int32Array with offset",
        new Int32Array(new Int32Array([-1, 0x04030201, 7]).buffer, 4, 1),
        new Uint8Array([1, 2, 3, 4]),
      ],
      [
        "Float64Array",
        new Float64Array([1.5]),
        new Uint8Array(new Float64Array([1.5]).buffer),
      ],
    ];
    for (const [name, value, expected] of cases) {
      await push.send(value as Uint8Array);
      const got = await receive(pull, name);
      equal(got.length, 1, `${name}: frame count`);
      assertFrame(got[0], expected, name);
    }
    // The same types mixed in one multipart message.
    await push.send(cases.map(([, value]) => value as Uint8Array));
    const got = await receive(pull, "the mixed message");
    equal(got.length, cases.length);
    cases.forEach(([name, , expected], i) => assertFrame(got[i], expected, name));
  });
});

test("messages: trySend accepts the same frame types as send", async () => {
  await withPipe("inproc", async (push, pull) => {
    const backing = new Uint8Array([1, 2, 3, 4, 5, 6]);
    equal(push.trySend(new DataView(backing.buffer, 1, 2)), true);
    equal(push.trySend(["s", backing.subarray(4), backing.buffer]), true);
    const first = await receive(pull);
    equal(first.length, 1);
    assertFrame(first[0], new Uint8Array([2, 3]), "DataView");
    const second = await receive(pull);
    equal(second.length, 3);
    assertFrame(second[0], bytes("s"), "string");
    assertFrame(second[1], new Uint8Array([5, 6]), "subarray");
    assertFrame(second[2], backing, "ArrayBuffer");
  });
});

test("messages: the sender may reuse its buffer once whenReleased resolves", async () => {
  await withPipe("tcp", async (push, pull) => {
    // A frame this large may be lent to libzmq rather than copied (zero-copy
    // sends): libzmq can still be reading it after send() resolved.
    const buffer = new Uint8Array(64 * 1024);
    for (let round = 0; round < 5; round++) {
      await withTimeout(zmq.whenReleased(buffer), 10_000, "libzmq to give the buffer back");
      buffer.fill(round);
      await push.send(buffer);
    }
    await withTimeout(zmq.whenReleased(buffer), 10_000, "libzmq to give the buffer back");
    buffer.fill(255);
    for (let round = 0; round < 5; round++) {
      const [frame] = await receive(pull);
      equal(frame.byteLength, buffer.byteLength);
      assert(
        frame.every((b) => b === round),
        `message ${round} was changed after send resolved`,
      );
    }
  });
});

test("messages: received frames are independent copies", async () => {
  await withPipe("inproc", async (push, pull) => {
    await push.send(["aaaa", "bbbb"]);
    await push.send(["cccc", "dddd"]);
    const first = await receive(pull);
    const second = await receive(pull);
    first[0].fill(0);
    deepEqual(
      [text(first[1]), text(second[0]), text(second[1])],
      ["bbbb", "cccc", "dddd"],
    );
  });
});

test("messages: send rejects unsupported frame types with a TypeError", async () => {
  await withPipe("inproc", async (push, pull) => {
    const bad: unknown[] = [42, { a: 1 }, null, undefined, true, 10n, [1, 2]];
    for (const value of bad) {
      await rejects(
        async () => await push.send(value as string),
        TypeError,
        `send(${String(value)})`,
      );
      throws(
        () => push.trySend(value as string),
        TypeError,
        `trySend(${String(value)})`,
      );
    }
    // A bad frame in a multipart message sends none of it.
    await rejects(
      async () => await push.send(["ok", 42 as unknown as string]),
      TypeError,
    );
    await push.send("still works");
    const got = await receive(pull);
    deepEqual(got.map(text), ["still works"]);
  });
});

test("messages: transferring a received frame's buffer breaks no later receive", async () => {
  // Handing a frame to a Worker with its buffer in the transfer list detaches
  // that buffer; later messages must not depend on it.
  await withPipe("inproc", async (push, pull) => {
    for (const word of ["first", "second", "third"]) await push.send(word);
    const [first] = await receive(pull);
    const moved = structuredClone(first, { transfer: [first.buffer] });
    equal(text(moved), "first");
    equal(first.byteLength, 0, "the transferred frame is detached");
    const rest: string[] = [];
    for (let i = 0; i < 2; i++) rest.push(text((await receive(pull))[0]));
    deepEqual(rest, ["second", "third"]);
  });
});
