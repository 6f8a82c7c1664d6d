import { createConnection, createServer, type Socket } from "node:net";
import * as zmq from "../mod.ts";
import {
  assert,
  bindAny,
  closeAll,
  deepEqual,
  equal,
  ok,
  receiveUntil,
  test,
  text,
  withTimeout,
} from "./harness.ts";

/** Connect a plain TCP client to a "tcp://host:port" endpoint. */
function connectPlain(endpoint: string): Promise<Socket> {
  const match = /^tcp:\/\/([^:]+):(\d+)$/.exec(endpoint);
  if (!match) throw new Error(`not a tcp endpoint: ${endpoint}`);
  return new Promise((resolve, reject) => {
    const client = createConnection(
      { host: match[1], port: Number(match[2]) },
      () => resolve(client),
    );
    client.once("error", reject);
  });
}

/** Resolve with the bytes `client` receives until they reach `length`. */
function readBytes(client: Socket, length: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = [];
    let total = 0;
    const onData = (chunk: Uint8Array) => {
      chunks.push(new Uint8Array(chunk));
      total += chunk.byteLength;
      if (total >= length) {
        client.off("data", onData);
        const all = new Uint8Array(total);
        let offset = 0;
        for (const c of chunks) {
          all.set(c, offset);
          offset += c.byteLength;
        }
        resolve(all);
      }
    };
    client.on("data", onData);
    client.once("error", reject);
  });
}

test("stream: talks to a plain TCP client from node:net", async () => {
  const stream = new zmq.Stream({ linger: 0 });
  let client: Socket | undefined;
  try {
    const endpoint = await bindAny(stream, "tcp");
    client = await connectPlain(endpoint);

    // libzmq announces a new connection with an empty frame.
    const hello = await withTimeout(stream.receive(), 5_000, "connect");
    equal(hello.length, 2, "a Stream message is [id, data]");
    const id = hello[0];
    ok(id.byteLength > 0, "empty connection id");
    equal(hello[1].byteLength, 0, "the connect notification is empty");

    client.write("hello stream");
    let received = "";
    while (received.length < "hello stream".length) {
      const [from, data] = await withTimeout(stream.receive(), 5_000, "data");
      deepEqual(Array.from(from), Array.from(id), "id of the connection");
      received += text(data);
    }
    equal(received, "hello stream");

    const reply = new Uint8Array([0, 1, 2, 250, 255, 10, 13]);
    const reading = readBytes(client, reply.byteLength);
    await stream.send([id, reply]);
    deepEqual(
      Array.from(await withTimeout(reading, 5_000, "reply")),
      Array.from(reply),
    );

    // An empty frame to the id closes the connection.
    const ended = new Promise<void>((resolve) => client!.once("end", resolve));
    client.resume();
    await stream.send([id, new Uint8Array(0)]);
    // libzmq acts on the close when the socket next processes its commands,
    // as it does for a server that keeps a receive pending.
    const serving = stream.receive({ timeout: 5_000 }).catch(() => null);
    await withTimeout(ended, 5_000, "the client to see the connection end");
    await serving;
  } finally {
    client?.destroy();
    closeAll(stream);
  }
});

test("stream: the client closing shows up as an empty frame", async () => {
  const stream = new zmq.Stream({ linger: 0 });
  try {
    const endpoint = await bindAny(stream, "tcp");
    const client = await connectPlain(endpoint);
    const [id] = await withTimeout(stream.receive(), 5_000, "connect");
    client.end("bye");
    const idKey = Array.from(id).join(",");
    let data = "";
    const closed = await receiveUntil(stream, (frames) => {
      assert(frames.length === 2);
      equal(Array.from(frames[0]).join(","), idKey);
      data += text(frames[1]);
      return frames[1].byteLength === 0;
    }, 5_000);
    equal(closed[1].byteLength, 0);
    equal(data, "bye");
  } finally {
    closeAll(stream);
  }
});

test("stream: connects out to a plain TCP server", async () => {
  const received: Uint8Array[] = [];
  const server = createServer((socket) => {
    socket.on("data", (chunk) => {
      received.push(new Uint8Array(chunk));
      socket.write("echo:" + new TextDecoder().decode(chunk));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const stream = new zmq.Stream({ linger: 0 });
  try {
    if (address === null || typeof address === "string") {
      throw new Error("the server has no port");
    }
    stream.connect(`tcp://127.0.0.1:${address.port}`);
    const [id, empty] = await withTimeout(stream.receive(), 5_000, "connect");
    equal(empty.byteLength, 0);
    await stream.send([id, "ping"]);
    let echoed = "";
    while (echoed.length < "echo:ping".length) {
      const [from, data] = await withTimeout(stream.receive(), 5_000, "echo");
      deepEqual(Array.from(from), Array.from(id));
      echoed += text(data);
    }
    equal(echoed, "echo:ping");
  } finally {
    closeAll(stream);
    server.close();
  }
});
