import * as zmq from "../mod.ts";
import {
  bindAny,
  closeAll,
  deepEqual,
  equal,
  ok,
  rejects,
  test,
  waitUntil,
  withTimeout,
} from "./harness.ts";

/** Collects events until `until` matches one; bounded. */
async function eventsUntil(
  socket: zmq.Socket,
  until: (event: zmq.SocketEvent) => boolean,
  started?: (iterator: AsyncIterator<zmq.SocketEvent>) => void,
): Promise<zmq.SocketEvent[]> {
  const seen: zmq.SocketEvent[] = [];
  const iterator = socket.events[Symbol.asyncIterator]();
  started?.(iterator);
  const collect = async () => {
    for (;;) {
      const next = await iterator.next();
      if (next.done) return seen;
      seen.push(next.value);
      if (until(next.value)) {
        await iterator.return?.();
        return seen;
      }
    }
  };
  return await withTimeout(collect(), 5_000, `an event (saw ${seen.map((e) => e.type)})`);
}

test("events: bind, accept, handshake and disconnect, with addresses", async () => {
  const rep = new zmq.Reply({ linger: 0 });
  const req = new zmq.Request({ linger: 0 });
  try {
    const iterator = rep.events[Symbol.asyncIterator]();
    const seen: zmq.SocketEvent[] = [];
    const collecting = (async () => {
      for (;;) {
        const next = await iterator.next();
        if (next.done) return;
        seen.push(next.value);
        if (next.value.type === "disconnect") return;
      }
    })();
    await rep.bind("tcp://127.0.0.1:*");
    const endpoint = rep.lastEndpoint!;
    req.connect(endpoint);
    await req.send("hi");
    await withTimeout(rep.receive(), 5_000, "request");
    req.close();
    await withTimeout(collecting, 5_000, "disconnect event");
    deepEqual(seen.map((e) => e.type), ["bind", "accept", "handshake", "disconnect"]);
    for (const event of seen) equal(event.address, endpoint);
    ok(typeof seen[0].fd === "number" && seen[0].fd! > 0, "bind carries the listening fd");
    await iterator.return?.();
  } finally {
    closeAll(req, rep);
  }
});

test("events: a connect to nobody reports delay and retry with the interval", async () => {
  const push = new zmq.Push({ linger: 0, reconnectInterval: 50 });
  try {
    // A port that was free a moment ago: nobody listens there.
    const probe = new zmq.Pull({ linger: 0 });
    await probe.bind("tcp://127.0.0.1:*");
    const endpoint = probe.lastEndpoint!;
    probe.close();
    let started = false;
    const events = eventsUntil(push, (e) => e.type === "connect:retry", () => started = true);
    ok(started);
    push.connect(endpoint);
    const seen = await events;
    const retry = seen.find((e) => e.type === "connect:retry")!;
    // libzmq adds up to one interval of random jitter.
    ok(retry.interval! >= 50 && retry.interval! <= 100, `interval ${retry.interval}`);
    ok(seen.some((e) => e.type === "connect:delay"), "no connect:delay");
  } finally {
    closeAll(push);
  }
});

test("events: every iterator sees every event, and all end when the socket closes", async () => {
  const pull = new zmq.Pull({ linger: 0 });
  const first: string[] = [];
  const second: string[] = [];
  const run = async (into: string[]) => {
    for await (const event of pull.events) into.push(event.type);
  };
  const both = Promise.all([run(first), run(second)]);
  await pull.bind("tcp://127.0.0.1:*");
  // Let the bind event reach both before closing.
  await waitUntil(() => first.length > 0 && second.length > 0, 5_000, "the bind event in both");
  pull.close();
  await withTimeout(both, 5_000, "both iterations to end");
  equal(first[0], "bind");
  equal(second[0], "bind");
});

test("events: on a closed socket is a clear error", async () => {
  const pull = new zmq.Pull();
  pull.close();
  await rejects(async () => {
    for await (const _ of pull.events) break;
  }, (error: unknown) => error instanceof zmq.ZmqError && error.code === "ENOTSOCK");
});

test("events: disconnect() on an idle socket takes effect without further calls", async () => {
  const server = new zmq.Pull({ linger: 0 });
  const client = new zmq.Push({ linger: 0 });
  try {
    const endpoint = await bindAny(server, "tcp");
    const seen = eventsUntil(server, (e) => e.type === "disconnect");
    client.connect(endpoint);
    await client.send("hi");
    await withTimeout(server.receive(), 5_000, "the message");
    client.disconnect(endpoint);
    // Nothing touches the client from here on: the library must.
    const events = await seen;
    equal(events.at(-1)!.type, "disconnect");
  } finally {
    closeAll(client, server);
  }
});

test("events: return() ends a next() that is still waiting", async () => {
  const pull = new zmq.Pull({ linger: 0 });
  try {
    const iterator = pull.events[Symbol.asyncIterator]();
    const pending = iterator.next();
    await iterator.return?.();
    const result = await withTimeout(pending, 5_000, "the pending next() to end");
    equal(result.done, true);
  } finally {
    closeAll(pull);
  }
});

test("events: iterators end when the context terminates", async () => {
  const context = new zmq.Context();
  const pull = new zmq.Pull({ context, linger: 0 });
  const iterator = pull.events[Symbol.asyncIterator]();
  const pending = iterator.next();
  await context.terminate();
  const result = await withTimeout(pending, 5_000, "the pending next() to end");
  equal(result.done, true);
});
