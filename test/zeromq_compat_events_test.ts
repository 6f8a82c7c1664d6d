// The zeromq.js entry point's Observer and Proxy.
// deno-lint-ignore-file no-explicit-any
import * as zmq from "../zeromq.ts";
import {
  deepEqual,
  equal,
  ok,
  rejects,
  test,
  throws,
  uniqueInprocAddress,
  withTimeout,
} from "./harness.ts";

function nextEvent<E extends zmq.EventType>(
  socket: zmq.Socket,
  type: E,
): Promise<zmq.EventOfType<E>> {
  return new Promise((resolve) => socket.events.on(type, resolve));
}

test("zeromq compat events: receive() reads events; the last is end, then EBADF", async () => {
  const sock = new zmq.Dealer();
  const events = sock.events;
  equal(sock.events, events);
  const bound = events.receive();
  throws(
    () => events.receive(),
    (error: any) =>
      error.code === "EBUSY" &&
      error.message ===
        "Observer is busy reading; only one receive operation may be in progress at any time",
  );
  await sock.bind("tcp://127.0.0.1:*");
  deepEqual(await withTimeout(bound, 10000, "bind event"), {
    type: "bind",
    address: sock.lastEndpoint,
  });
  sock.close();
  const seen: string[] = [];
  for await (const event of events) seen.push(event.type);
  equal(seen.at(-1), "end");
  equal(events.closed, true);
  throws(() => events.receive(), (error: any) => error.code === "EBADF");
});

test("zeromq compat events: a socket that only closes sees just end", async () => {
  const sock = new zmq.Dealer();
  const events = sock.events;
  sock.close();
  deepEqual(await withTimeout(events.receive(), 5000, "end"), { type: "end" });
});

test("zeromq compat events: listeners get events; receive() is then refused", async () => {
  const server = new zmq.Dealer();
  const client = new zmq.Dealer();
  try {
    const address = "tcp://127.0.0.1:*";
    const bound = nextEvent(server, "bind");
    const accepted = nextEvent(server, "accept");
    throws(
      () => server.events.receive(),
      /Observer is in event emitter mode. After a call to events.on\(\) it is not possible to read events with events.receive\(\)./,
    );
    await server.bind(address);
    const endpoint = server.lastEndpoint!;
    const connected = nextEvent(client, "connect");
    client.connect(endpoint);
    deepEqual(await withTimeout(bound, 5000, "bind"), { type: "bind", address: endpoint });
    equal((await withTimeout(accepted, 5000, "accept")).type, "accept");
    deepEqual(await withTimeout(connected, 5000, "connect"), {
      type: "connect",
      address: endpoint,
    });
    const ended = nextEvent(server, "end");
    server.close();
    deepEqual(await withTimeout(ended, 5000, "end"), { type: "end" });
  } finally {
    server.close();
    client.close();
  }
});

test("zeromq compat events: a failed bind is a bind:error event with an ErrnoError", async () => {
  const first = new zmq.Dealer();
  const second = new zmq.Dealer();
  try {
    await first.bind("tcp://127.0.0.1:*");
    const failed = nextEvent(second, "bind:error");
    await rejects(second.bind(first.lastEndpoint!), (error: any) => error.code === "EADDRINUSE");
    const event = await withTimeout(failed, 5000, "bind:error");
    ok(event.error instanceof Error);
    equal(event.error.code, "EADDRINUSE");
    equal(event.error.message, "Address already in use");
    equal(`tcp://${event.address}`, first.lastEndpoint);
  } finally {
    first.close();
    second.close();
  }
});

test("zeromq compat events: Observer.close() ends a pending receive with undefined", async () => {
  const sock = new zmq.Dealer();
  const observer = new zmq.Observer(sock);
  const pending = observer.receive();
  observer.close();
  equal(await pending, undefined);
  equal(observer.closed, true);
  sock.close();
});

test("zeromq compat proxy: frontEnd/backEnd; run() and commands refuse what zeromq.js refuses", async () => {
  throws(() => new (zmq.Proxy as any)(), /Front-end must be a socket object/);
  throws(() => new (zmq.Proxy as any)({}, {}), /Invalid argument/);
  const proxy = new zmq.Proxy(new zmq.Router(), new zmq.Dealer());
  try {
    ok(proxy.frontEnd instanceof zmq.Router);
    ok(proxy.backEnd instanceof zmq.Dealer);
    throws(
      () => proxy.run(),
      (error: any) =>
        error.code === "EINVAL" && error.message === "Front-end socket must be bound or connected",
    );
    await proxy.frontEnd.bind(uniqueInprocAddress());
    throws(() => proxy.run(), /Back-end socket must be bound or connected/);
    for (const command of ["pause", "resume", "terminate"] as const) {
      throws(
        () => proxy[command](),
        (error: any) => error.code === "EBADF" && error.message === "Socket is closed",
      );
    }
  } finally {
    proxy.frontEnd.close();
    proxy.backEnd.close();
  }
});

test("zeromq compat proxy: forwards requests, pauses, and closes both sockets when it ends", async () => {
  const proxy = new zmq.Proxy(new zmq.Router(), new zmq.Dealer());
  await proxy.frontEnd.bind("tcp://127.0.0.1:*");
  await proxy.backEnd.bind("tcp://127.0.0.1:*");
  const done = proxy.run();
  const req = new zmq.Request();
  const rep = new zmq.Reply();
  try {
    req.connect(proxy.frontEnd.lastEndpoint!);
    rep.connect(proxy.backEnd.lastEndpoint!);
    throws(() => proxy.frontEnd.receive(), (error: any) => error.code === "EBUSY");
    for (const text of ["foo", "bar"]) {
      await req.send(text);
      const [request] = await withTimeout(rep.receive(), 5000, "request");
      await rep.send(request);
      const [reply] = await withTimeout(req.receive(), 5000, "reply");
      equal(reply.toString(), text);
      proxy.pause();
      proxy.resume();
    }
    proxy.terminate();
    await withTimeout(done, 5000, "the proxy's end");
    equal(proxy.frontEnd.closed, true);
    equal(proxy.backEnd.closed, true);
    throws(() => proxy.terminate(), (error: any) => error.code === "EBADF");
  } finally {
    req.close();
    rep.close();
  }
});
