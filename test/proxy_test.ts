import { fileURLToPath } from "node:url";
import * as zmq from "../mod.ts";
import {
  bindAny,
  closeAll,
  deepEqual,
  describeExit,
  equal,
  ok,
  rejects,
  runScript,
  test,
  texts,
  throws,
  withTimeout,
} from "./harness.ts";

async function queueDevice() {
  const frontend = new zmq.Router({ linger: 0 });
  const backend = new zmq.Dealer({ linger: 0 });
  const front = await bindAny(frontend, "tcp");
  const back = await bindAny(backend, "tcp");
  return { frontend, backend, front, back };
}

test("proxy: a queue device carries requests from many clients to joining and leaving workers", async () => {
  const { frontend, backend, front, back } = await queueDevice();
  // Watch the backend before the proxy owns it, to see a worker leave.
  const backendEvents = backend.events[Symbol.asyncIterator]();
  const proxy = new zmq.Proxy(frontend, backend);
  const running = proxy.run();
  const workers: zmq.Reply[] = [];
  const clients = [0, 1, 2].map(() => new zmq.Request({ linger: 0 }));
  try {
    const startWorker = (name: string) => {
      const worker = new zmq.Reply({ linger: 0 });
      worker.connect(back);
      workers.push(worker);
      (async () => {
        for await (const [request] of worker) await worker.send([name, request]);
      })();
      return worker;
    };
    startWorker("w1");
    for (const client of clients) client.connect(front);
    const answered = new Set<string>();
    for (let round = 0; round < 20; round++) {
      if (round === 5) startWorker("w2");
      if (round === 10) {
        // w1 leaves between requests; once the backend has seen it go, no
        // request can be routed to it, so none is lost.
        workers[0].close();
        for (;;) {
          const next = await withTimeout(backendEvents.next(), 5_000, "w1's disconnect");
          if (next.done || next.value.type === "disconnect") break;
        }
      }
      await Promise.all(clients.map(async (client, c) => {
        await client.send(`r${round}c${c}`);
        const [, body] = texts(await withTimeout(client.receive(), 5_000, "a reply"));
        equal(body, `r${round}c${c}`);
        answered.add(body);
      }));
    }
    equal(answered.size, 60, "every request answered once");
  } finally {
    await proxy.terminate();
    await withTimeout(running, 5_000, "the proxy to end");
    await backendEvents.return?.();
    closeAll(...clients, ...workers, frontend, backend);
  }
});

test("proxy: a forwarder carries subscriptions upstream and messages down", async () => {
  const frontend = new zmq.XSubscriber({ linger: 0 });
  const backend = new zmq.XPublisher({ linger: 0 });
  const publisher = new zmq.Publisher({ linger: 0 });
  const subscriber = new zmq.Subscriber({ linger: 0 });
  const proxy = new zmq.Proxy(frontend, backend);
  try {
    frontend.connect(await bindAny(publisher, "tcp"));
    subscriber.connect(await bindAny(backend, "tcp"));
    const running = proxy.run();
    subscriber.subscribe("news");
    // The subscription travels subscriber -> XPUB -> proxy -> XSUB -> publisher.
    const first = subscriber.receive();
    const timer = setInterval(() => {
      publisher.trySend(["sport", "no"]);
      publisher.trySend(["news", "yes"]);
    }, 10);
    try {
      deepEqual(texts(await withTimeout(first, 5_000, "a forwarded message")), ["news", "yes"]);
    } finally {
      clearInterval(timer);
    }
    await proxy.terminate();
    await running;
  } finally {
    await proxy.terminate();
    closeAll(subscriber, publisher, frontend, backend);
  }
});

test("proxy: pause holds messages, resume delivers them, statistics count them", async () => {
  const frontend = new zmq.Pull({ linger: 0 });
  const backend = new zmq.Push({ linger: 0 });
  const source = new zmq.Push({ linger: 0 });
  const sink = new zmq.Pull({ linger: 0 });
  const proxy = new zmq.Proxy(frontend, backend);
  try {
    source.connect(await bindAny(frontend, "tcp"));
    sink.connect(await bindAny(backend, "tcp"));
    const running = proxy.run();
    await source.send("before");
    deepEqual(texts(await withTimeout(sink.receive(), 5_000, "before")), ["before"]);
    proxy.pause();
    // Give the pause command time to be read before the next message.
    const stats = await proxy.statistics();
    equal(stats.frontend.messagesIn, 1);
    await source.send("during");
    await rejects(
      () => sink.receive({ timeout: 200 }),
      (e: unknown) => (e as zmq.ZmqError).code === "EAGAIN",
    );
    proxy.resume();
    deepEqual(texts(await withTimeout(sink.receive(), 5_000, "during")), ["during"]);
    await proxy.terminate();
    await withTimeout(running, 5_000, "the proxy to end");
    ok(!proxy.running);
    // The sockets are usable again.
    await source.send("after");
    deepEqual(texts(await withTimeout(frontend.receive(), 5_000, "after")), ["after"]);
  } finally {
    await proxy.terminate();
    closeAll(source, sink, frontend, backend);
  }
});

test(
  "proxy: a signal that interrupts the proxy thread neither ends it nor resumes it",
  async () => {
    // libzmq's zmq_proxy_steerable returns on EINTR (a profiler's SIGPROF, a child's SIGCHLD).
    const script = fileURLToPath(new URL("./fixtures/interrupted_proxy.ts", import.meta.url));
    const exit = await runScript(script, { timeout: 30_000 });
    equal(exit.code, 0, describeExit(exit));
    deepEqual(exit.stdout.trim().split("\n"), [
      "forwarded: before",
      "after signals: running, counted 0",
      "while paused: EAGAIN",
      "resumed: during",
      "done",
    ]);
  },
  { timeout: 40_000 },
);

test("proxy: bad input is a clear error", async () => {
  const a = new zmq.Pull({ linger: 0 });
  const b = new zmq.Push({ linger: 0 });
  const closed = new zmq.Push();
  closed.close();
  try {
    throws(() => new zmq.Proxy(a, a), TypeError);
    throws(() => new zmq.Proxy(a, closed), (e: unknown) => (e as zmq.ZmqError).code === "ENOTSOCK");
    throws(() => new zmq.Proxy(a, "nope" as unknown as zmq.Socket), TypeError);
    const proxy = new zmq.Proxy(a, b);
    throws(() => proxy.pause(), (e: unknown) => (e as zmq.ZmqError).code === "EFSM");
    await proxy.terminate(); // before run: nothing to do
    const running = proxy.run();
    throws(() => a.tryReceive(), (e: unknown) => (e as zmq.ZmqError).code === "EBUSY");
    await rejects(() => b.send("x"), (e: unknown) => (e as zmq.ZmqError).code === "EBUSY");
    await rejects(() => proxy.run(), (e: unknown) => (e as zmq.ZmqError).code === "EBUSY");
    // Closing a socket the proxy uses ends the proxy, then closes the socket.
    a.close();
    await withTimeout(running, 5_000, "the proxy to end after a close");
    await proxy.terminate(); // twice is fine
    ok(a.closed);
  } finally {
    closeAll(a, b);
  }
});
