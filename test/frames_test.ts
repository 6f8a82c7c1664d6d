// Small frames are read straight from libzmq's message struct; these sizes
// straddle the inline limit (33 bytes on 64-bit) in every multipart position.
import * as zmq from "../mod.ts";
import { bindAny, closeAll, deepEqual, test, withTimeout } from "./harness.ts";

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
