/**
 * The fuzzer's operations on the zeromq.js entry points: zeromq.ts (v6:
 * socket classes with random option objects, option properties, bind and
 * connect, send and receive with zeromq.js's EBUSY for a second concurrent
 * one, async iteration, close while pending, the events Observer, Proxy,
 * Context options, the protected get/set{Bool,Int32,...}Option accessors by
 * number) and zeromq_v5_compat.ts (v5: socket(type), bindSync, send with
 * callbacks, on("message"), monitor, setsockopt, proxy, close).
 * scripts/fuzz/fuzz.ts mixes them with the main API's operations and judges
 * what they throw as zeromq.js's errors (`compat`: an Error with `code` and
 * `errno`, a TypeError or RangeError, or one of zeromq.js's own plain
 * Errors: {@link compatPlainErrors}).
 *
 * @module
 */
import { Buffer } from "node:buffer";
import * as zmq from "../../zeromq.ts";
import * as zmq5 from "../../zeromq_v5_compat.ts";
import { compatSocketOptions } from "../../src/zeromq/socket_options.ts";
import type { FuzzKit, Operation, Surface } from "./surface.ts";

/**
 * The plain Errors (no `code`) zeromq.js words itself and this library
 * keeps: the v5 API's refusals and the Observer in event emitter mode.
 */
export const compatPlainErrors: readonly RegExp[] = [
  /^Invalid socket type: /,
  /^Unknown option$/,
  /^ZMQ_\w+ is not supported in compatibility mode$/,
  /^Reading ZMQ_XPUB_VERBOSE is not supported$/,
  /^Subscriber socket required$/,
  /^Cannot send on this socket type\.$/,
  /^read\(\) has been removed from compatibility mode/,
  /^Context cannot be instantiated in compatibility mode$/,
  /^This socket type order is not supported in compatibility mode$/,
  /^Observer is in event emitter mode\./,
];

type CompatSocket = zmq.SocketClass & Record<string, unknown>;
type Ctor = new (options?: unknown) => CompatSocket;

const classes: [string, Ctor, { sends: boolean; receives: boolean }][] = [
  ["Pair", zmq.Pair, { sends: true, receives: true }],
  ["Publisher", zmq.Publisher, { sends: true, receives: false }],
  ["Subscriber", zmq.Subscriber, { sends: false, receives: true }],
  ["Request", zmq.Request, { sends: true, receives: true }],
  ["Reply", zmq.Reply, { sends: true, receives: true }],
  ["Dealer", zmq.Dealer, { sends: true, receives: true }],
  ["Router", zmq.Router, { sends: true, receives: true }],
  ["Pull", zmq.Pull, { sends: false, receives: true }],
  ["Push", zmq.Push, { sends: true, receives: false }],
  ["XPublisher", zmq.XPublisher, { sends: true, receives: true }],
  ["XSubscriber", zmq.XSubscriber, { sends: true, receives: true }],
  ["Stream", zmq.Stream, { sends: true, receives: true }],
] as unknown as [string, Ctor, { sends: boolean; receives: boolean }][];

const v5Types = [
  "pair",
  "req",
  "rep",
  "pub",
  "sub",
  "dealer",
  "xreq",
  "router",
  "xrep",
  "pull",
  "push",
  "xpub",
  "xsub",
  "stream",
];

const eventTypes = [
  "accept",
  "accept:error",
  "bind",
  "bind:error",
  "connect",
  "connect:delay",
  "connect:retry",
  "close",
  "close:error",
  "disconnect",
  "end",
  "handshake",
  "handshake:error:protocol",
  "handshake:error:auth",
  "handshake:error:other",
  "unknown",
];

const accessorTypes = ["Bool", "Int32", "Uint32", "Int64", "Uint64", "String"] as const;

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The compat operations, over `kit`. */
export function compatOperations(kit: FuzzKit): Surface {
  const { int, chance, pick, log } = kit;
  // Every call here is judged as zeromq.js's errors.
  const attempt = <T>(where: string, fn: () => T) => kit.attempt(`compat ${where}`, fn, true);
  const attemptAsync = <T>(where: string, fn: () => Promise<T>) =>
    kit.attemptAsync(`compat ${where}`, fn, true);
  const judge = (error: unknown, where: string) => kit.judge(error, `compat ${where}`, true);

  /** Starts `fn`; waits a moment for it, then leaves it pending (it must settle by the end). */
  async function briefly(where: string, fn: () => Promise<unknown>, wait: number): Promise<void> {
    log(`  compat ${where}`);
    let promise: Promise<unknown>;
    try {
      promise = fn();
    } catch (error) {
      judge(error, `${where} (thrown synchronously)`);
      return;
    }
    const settled = promise.then(() => {}, (error) => judge(error, where));
    kit.expectSettled(`compat ${where}`, settled);
    if (wait > 0) await Promise.race([settled, delay(wait)]);
  }

  // ------------------------------------------------------------ pools

  const sockets: { socket: CompatSocket; kind: string }[] = [];
  const allSockets: CompatSocket[] = []; // every one made, closed at the end
  const contexts: zmq.ContextClass[] = [];
  const proxies: zmq.ProxyClass[] = [];
  const observers: zmq.ObserverClass[] = [];
  const v5Sockets: zmq5.Socket[] = [];

  function someEntry(): { socket: CompatSocket; kind: string } | undefined {
    if (sockets.length === 0) return undefined;
    const entry = pick(sockets);
    log(`  [compat ${entry.kind}]`);
    return entry;
  }

  function someContext(): unknown {
    switch (int(8)) {
      case 0:
        return zmq.context;
      case 1:
        return pick([null, 5, "ctx", {}, kit.someContext()]);
      default:
        return contexts.length > 0 ? pick(contexts) : zmq.context;
    }
  }

  function optionValue(option: (typeof compatSocketOptions)[number]): unknown {
    if (chance(0.3)) {
      const value = pick(kit.wrongValues);
      // An unbounded linger would make the end of the run wait by design.
      if (option.name === "linger" && typeof value === "number") return 0;
      return value;
    }
    if (option.values !== undefined && chance(0.8)) return pick([...option.values, "nope"]);
    switch (option.type) {
      case "Bool":
        return pick([true, false]);
      case "Int32":
      case "Uint32":
        if (option.name === "linger") return pick([0, 1, 10, -2, 1.5]);
        return pick([0, 1, 2, 10, 100, 1000, -1, -2, 2 ** 31 - 1, -(2 ** 31), int(100000)]);
      case "Int64":
      case "Uint64":
        return pick([0, 1, -1, 1024, 2 ** 40, Number.MAX_SAFE_INTEGER, 2 ** 64, Infinity]);
      case "String":
        return pick<unknown>([
          null,
          "",
          "a",
          "domain",
          "127.0.0.1:1080",
          "é🚀",
          "\0",
          "s".repeat(300),
          "lo",
          zmq.curveKeyPair().publicKey,
          Buffer.from("id"),
          new Uint8Array(256),
        ]);
    }
  }

  function options(): unknown {
    switch (int(12)) {
      case 0:
        return undefined;
      case 1:
        return {};
      case 2:
        return pick([null, 42, "options", true, [], () => {}]);
      case 3:
        return { context: someContext(), linger: 0 };
      case 4:
        return { nonsense: 1, linger: 0 };
      case 5:
        return { linger: 0, type: 3 }; // read-only
      case 6:
        return {
          linger: 0,
          get receiveTimeout(): number {
            throw kit.userError("hostile option getter");
          },
        };
      case 7:
        return Object.create({ linger: 5 }); // inherited: not an own property
      default: {
        const settings: Record<string, unknown> = { context: someContext(), linger: 0 };
        for (let i = int(4); i > 0; i--) {
          const option = pick(compatSocketOptions);
          settings[option.name] = optionValue(option);
        }
        return settings;
      }
    }
  }

  function message(): unknown {
    switch (int(6)) {
      case 0:
        return null;
      case 1:
        return pick<unknown>([42, true, { a: 1 }, Buffer.from("buffer"), [null, 1, "x"]]);
      default:
        return kit.messageValue();
    }
  }

  function address(): unknown {
    return kit.endpoint();
  }

  // ------------------------------------------------------------ sockets

  const create: Operation = ["compat-create", 6, () => {
    if (sockets.length >= 10) return;
    let socket: CompatSocket | undefined;
    let kind: string;
    if (chance(0.15)) {
      const type = pick<unknown>([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, -1, 99, "0", 1.5]);
      kind = `Socket(${String(type)})`;
      const Socket = zmq.Socket as unknown as new (t: unknown, o?: unknown) => CompatSocket;
      socket = attempt(`new Socket(${String(type)})`, () => new Socket(type, options()));
    } else if (chance(0.03)) {
      const [name, Class] = pick(classes);
      kind = name;
      attempt(`${name}() without new`, () => (Class as unknown as () => unknown)());
      return;
    } else {
      const [name, Class] = pick(classes);
      kind = name;
      socket = attempt(`new ${name}`, () => new Class(options()));
    }
    if (socket === undefined) return;
    kit.nameNew(socket, `compat ${kind}`);
    sockets.push({ socket, kind });
    allSockets.push(socket);
    // Most sockets must not linger past the run.
    if (chance(0.9)) attempt("linger = 0", () => void (socket.linger = 0));
  }];

  const close: Operation = ["compat-close", 3, () => {
    const entry = someEntry();
    if (entry === undefined) return;
    attempt("close", () => entry.socket.close());
    if (chance(0.3)) attempt("close (again)", () => entry.socket.close());
    attempt("closed", () => entry.socket.closed);
    if (chance(0.7)) sockets.splice(sockets.indexOf(entry), 1);
  }];

  const bind: Operation = ["compat-bind", 5, async () => {
    const entry = someEntry();
    if (entry === undefined) return;
    const { socket } = entry;
    const where = address();
    switch (int(5)) {
      case 0:
        attempt(`bindSync ${String(where)}`, () => socket.bindSync(where as string));
        break;
      case 1: {
        // Blocked until the bind settles: other calls are EBUSY, close waits.
        await briefly(`bind ${String(where)} (not awaited)`, () => socket.bind(where as string), 0);
        switch (int(4)) {
          case 0:
            attempt("connect while binding", () => socket.connect(address() as string));
            break;
          case 1:
            await briefly(
              "send while binding",
              () => (socket.send as (m: unknown) => Promise<void>).call(socket, message()),
              0,
            );
            break;
          case 2:
            attempt("close while binding", () => socket.close());
            break;
          default:
            await briefly("bind while binding", () => socket.bind(address() as string), 2);
        }
        break;
      }
      default:
        await attemptAsync(`bind ${String(where)}`, () => socket.bind(where as string));
    }
    const last = attempt("lastEndpoint", () => socket.lastEndpoint);
    if (typeof last === "string") kit.addEndpoint(last);
  }];

  const unbind: Operation = ["compat-unbind", 2, async () => {
    const entry = someEntry();
    if (entry === undefined) return;
    const { socket } = entry;
    const where = chance(0.6)
      ? attempt("lastEndpoint", () => socket.lastEndpoint) ?? address()
      : address();
    if (chance(0.4)) {
      attempt(`unbindSync ${String(where)}`, () => socket.unbindSync(where as string));
    } else {
      await attemptAsync(`unbind ${String(where)}`, () => socket.unbind(where as string));
    }
  }];

  const connect: Operation = ["compat-connect", 5, () => {
    const entry = someEntry();
    if (entry === undefined) return;
    const { socket } = entry;
    const where = address();
    if (chance(0.2)) {
      // Router and Stream take { routingId }; the others refuse a second argument.
      // One routing id twice aborts libzmq (src/router.cpp:463, reported):
      // only --include-known gives the same one again.
      const routingId = kit.includeKnown ? "peer" : kit.freshRoutingId();
      const extra = pick<unknown>([{ routingId }, { routingId: "" }, {}, null, 5]);
      const connect = socket.connect as (a: unknown, o: unknown) => void;
      attempt(
        `connect ${String(where)} with ${JSON.stringify(extra)}`,
        () => connect.call(socket, where, extra),
      );
    } else {
      attempt(`connect ${String(where)}`, () => socket.connect(where as string));
    }
  }];

  const disconnect: Operation = ["compat-disconnect", 2, () => {
    const entry = someEntry();
    if (entry === undefined) return;
    const where = address();
    attempt(`disconnect ${String(where)}`, () => entry.socket.disconnect(where as string));
  }];

  const send: Operation = ["compat-send", 7, async () => {
    const entry = someEntry();
    if (entry === undefined) return;
    const { socket } = entry;
    const value = message();
    const sendFn = socket.send as (...a: unknown[]) => Promise<void>;
    if (chance(0.05)) {
      await briefly("send with 2 arguments", () => sendFn.call(socket, value, {}), 5);
      return;
    }
    if (chance(0.05)) {
      await briefly("send()", () => sendFn.call(socket), 5);
      return;
    }
    await briefly(`send on ${entry.kind}`, () => sendFn.call(socket, value), int(10));
  }];

  const receive: Operation = ["compat-receive", 6, async () => {
    const entry = someEntry();
    if (entry === undefined) return;
    const { socket } = entry;
    const receiveFn = socket.receive as () => Promise<unknown>;
    log(`  compat receive on ${entry.kind}`);
    let promise: Promise<unknown>;
    try {
      promise = receiveFn.call(socket);
    } catch (error) {
      judge(error, "receive (thrown synchronously)");
      return;
    }
    const settled = promise.then(
      (frames) => checkFrames(frames, "receive"),
      (error) => judge(error, "receive"),
    );
    kit.expectSettled("compat receive", settled);
    await Promise.race([settled, delay(int(10))]);
  }];

  function checkFrames(frames: unknown, where: string): void {
    if (!Array.isArray(frames) || frames.some((frame) => !Buffer.isBuffer(frame))) {
      kit.violation(`compat ${where}: resolved with something else than Buffer frames`);
    }
  }

  // zeromq.js allows one send and one receive at a time: a second one while
  // the first is pending is EBUSY, thrown at once.
  const concurrent: Operation = ["compat-concurrent", 3, async () => {
    const entry = someEntry();
    if (entry === undefined) return;
    const { socket, kind } = entry;
    const capabilities = classes.find(([name]) => name === kind)?.[2];
    const sending = chance(0.5);
    const value = message() ?? "x"; // the same for both (undefined is a TypeError first)
    const call = sending
      ? () => (socket.send as (m: unknown) => Promise<unknown>).call(socket, value)
      : () => (socket.receive as () => Promise<unknown>).call(socket);
    const what = sending ? "send" : "receive";
    log(`  compat two concurrent ${what}s on ${kind}`);
    let first: Promise<unknown>;
    try {
      first = call();
    } catch (error) {
      judge(error, `first ${what} (thrown synchronously)`);
      return;
    }
    const firstSettled = first.then(() => {}, (error) => judge(error, `first ${what}`));
    kit.expectSettled(`compat first ${what}`, firstSettled);
    let second: Promise<unknown> | undefined;
    let secondError: unknown;
    try {
      second = call();
    } catch (error) {
      secondError = error;
    }
    if (second !== undefined) {
      kit.expectSettled(
        `compat second ${what}`,
        second.then(() => {}, (error) => judge(error, `second ${what}`)),
      );
    }
    // Sockets of a kind that can send (receive) must refuse the second at once.
    const able = capabilities !== undefined &&
      (sending ? capabilities.sends : capabilities.receives);
    if (able && (secondError as { code?: unknown } | undefined)?.code !== "EBUSY") {
      // Unless the first one was settled at once (an empty message, ENOTSUP).
      const settledAtOnce = await Promise.race([
        first.then(() => true, () => true),
        delay(0).then(() => false),
      ]);
      if (!settledAtOnce) {
        kit.violation(
          `compat a second concurrent ${what} on ${kind} was not EBUSY: ${
            secondError === undefined ? "accepted" : String(secondError)
          }`,
        );
      }
    }
    if (secondError !== undefined) judge(secondError, `second ${what}`);
    await Promise.race([firstSettled, delay(int(5))]);
  }];

  const iterate: Operation = ["compat-iterate", 2, async () => {
    const entry = someEntry();
    if (entry === undefined) return;
    const iterator = attempt(
      "[Symbol.asyncIterator]()",
      () => (entry.socket as unknown as AsyncIterable<unknown>)[Symbol.asyncIterator](),
    );
    if (iterator === undefined) return;
    for (let i = 1 + int(2); i > 0; i--) {
      log("  compat iterator next");
      let next: Promise<IteratorResult<unknown>>;
      try {
        next = iterator.next();
      } catch (error) {
        judge(error, "iterator next (thrown synchronously)");
        return;
      }
      const settled = next.then((result) => {
        if (!result.done) checkFrames(result.value, "iterator next");
      }, (error) => judge(error, "iterator next"));
      kit.expectSettled("compat iterator next", settled);
      await Promise.race([settled, delay(int(5))]);
    }
  }];

  // ------------------------------------------------------------ options

  const property: Operation = ["compat-property", 8, () => {
    const entry = someEntry();
    if (entry === undefined) return;
    const { socket } = entry;
    const option = pick(compatSocketOptions);
    switch (int(8)) {
      case 0:
      case 1:
      case 2: {
        const value = optionValue(option);
        attempt(`set ${option.name} = ${String(value).slice(0, 30)}`, () => {
          socket[option.name] = value;
        });
        break;
      }
      case 3:
      case 4:
        attempt(`get ${option.name}`, () => socket[option.name]);
        break;
      case 5:
        attempt("set unknown property", () => {
          socket[pick(["nope", "LINGER", "__proto__x", "0"])] = 1;
        });
        break;
      case 6:
        attempt("defineProperty", () => Object.defineProperty(socket, "extra", { value: 1 }));
        break;
      default:
        for (const name of ["type", "lastEndpoint", "securityMechanism", "threadSafe", "context"]) {
          attempt(`get ${name}`, () => socket[name]);
        }
        attempt("readable", () => socket.readable);
        attempt("writable", () => socket.writable);
        if (chance(0.3)) {
          attempt("set type", () => void ((socket as Record<string, unknown>).type = 1));
        }
        if (chance(0.3)) {
          const value = pick<unknown>(["allSubs", "allSubsUnsubs", null, "nope", 5]);
          attempt("set verbosity", () => void (socket.verbosity = value));
        }
    }
  }];

  function optionId(): unknown {
    switch (int(6)) {
      case 0:
        return pick<unknown>([-1, 0, 1000, 2 ** 31, NaN, 1.5, "17", null]);
      case 1:
        return int(110);
      default:
        return pick(compatSocketOptions).id;
    }
  }

  function rawValue(type: (typeof accessorTypes)[number]): unknown {
    if (chance(0.25)) return pick(kit.wrongValues);
    switch (type) {
      case "Bool":
        return chance(0.5);
      case "String":
        return pick<unknown>([null, "", "x", "é🚀", "s".repeat(300), Buffer.from([0, 1, 2])]);
      default:
        return pick([0, 1, -1, 100, 2 ** 31, 2 ** 53, -(2 ** 53), 1.5, NaN, Infinity]);
    }
  }

  const rawOption: Operation = ["compat-rawOption", 4, () => {
    const entry = someEntry();
    if (entry === undefined) return;
    const { socket } = entry;
    const type = pick(accessorTypes);
    const id = optionId();
    if (chance(0.5)) {
      const getter = socket[`get${type}Option`] as (...a: unknown[]) => unknown;
      const args = chance(0.05) ? [id, 1] : [id];
      attempt(`get${type}Option(${String(id)})`, () => getter.apply(socket, args));
    } else {
      // linger stays bounded (the end of the run would wait for it).
      if (id === 17) return;
      // ZMQ_CONNECT_ROUTING_ID: one given twice aborts libzmq (reported).
      if (id === 61 && !kit.includeKnown) {
        const setter = socket["setStringOption"] as (id: number, value: unknown) => void;
        const fresh = kit.freshRoutingId();
        attempt(`setStringOption(61, ${fresh})`, () => setter.call(socket, 61, fresh));
        return;
      }
      const value = rawValue(type);
      const setter = socket[`set${type}Option`] as (...a: unknown[]) => void;
      const args = chance(0.05) ? [id, value, 1] : [id, value];
      attempt(
        `set${type}Option(${String(id)}, ${String(value).slice(0, 30)})`,
        () => setter.apply(socket, args),
      );
    }
  }];

  const subscribe: Operation = ["compat-subscribe", 2, () => {
    const subscribers = sockets.filter(({ socket }) => socket instanceof zmq.Subscriber);
    if (subscribers.length === 0) return;
    const { socket } = pick(subscribers);
    const prefixes = Array.from(
      { length: int(3) },
      () => pick<unknown>(["", "topic", Buffer.from([1, 2]), 5, null, "x".repeat(300)]),
    );
    const method = chance(0.6) ? "subscribe" : "unsubscribe";
    const fn = socket[method] as (...p: unknown[]) => void;
    attempt(method, () => fn.apply(socket, prefixes));
  }];

  // ------------------------------------------------------------ events

  function checkEvent(event: unknown, where: string, observer?: zmq.ObserverClass): void {
    // As in zeromq.js, closing an Observer resolves its pending receive with
    // undefined (and its iterator yields that undefined).
    if (event === undefined && observer?.closed === true) return;
    const { type, address, error } = (event ?? {}) as {
      type?: unknown;
      address?: unknown;
      error?: unknown;
    };
    if (typeof type !== "string" || !eventTypes.includes(type)) {
      return kit.violation(`compat ${where}: an event ${JSON.stringify(event)}`);
    }
    if (address !== undefined && typeof address !== "string") {
      return kit.violation(`compat ${where}: an address ${String(address)}`);
    }
    if (type.endsWith("error") || type.startsWith("handshake:error")) {
      if (!(error instanceof Error)) {
        return kit.violation(`compat ${where}: ${type} without an Error`);
      }
    }
  }

  const events: Operation = ["compat-events", 4, async () => {
    if (observers.length === 0 || chance(0.4)) {
      const entry = someEntry();
      let observer: zmq.ObserverClass | undefined;
      if (entry !== undefined && chance(0.7)) {
        observer = attempt("events", () => entry.socket.events);
      } else {
        // A second Observer of one socket, or one of something else.
        const target = pick<unknown>([
          entry?.socket,
          null,
          {},
          kit.someSocket(),
          5,
        ]);
        const Observer = zmq.Observer as unknown as new (s: unknown) => zmq.ObserverClass;
        observer = attempt("new Observer", () => new Observer(target));
      }
      if (observer !== undefined && !observers.includes(observer)) {
        observers.push(observer);
        if (observers.length > 8) observers.shift();
      }
      return;
    }
    const observer = pick(observers);
    switch (int(6)) {
      case 0: {
        const type = pick(eventTypes);
        attempt(
          `events.on(${type})`,
          () => observer.on(type as zmq.EventType, (event) => checkEvent(event, `event ${type}`)),
        );
        break;
      }
      case 1:
      case 2:
        log("  compat events.receive");
        try {
          const received = observer.receive();
          const settled = received.then(
            (event) => checkEvent(event, "events.receive", observer),
            (error) => judge(error, "events.receive"),
          );
          kit.expectSettled("compat events.receive", settled);
          await Promise.race([settled, delay(int(10))]);
        } catch (error) {
          judge(error, "events.receive (thrown synchronously)");
        }
        break;
      case 3: {
        const iterator = attempt("events iterator", () => observer[Symbol.asyncIterator]());
        if (iterator === undefined) break;
        log("  compat events iterator next");
        try {
          const settled = iterator.next().then(
            (result) => void (result.done || checkEvent(result.value, "events next", observer)),
            (error) => judge(error, "events next"),
          );
          kit.expectSettled("compat events next", settled);
          await Promise.race([settled, delay(int(10))]);
        } catch (error) {
          judge(error, "events next (thrown synchronously)");
        }
        break;
      }
      case 4:
        attempt("events.close", () => observer.close());
        break;
      default:
        attempt("events.closed", () => observer.closed);
    }
  }];

  // ------------------------------------------------------------ proxies

  const proxy: Operation = ["compat-proxy", 2, async () => {
    if (proxies.length > 0 && chance(0.6)) {
      const running = pick(proxies);
      const command = pick(["pause", "resume", "terminate", "frontEnd"] as const);
      if (command === "frontEnd") {
        attempt("proxy frontEnd/backEnd", () => [running.frontEnd, running.backEnd]);
      } else {
        attempt(`proxy ${command}`, () => running[command]());
      }
      if (command === "terminate") proxies.splice(proxies.indexOf(running), 1);
      return;
    }
    const candidates: unknown[] = [...sockets.map(({ socket }) => socket), null, {}, 5];
    if (chance(0.1)) candidates.push(kit.someSocket());
    const [front, back] = [pick(candidates), pick(candidates)];
    const Proxy = zmq.Proxy as unknown as new (f: unknown, b: unknown) => zmq.ProxyClass;
    const made = attempt("new Proxy", () => new Proxy(front, back));
    if (made === undefined) return;
    proxies.push(made);
    if (proxies.length > 4) proxies.shift();
    if (chance(0.85)) await briefly("proxy run", () => made.run(), int(5));
    if (chance(0.2)) await briefly("proxy run (again)", () => made.run(), 0);
  }];

  // ------------------------------------------------------------ contexts

  const contextOptions: [string, () => unknown][] = [
    ["blocky", () => pick<unknown>([true, false, 1, "x"])],
    ["ioThreads", () => pick<unknown>([1, 2, 0, -1, 300, 1.5, "2"])],
    ["maxMessageSize", () => pick<unknown>([-1, 0, 100, 2 ** 31 - 1, "x"])],
    ["maxSockets", () => pick<unknown>([1, 2, 10, 1024, 0, -1, 2 ** 31 - 1, 2 ** 30, NaN])],
    ["ipv6", () => pick<unknown>([true, false, null])],
    ["threadPriority", () => pick<unknown>([0, 1, 50, 99, -1, 1000])],
    ["threadSchedulingPolicy", () => pick<unknown>([0, 1, 2, 3, 5, -1, 99])],
    ["maxSocketsLimit", () => 5],
    ["nope", () => 1],
  ];

  const context: Operation = ["compat-context", 2, () => {
    if (contexts.length === 0 || (contexts.length < 3 && chance(0.3))) {
      const settings: Record<string, unknown> = {};
      for (let i = int(3); i > 0; i--) {
        const [name, value] = pick(contextOptions);
        settings[name] = value();
      }
      const given = pick<unknown>([undefined, settings, settings, null, 5, "x"]);
      const Context = zmq.Context as unknown as new (o?: unknown) => zmq.ContextClass;
      const made = attempt(`new Context(${JSON.stringify(given)})`, () => new Context(given));
      if (made !== undefined) {
        kit.nameNew(made, "compat Context");
        contexts.push(made);
      }
      return;
    }
    // The shared default context only rarely: its settings stay for the run.
    const target = chance(0.1) ? zmq.context : pick(contexts);
    const record = target as unknown as Record<string, unknown>;
    switch (int(4)) {
      case 0: {
        const [name, value] = pick(contextOptions);
        const given = value();
        attempt(`context.${name} = ${String(given)}`, () => void (record[name] = given));
        break;
      }
      case 1: {
        const [name] = pick(contextOptions);
        attempt(`context.${name}`, () => record[name]);
        break;
      }
      default: {
        const type = pick(["Bool", "Int32"] as const);
        const id = pick<unknown>([1, 2, 3, 4, 5, 6, 7, 8, 9, 42, 70, 0, 99, -1, "1"]);
        if (chance(0.5)) {
          const getter = record[`get${type}Option`] as (id: unknown) => unknown;
          attempt(`context get${type}Option(${String(id)})`, () => getter.call(target, id));
        } else {
          const value = type === "Bool" ? chance(0.5) : pick([0, 1, 2, 50, -1, 2 ** 31 - 1]);
          const setter = record[`set${type}Option`] as (id: unknown, v: unknown) => void;
          attempt(
            `context set${type}Option(${String(id)}, ${value})`,
            () => setter.call(target, id, value),
          );
        }
      }
    }
  }];

  // ------------------------------------------------------------ v5

  function v5Socket(): zmq5.Socket | undefined {
    return v5Sockets.length === 0 ? undefined : pick(v5Sockets);
  }

  const v5: Operation = ["compat-v5", 5, async () => {
    if (v5Sockets.length === 0 || (v5Sockets.length < 6 && chance(0.15))) {
      const type = chance(0.95) ? pick(v5Types) : pick<unknown>(["nope", "", 5, "__proto__"]);
      const settings = pick<unknown>([
        { linger: 0 },
        { linger: 0, identity: "me" },
        { linger: 0, sndhwm: 5, nonsense: 1 },
        { linger: 0, affinity: "x" },
      ]);
      const made = attempt(
        `v5 socket(${String(type)})`,
        () => zmq5.socket(type as zmq5.SocketType, settings as Record<string, unknown>),
      );
      if (made === undefined) return;
      kit.nameNew(made, `v5 ${String(type)}`);
      // A v5 program listens for "error" (without, Node's EventEmitter throws).
      made.on("error", (error: unknown) => judge(error, "v5 error event"));
      v5Sockets.push(made);
      return;
    }
    const socket = v5Socket()!;
    log(`  [v5 ${socket.type}]`);
    switch (int(14)) {
      case 0:
        attempt("v5 bindSync", () => socket.bindSync(address() as string));
        break;
      case 1: {
        const where = address();
        await new Promise<void>((resolve) => {
          const done = setTimeout(resolve, 50);
          attempt(`v5 bind ${String(where)}`, () =>
            socket.bind(where as string, (error) => {
              if (error !== undefined) judge(error, "v5 bind callback");
              clearTimeout(done);
              resolve();
            }));
        });
        break;
      }
      case 2:
        attempt("v5 connect", () => socket.connect(address() as string));
        break;
      case 3:
      case 4: {
        const flags = pick<unknown>([undefined, 0, zmq5.ZMQ_SNDMORE, null, 2]);
        const withCallback = chance(0.5);
        attempt(`v5 send (flags ${String(flags)})`, () =>
          socket.send(
            message() as zmq.MessageLike,
            flags as number,
            withCallback
              ? (error) => void (error !== undefined && judge(error, "v5 send callback"))
              : undefined,
          ));
        break;
      }
      case 5:
        attempt("v5 on(message)", () =>
          socket.on("message", (...frames: unknown[]) => {
            if (frames.some((frame) => !Buffer.isBuffer(frame))) {
              kit.violation("compat v5 message: frames that are not Buffers");
            }
          }));
        break;
      case 6:
        attempt("v5 monitor", () => socket.monitor(pick([undefined, 10]), pick([undefined, 0])));
        if (chance(0.2)) attempt("v5 unmonitor", () => socket.unmonitor());
        break;
      case 7: {
        const option = pick<unknown>([
          "linger",
          "identity",
          "affinity",
          "rcvbuf",
          "last_endpoint",
          "mechanism",
          "_fd",
          "_ioevents",
          "_receiveMore",
          "_subscribe",
          "nope",
          zmq5.ZMQ_SNDHWM,
          zmq5.ZMQ_IPV4ONLY,
          zmq5.ZMQ_XPUB_VERBOSE,
          zmq5.ZMQ_ROUTER_RAW,
          zmq5.ZMQ_TYPE,
          zmq5.ZMQ_ROUTER_HANDOVER,
          999,
        ]);
        if (chance(0.5)) {
          attempt(`v5 getsockopt(${String(option)})`, () => socket.getsockopt(option as string));
        } else {
          const value = option === "linger" || option === zmq5.ZMQ_LINGER
            ? 0
            : pick<unknown>([0, 1, "x", Buffer.from("id"), null, -1]);
          attempt(
            `v5 setsockopt(${String(option)}, ${String(value)})`,
            () => socket.setsockopt(option as string, value),
          );
        }
        break;
      }
      case 8:
        attempt("v5 pause", () => socket.pause());
        break;
      case 9:
        attempt("v5 resume", () => socket.resume());
        break;
      case 10:
        attempt("v5 subscribe", () => socket.subscribe(pick(["", "a", Buffer.from([1])])));
        break;
      case 11:
        if (v5Sockets.length >= 2) {
          const [front, back] = [pick(v5Sockets), pick(v5Sockets)];
          attempt(`v5 proxy(${front.type}, ${back.type})`, () => zmq5.proxy(front, back));
        }
        break;
      case 12:
        attempt("v5 read", () => socket.read());
        attempt("v5 property", () => socket.last_endpoint);
        break;
      default:
        attempt("v5 close", () => socket.close());
        if (chance(0.6)) v5Sockets.splice(v5Sockets.indexOf(socket), 1);
    }
  }];

  // ------------------------------------------------------------ data

  // A dedicated compat Pair over inproc, sequence-numbered: nothing may
  // arrive out of order, twice, or go missing once send resolved.
  let ordering: { a: zmq.Pair; b: zmq.Pair; sent: number; received: number } | undefined;
  const orderingOperation: Operation = ["compat-ordering", 1, async () => {
    if (ordering === undefined) {
      const where = `inproc://${kit.prefix}-compat-ordering`;
      const b = new zmq.Pair({ linger: 0, receiveTimeout: 20 });
      await b.bind(where);
      const a = new zmq.Pair({ linger: 0, sendTimeout: 20 });
      a.connect(where);
      ordering = { a, b, sent: 0, received: 0 };
      allSockets.push(a as unknown as CompatSocket, b as unknown as CompatSocket);
    }
    const pair = ordering;
    for (let i = int(10); i > 0; i--) {
      try {
        await pair.a.send([String(pair.sent), Buffer.alloc(int(100), 1)]);
        pair.sent++;
      } catch (error) {
        if ((error as { code?: unknown }).code !== "EAGAIN") judge(error, "ordering send");
      }
    }
    for (let i = int(12); i > 0; i--) {
      let frames: Buffer[];
      try {
        frames = await pair.b.receive();
      } catch (error) {
        if ((error as { code?: unknown }).code !== "EAGAIN") judge(error, "ordering receive");
        continue;
      }
      const number = Number(frames[0].toString());
      if (number !== pair.received || frames.length !== 2 || !Buffer.isBuffer(frames[1])) {
        kit.violation(
          `compat ordering: expected message ${pair.received}, got ${number} (${frames.length} frames)`,
        );
        pair.received = number + 1;
      } else {
        pair.received++;
      }
    }
  }];

  return {
    operations: [
      create,
      close,
      bind,
      unbind,
      connect,
      disconnect,
      send,
      receive,
      concurrent,
      iterate,
      property,
      rawOption,
      subscribe,
      events,
      proxy,
      context,
      v5,
      orderingOperation,
    ],
    windDownFirst: () => {
      for (const running of proxies) {
        try {
          running.terminate();
        } catch (error) {
          judge(error, "proxy terminate (end)");
        }
      }
      return Promise.resolve();
    },
    windDownLast: () => {
      for (const socket of allSockets) attempt("close (end)", () => socket.close());
      for (const socket of v5Sockets) attempt("v5 close (end)", () => socket.close());
      for (const observer of observers) attempt("events.close (end)", () => observer.close());
    },
  };
}
