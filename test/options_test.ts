import * as zmq from "../mod.ts";
import {
  assert,
  bindAny,
  closeAll,
  deepEqual,
  equal,
  test,
  throws,
  uniqueIpcAddress,
  withTimeout,
} from "./harness.ts";

/** A routing id read back as text, whatever form the library returns. */
function idText(value: unknown): string {
  if (typeof value === "string") return value;
  if (value instanceof Uint8Array) return new TextDecoder().decode(value);
  throw new Error(`unexpected routing id value: ${String(value)}`);
}

test("options: int properties round-trip", () => {
  const push = new zmq.Push();
  try {
    push.linger = 0;
    equal(push.linger, 0);
    push.linger = 1234;
    equal(push.linger, 1234);
    push.linger = -1;
    equal(push.linger, -1);

    equal(push.sendHighWaterMark, 1000, "libzmq's default");
    push.sendHighWaterMark = 17;
    equal(push.sendHighWaterMark, 17);
    push.receiveHighWaterMark = 23;
    equal(push.receiveHighWaterMark, 23);
    push.reconnectInterval = 250;
    equal(push.reconnectInterval, 250);
  } finally {
    push.linger = 0;
    closeAll(push);
  }
});

test("options: boolean properties round-trip", () => {
  const push = new zmq.Push({ linger: 0 });
  try {
    equal(push.immediate, false, "libzmq's default");
    push.immediate = true;
    equal(push.immediate, true);
    push.immediate = false;
    equal(push.immediate, false);
  } finally {
    closeAll(push);
  }
});

test("options: int64 and uint64 properties keep values beyond 32 bits", () => {
  const pull = new zmq.Pull({ linger: 0 });
  try {
    equal(Number(pull.maxMessageSize), -1, "libzmq's default");
    pull.maxMessageSize = 1_048_576;
    equal(Number(pull.maxMessageSize), 1_048_576);
    pull.maxMessageSize = 5_000_000_000;
    equal(Number(pull.maxMessageSize), 5_000_000_000);
    pull.affinity = 3;
    equal(Number(pull.affinity), 3);
    pull.affinity = 2 ** 40 + 1;
    equal(Number(pull.affinity), 2 ** 40 + 1);
  } finally {
    closeAll(pull);
  }
});

test("options: routingId round-trips", () => {
  const dealer = new zmq.Dealer({ linger: 0 });
  try {
    dealer.routingId = "worker-7";
    equal(idText(dealer.routingId), "worker-7");
  } finally {
    closeAll(dealer);
  }
});

test("options: a string option round-trips", () => {
  const rep = new zmq.Reply({ linger: 0 });
  try {
    rep.zapDomain = "global ✓";
    equal(rep.zapDomain, "global ✓");
  } finally {
    closeAll(rep);
  }
});

test("options: constructor options are applied", () => {
  const push = new zmq.Push({
    sendHighWaterMark: 10,
    linger: 0,
    immediate: true,
    reconnectInterval: 321,
  });
  const dealer = new zmq.Dealer({ routingId: "from-ctor", linger: 0 });
  try {
    equal(push.sendHighWaterMark, 10);
    equal(push.linger, 0);
    equal(push.immediate, true);
    equal(push.reconnectInterval, 321);
    equal(push.getOption("ZMQ_SNDHWM"), 10);
    equal(idText(dealer.routingId), "from-ctor");
  } finally {
    closeAll(push, dealer);
  }
});

test("options: getOption and setOption by zmq.h name", () => {
  const push = new zmq.Push();
  try {
    push.setOption("ZMQ_LINGER", 0);
    equal(push.getOption("ZMQ_LINGER"), 0);
    equal(push.linger, 0, "setOption is seen by the property");
    push.linger = 77;
    equal(push.getOption("ZMQ_LINGER"), 77, "the property by getOption");
    push.setOption("ZMQ_SNDHWM", 42);
    equal(push.sendHighWaterMark, 42);
    equal(push.getOption("ZMQ_TYPE"), 8, "ZMQ_PUSH is 8 in zmq.h");
  } finally {
    push.linger = 0;
    closeAll(push);
  }
});

test("options: ZMQ_TYPE reports each socket's type", () => {
  const expected: [string, () => zmq.Socket, number][] = [
    ["Pair", () => new zmq.Pair(), 0],
    ["Publisher", () => new zmq.Publisher(), 1],
    ["Subscriber", () => new zmq.Subscriber(), 2],
    ["Request", () => new zmq.Request(), 3],
    ["Reply", () => new zmq.Reply(), 4],
    ["Dealer", () => new zmq.Dealer(), 5],
    ["Router", () => new zmq.Router(), 6],
    ["Pull", () => new zmq.Pull(), 7],
    ["Push", () => new zmq.Push(), 8],
    ["XPublisher", () => new zmq.XPublisher(), 9],
    ["XSubscriber", () => new zmq.XSubscriber(), 10],
    ["Stream", () => new zmq.Stream(), 11],
  ];
  for (const [name, make, type] of expected) {
    const socket = make();
    try {
      assert(socket instanceof zmq.Socket, `${name} is not a Socket`);
      equal(socket.getOption("ZMQ_TYPE"), type, name);
    } finally {
      closeAll(socket);
    }
  }
});

test("options: an unknown option name is an error", () => {
  const push = new zmq.Push({ linger: 0 });
  try {
    const isClear = (error: unknown) => {
      assert(
        error instanceof zmq.ZmqError || error instanceof TypeError,
        `expected ZmqError or TypeError, got ${error}`,
      );
      assert(
        (error as Error).message.includes("ZMQ_NO_SUCH_OPTION"),
        `the message should name the option: ${(error as Error).message}`,
      );
      return true;
    };
    throws(() => push.getOption("ZMQ_NO_SUCH_OPTION"), isClear);
    throws(() => push.setOption("ZMQ_NO_SUCH_OPTION", 1), isClear);
  } finally {
    closeAll(push);
  }
});

test("options: a value of the wrong type is a TypeError", () => {
  const push = new zmq.Push({ linger: 0 });
  try {
    throws(() => {
      push.linger = "soon" as unknown as number;
    }, TypeError);
    throws(() => push.setOption("ZMQ_LINGER", "soon"), TypeError);
    throws(() => {
      push.immediate = "yes" as unknown as boolean;
    }, TypeError);
    throws(
      () => new zmq.Push({ sendHighWaterMark: "ten" as unknown as number }),
      TypeError,
    );
    equal(push.linger, 0, "a refused value changes nothing");
  } finally {
    closeAll(push);
  }
});

test("options: properties exist only on the types they apply to", () => {
  const router = new zmq.Router({ linger: 0 });
  const push = new zmq.Push({ linger: 0 });
  const sub = new zmq.Subscriber({ linger: 0 });
  try {
    equal("mandatory" in router, true, "Router has mandatory");
    equal("mandatory" in push, false, "Push has no mandatory");
    equal(typeof sub.subscribe, "function");
    equal("subscribe" in push, false, "Push has no subscribe");
  } finally {
    closeAll(router, push, sub);
  }
});

test("options: lastEndpoint reports the bound endpoint", async () => {
  const pull = new zmq.Pull({ linger: 0 });
  const pull2 = new zmq.Pull({ linger: 0 });
  try {
    const ipc = uniqueIpcAddress();
    await pull.bind(ipc);
    equal(pull.lastEndpoint, ipc);
    const tcp = await bindAny(pull2, "tcp");
    const port = Number(tcp.split(":").pop());
    assert(port > 0 && port < 65536, `bad port in ${tcp}`);
  } finally {
    closeAll(pull, pull2);
  }
});

test("options: maxMessageSize makes a Pull refuse bigger messages", async () => {
  const pull = new zmq.Pull({ linger: 0, maxMessageSize: 100 });
  const push = new zmq.Push({ linger: 0 });
  try {
    push.connect(await bindAny(pull, "tcp"));
    await push.send(new Uint8Array(1000));
    const small = new zmq.Push({ linger: 0 });
    try {
      small.connect(pull.lastEndpoint as string);
      await small.send("small");
      const got = await withTimeout(pull.receive(), 5_000, "small message");
      deepEqual(got.map((f) => f.byteLength), [5]);
    } finally {
      closeAll(small);
    }
  } finally {
    closeAll(push, pull);
  }
});
