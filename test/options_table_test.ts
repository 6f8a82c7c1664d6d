// The option table (src/options.ts) and the typed properties
// (src/socket_options.ts) describe the same options.
import * as zmq from "../mod.ts";
import { socketOptions } from "../src/options.ts";
import { closeAll, equal, ok, test } from "./harness.ts";

const classes = {
  Pair: zmq.Pair,
  Publisher: zmq.Publisher,
  Subscriber: zmq.Subscriber,
  XPublisher: zmq.XPublisher,
  XSubscriber: zmq.XSubscriber,
  Request: zmq.Request,
  Reply: zmq.Reply,
  Dealer: zmq.Dealer,
  Router: zmq.Router,
  Push: zmq.Push,
  Pull: zmq.Pull,
  Stream: zmq.Stream,
};

test("options table: every option is a property exactly where it applies", () => {
  for (const [name, SocketClass] of Object.entries(classes)) {
    const socket = new SocketClass();
    try {
      for (const option of socketOptions) {
        const applies = option.for === undefined || option.for.includes(name);
        equal(option.name in socket, applies, `${name}.${option.name}`);
      }
    } finally {
      closeAll(socket);
    }
  }
});

test("options table: every readable option reads back with its declared type", () => {
  for (const [name, SocketClass] of Object.entries(classes)) {
    const socket = new SocketClass() as unknown as Record<string, unknown> & zmq.Socket;
    try {
      for (const option of socketOptions) {
        if (option.access === "w") continue;
        if (option.for !== undefined && !option.for.includes(name)) continue;
        if (option.name.startsWith("gssapi") && !zmq.has("gssapi")) continue;
        const value = socket[option.name];
        const expected = {
          int: "number",
          int64: "number",
          uint64: "number",
          bool: "boolean",
          string: "string",
          key: "string",
          bytes: "object",
        }[option.type];
        if (option.name === "lastEndpoint") continue; // null before any bind
        equal(typeof value, expected, `${name}.${option.name}`);
      }
    } finally {
      closeAll(socket);
    }
  }
});

test("options table: ids and zmq.h names are unique", () => {
  const ids = new Set(socketOptions.map((o) => o.id));
  const names = new Set(socketOptions.map((o) => o.zmqName));
  equal(ids.size, socketOptions.length);
  equal(names.size, socketOptions.length);
  ok(socketOptions.length >= 60, `only ${socketOptions.length} options`);
});
