// Sockets made with `blocking: true`: their waits block the thread in poll()
// instead of going through the event loop, and still honour every bound.
import * as zmq from "../mod.ts";
import { fileURLToPath } from "node:url";
import {
  bindAny,
  closeAll,
  deepEqual,
  describeExit,
  equal,
  isZmqError,
  noPeerEndpoint,
  ok,
  rejects,
  runScript,
  test,
  texts,
  throws,
  transports,
} from "./harness.ts";

for (const transport of transports) {
  test(`blocking over ${transport}: request/reply round trips`, async () => {
    const rep = new zmq.Reply({ linger: 0 });
    const req = new zmq.Request({ linger: 0, blocking: true });
    try {
      req.connect(await bindAny(rep, transport));
      for (let i = 0; i < 50; i++) {
        await req.send(`ping ${i}`);
        // The server runs on this thread too: answer from the event loop
        // before the blocking receive starts waiting.
        const [request] = await rep.receive();
        await rep.send(["pong", request]);
        deepEqual(texts(await req.receive({ timeout: 5000 })), ["pong", `ping ${i}`]);
      }
    } finally {
      closeAll(req, rep);
    }
  });
}

test("blocking: receiveTimeout and { timeout } bound a wait with no timer to fire", async () => {
  const pull = new zmq.Pull({ linger: 0, blocking: true, receiveTimeout: 100 });
  try {
    await pull.bind("tcp://127.0.0.1:*");
    let started = performance.now();
    await rejects(pull.receive(), isZmqError("EAGAIN"));
    const waited = performance.now() - started;
    ok(waited >= 95, `gave up after ${waited} ms`);
    started = performance.now();
    await rejects(pull.receive({ timeout: 50 }), isZmqError("EAGAIN"));
    ok(performance.now() - started >= 45, "the call's own timeout was not honoured");
    started = performance.now();
    await rejects(pull.receive({ timeout: 250 }), isZmqError("EAGAIN"));
    ok(performance.now() - started >= 245, "a timeout longer than receiveTimeout was cut short");
    // The wait inside libzmq borrows ZMQ_RCVTIMEO for the call's time: the user's value stays.
    equal(pull.receiveTimeout, 100);
    pull.receiveTimeout = 0;
    await rejects(pull.receive(), isZmqError("EAGAIN"));
  } finally {
    closeAll(pull);
  }
});

// After a wait, a blocking socket's next receive lets libzmq's own blocking
// receive look for the message: a receive that may not wait must still look.
test("blocking: after a wait, a receive that may not wait still takes a queued message", async () => {
  const pull = new zmq.Pull({ linger: 0, blocking: true });
  const push = new zmq.Push({ linger: 0 });
  try {
    push.connect(await bindAny(pull, "inproc"));
    await rejects(pull.receive({ timeout: 30 }), isZmqError("EAGAIN"));
    for (const text of ["zero", "aborted", "option"]) await push.send(text);
    deepEqual(texts(await pull.receive({ timeout: 0 })), ["zero"]);
    deepEqual(texts(await pull.receive({ signal: AbortSignal.abort() })), ["aborted"]);
    pull.receiveTimeout = 0;
    deepEqual(texts(await pull.receive()), ["option"]);
    await rejects(pull.receive(), isZmqError("EAGAIN"));
    await rejects(pull.receive({ signal: AbortSignal.abort() }), (e) => e instanceof DOMException);
  } finally {
    closeAll(pull, push);
  }
});

test("blocking: a send waiting for a peer is bounded by sendTimeout", async () => {
  const push = new zmq.Push({ linger: 0, blocking: true, immediate: true, sendTimeout: 80 });
  try {
    push.connect(noPeerEndpoint());
    await rejects(push.send("nobody"), isZmqError("EAGAIN"));
  } finally {
    closeAll(push);
  }
});

test("blocking: the option must be a boolean", () => {
  throws(() => new zmq.Pull({ blocking: 1 as unknown as boolean }), TypeError);
});

// The peer of a blocking socket must run elsewhere (another process here):
// while the socket waits, nothing else on its thread runs.
test("blocking: a client round trips with a server in another process", async () => {
  const script = fileURLToPath(new URL("./fixtures/blocking_client.ts", import.meta.url));
  const rep = new zmq.Reply({ linger: 0 });
  try {
    await rep.bind("tcp://127.0.0.1:*");
    const serving = (async () => {
      for (let i = 0; i < 100; i++) {
        const [request] = await rep.receive({ timeout: 15_000 });
        await rep.send(request);
      }
    })();
    const exit = await runScript(script, { args: [rep.lastEndpoint!, "100"], timeout: 20_000 });
    equal(exit.code, 0, describeExit(exit));
    equal(exit.stdout.trim(), "100 round trips", describeExit(exit));
    await serving;
  } finally {
    closeAll(rep);
  }
});
