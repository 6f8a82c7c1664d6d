/**
 * Messages per second through a streamer device (Pull | Proxy | Push) next
 * to a direct PUSH->PULL, in one process over tcp, 16-byte messages.
 *
 *   deno run -A bench/proxy.ts [--count 500000]
 *   bun bench/proxy.ts [--count 500000]
 */
import process from "node:process";
import * as zmq from "../mod.ts";

const args = process.argv.slice(2);
const countAt = args.indexOf("--count");
const count = countAt >= 0 ? Number(args[countAt + 1]) : 500_000;
const runtime = "Deno" in globalThis ? "deno" : "bun";
const frame = new Uint8Array(16);

async function pump(push: zmq.Push, pull: zmq.Pull): Promise<number> {
  const start = performance.now();
  const sending = (async () => {
    for (let i = 0; i < count; i++) {
      if (!push.trySend(frame)) await push.send(frame);
    }
  })();
  for (let i = 0; i < count; i++) {
    if (pull.tryReceive() === null) await pull.receive({ timeout: 10_000 });
  }
  await sending;
  return count / ((performance.now() - start) / 1000);
}

async function direct(): Promise<number> {
  const pull = new zmq.Pull();
  await pull.bind("tcp://127.0.0.1:*");
  const push = new zmq.Push();
  push.connect(pull.lastEndpoint!);
  try {
    return await pump(push, pull);
  } finally {
    push.close();
    pull.close();
  }
}

async function throughProxy(): Promise<number> {
  const frontend = new zmq.Pull();
  await frontend.bind("tcp://127.0.0.1:*");
  const backend = new zmq.Push();
  await backend.bind("tcp://127.0.0.1:*");
  const source = new zmq.Push();
  source.connect(frontend.lastEndpoint!);
  const sink = new zmq.Pull();
  sink.connect(backend.lastEndpoint!);
  const proxy = new zmq.Proxy(frontend, backend);
  const running = proxy.run();
  try {
    return await pump(source, sink);
  } finally {
    await proxy.terminate();
    await running;
    for (const socket of [source, sink, frontend, backend]) socket.close();
  }
}

const plain = await direct();
const proxied = await throughProxy();
const line = (name: string, rate: number) =>
  console.log(
    `${runtime} ${name.padEnd(28)} ${Math.round(rate).toLocaleString("en-US").padStart(12)} msgs/s`,
  );
line("direct PUSH->PULL", plain);
line("PUSH->[streamer proxy]->PULL", proxied);
console.log(
  JSON.stringify({ impl: runtime, test: "proxy", size: 16, count, direct: plain, proxied }),
);
