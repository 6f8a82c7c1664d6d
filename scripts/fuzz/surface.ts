/**
 * The fuzzer's operations beyond plain sockets (issue #19): pollers,
 * proxies' capture sockets in other contexts, events iterators with several
 * pending next() calls, zero-copy messages (receiveMessage, forwarding their
 * frames, whenReleased), metadata (receiveWithMetadata), authenticators and
 * secure handshakes, contexts (fromHandle, stale handles, terminate with
 * timeouts, tiny sizes), actors (startActor), and abandoned sockets under
 * forced GC. scripts/fuzz/fuzz.ts mixes them with the socket operations;
 * everything random comes from its seeded generator.
 *
 * @module
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as zmq from "../../mod.ts";

/** A socket of any type, its methods reached by name. */
export type AnySocket = zmq.Socket & Record<string, unknown>;

/** One operation: its name, its weight, and what it does. */
export type Operation = [string, number, () => Promise<void> | void];

/** What the operations here need from the fuzzer's run of one seed. */
export interface FuzzKit {
  int(n: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /**
   * Runs a call, judging what it throws (with `compat`, as zeromq.js's
   * errors: the operations of compat_surface.ts).
   */
  attempt<T>(where: string, fn: () => T, compat?: boolean): T | undefined;
  /** Awaits a call (bounded), judging what it throws or rejects with. */
  attemptAsync<T>(where: string, fn: () => Promise<T>, compat?: boolean): Promise<T | undefined>;
  /** Starts a call left running: it must settle by the end of the run. */
  leavePending(what: string, fn: () => Promise<unknown>, compat?: boolean): void;
  /** A promise (already judged) that must settle by the end of the run. */
  expectSettled(what: string, promise: Promise<unknown>): void;
  judge(error: unknown, where: string, compat?: boolean): void;
  /** Records a broken promise of the library (wrong data, wrong shape). */
  violation(what: string): void;
  /** Marks a value as an abort reason given on purpose. */
  abortReason(reason: unknown): void;
  log(line: string): void;
  nameNew(value: object, kind: string): void;
  sockets: AnySocket[];
  contexts: zmq.Context[];
  someSocket(): AnySocket | undefined;
  someContext(): zmq.Context | undefined;
  messageValue(): unknown;
  /** An endpoint, good (often one bound before) or bad, or not a string. */
  endpoint(): unknown;
  /** Values of the wrong type or range for options and arguments. */
  wrongValues: readonly unknown[];
  /** An error thrown on purpose by a hostile value (never a violation). */
  userError(message: string): Error;
  /**
   * A connect routing id never given before: one given twice aborts libzmq
   * (reported; --include-known gives the same ones again).
   */
  freshRoutingId(): string;
  /** Records an endpoint some socket bound, for later connects. */
  addEndpoint(address: string): void;
  waitOptions(): unknown;
  boundedWaitOptions(): unknown;
  /** Forces a garbage collection where the runtime allows it. */
  collect(): void;
  /** A unique prefix for this run's names. */
  prefix: string;
  includeKnown: boolean;
}

/** The operations, and how to end what they left running. */
export interface Surface {
  operations: Operation[];
  /** Before the sockets close: stops actors and authenticators, releases messages. */
  windDownFirst(): Promise<void>;
  /** After the sockets closed: ends waits that no socket ends. */
  windDownLast(): void;
}

const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** The fuzzer's surface operations, over `kit`. */
export function surfaceOperations(kit: FuzzKit): Surface {
  const { int, chance, pick, attempt, attemptAsync, log } = kit;
  const keys = zmq.curveKeyPair();
  const clientKeys = zmq.curveKeyPair();

  // ------------------------------------------------------------ pollers

  const pollers: zmq.Poller[] = [];
  // Waits left pending without a timeout: a Poller emptied meanwhile (or
  // watching only fds) waits on, by design; the end of the run aborts them.
  const waitAborts: AbortController[] = [];

  function pollable(): unknown {
    switch (int(10)) {
      case 0:
        return 0; // stdin (/dev/null in a child: readable at once)
      case 1:
        return pick([-1, 1.5, 99_999, "3", null, {}, 2 ** 40]);
      default:
        return kit.someSocket() ?? 0;
    }
  }

  function interest(): unknown {
    return pick(["readable", "writable", "both", "readable", "nope", undefined, 3]);
  }

  function checkReady(ready: unknown, where: string): void {
    if (!Array.isArray(ready)) return kit.violation(`${where}: resolved with ${typeof ready}`);
    for (const entry of ready) {
      const { readable, writable, error } = entry as zmq.PollReady;
      if (
        typeof readable !== "boolean" || typeof writable !== "boolean" ||
        typeof error !== "boolean" || (!readable && !writable)
      ) {
        return kit.violation(`${where}: a ready entry ${JSON.stringify(entry)}`);
      }
    }
  }

  const pollerOperation: Operation = ["poller", 4, async () => {
    if (pollers.length === 0 || (pollers.length < 3 && chance(0.15))) {
      const poller = attempt("new Poller", () => new zmq.Poller());
      if (poller !== undefined) {
        kit.nameNew(poller, "Poller");
        pollers.push(poller);
      }
      return;
    }
    const poller = pick(pollers);
    switch (int(8)) {
      case 0:
      case 1: {
        const item = pollable();
        attempt(
          `poller add`,
          () => poller.add(item as zmq.Pollable, interest() as zmq.PollInterest),
        );
        break;
      }
      case 2:
        attempt("poller remove", () => poller.remove(pollable() as zmq.Pollable));
        break;
      case 3:
      case 4: {
        const ready = await attemptAsync(
          "poller wait",
          () => poller.wait(kit.boundedWaitOptions() as zmq.PollOptions),
        );
        if (ready !== undefined) checkReady(ready, "poller wait");
        break;
      }
      case 5: {
        const controller = new AbortController();
        waitAborts.push(controller);
        const timeout = chance(0.5) ? undefined : pick([Infinity, 1, 30]);
        kit.leavePending("pending poller wait", async () => {
          const ready = await poller.wait({ signal: controller.signal, timeout });
          checkReady(ready, "pending poller wait");
        });
        break;
      }
      case 6: {
        const items = Array.from(
          { length: int(4) },
          () =>
            chance(0.9)
              ? { socket: pollable(), readable: chance(0.7), writable: chance(0.4) }
              : pick([null, 5, "item", { socket: 0 }]),
        );
        const ready = await attemptAsync(
          "poll",
          () => zmq.poll(items as zmq.PollItem[], kit.boundedWaitOptions() as zmq.PollOptions),
        );
        if (ready !== undefined) checkReady(ready, "poll");
        break;
      }
      default:
        attempt("poller size", () => [poller.size, poller.has(pollable() as zmq.Pollable)]);
    }
  }];

  // ------------------------------------------------------------ events

  const eventsOperation: Operation = ["events-many", 2, async () => {
    const socket = kit.someSocket();
    if (socket === undefined) return;
    const iterator = attempt("events iterator", () => socket.events[Symbol.asyncIterator]());
    if (iterator === undefined) return;
    const count = 1 + int(3);
    for (let i = 0; i < count; i++) {
      const next = iterator.next().then((result) => {
        if (
          typeof result !== "object" || result === null ||
          (!result.done && typeof result.value?.type !== "string")
        ) {
          kit.violation(`events next resolved with ${JSON.stringify(result)}`);
        }
      }, (error) => kit.judge(error, "events next"));
      kit.expectSettled("events next", next);
    }
    switch (int(4)) {
      case 0:
        await attemptAsync("events return", () => iterator.return!());
        break;
      case 1:
        attempt("close", () => socket.close());
        break;
      default:
        await new Promise((resolve) => setTimeout(resolve, int(10)));
    }
  }];

  // ------------------------------------------------------------ zero-copy

  const held: zmq.ReceivedMessage[] = [];
  const sentBig: Uint8Array[] = [];

  function checkFrames(frames: unknown, where: string): void {
    if (!Array.isArray(frames) || frames.some((frame) => !(frame instanceof Uint8Array))) {
      kit.violation(`${where}: frames are not Uint8Arrays`);
    }
  }

  function receiving(): AnySocket | undefined {
    const candidates = kit.sockets.filter((s) => "receiveMessage" in s);
    return candidates.length === 0 ? undefined : pick(candidates);
  }
  function sending(): AnySocket | undefined {
    const candidates = kit.sockets.filter((s) => "send" in s);
    return candidates.length === 0 ? undefined : pick(candidates);
  }

  function useMessage(message: zmq.ReceivedMessage, where: string): void {
    switch (int(6)) {
      case 0:
        attempt(`${where} release`, () => message.release());
        break;
      case 1:
        attempt(`${where} dispose`, () => message[Symbol.dispose]());
        break;
      case 2:
        // Released twice: a ZmqError, never a double free.
        attempt(`${where} release`, () => message.release());
        attempt(`${where} release again`, () => message.release());
        break;
      default: {
        const frames = attempt(`${where} frames`, () => message.frames);
        if (frames !== undefined) checkFrames(frames, where);
        if (held.length < 8) held.push(message);
        else attempt(`${where} release`, () => message.release());
      }
    }
  }

  const receiveMessageOperation: Operation = ["receiveMessage", 4, async () => {
    const socket = receiving();
    if (socket === undefined) return;
    const receive = socket.receiveMessage as (o?: unknown) => Promise<zmq.ReceivedMessage>;
    const message = await attemptAsync(
      `receiveMessage on ${socket.type}`,
      () => receive.call(socket, kit.boundedWaitOptions()),
    );
    if (message !== undefined) useMessage(message, "received message");
  }];

  const heldOperation: Operation = ["heldMessage", 3, async () => {
    if (held.length === 0) return;
    const message = held.splice(int(held.length), 1)[0];
    const target = sending();
    if (target !== undefined && chance(0.6) && !message.released) {
      // Forward the frames themselves, then maybe let go of the message at once.
      const send = target.send as (m: unknown, o?: unknown) => Promise<void>;
      const sent = attemptAsync(
        `forward held frames on ${target.type}`,
        () => send.call(target, message.frames, kit.boundedWaitOptions()),
      );
      if (chance(0.5)) attempt("release forwarded", () => message.release());
      await sent;
      if (chance(0.3)) kit.collect();
    }
    if (!message.released && chance(0.7)) attempt("release held", () => message.release());
    else if (!message.released) held.push(message);
  }];

  const whenReleasedOperation: Operation = ["whenReleased", 1, async () => {
    const target = sending();
    if (target !== undefined && chance(0.5)) {
      const frame = new Uint8Array(pick([1 << 10, 1 << 17, 1 << 20])).fill(int(256));
      const trySend = target.trySend as (m: unknown) => boolean;
      if (attempt("trySend big", () => trySend.call(target, frame)) === true) {
        sentBig.push(frame);
        if (sentBig.length > 4) sentBig.shift();
      }
    }
    const value = chance(0.8) && sentBig.length > 0
      ? pick(sentBig)
      : pick<unknown>([new ArrayBuffer(4), "frame", null, 5, {}]);
    // A frame libzmq still queues to a peer that never reads is not released:
    // wait briefly, judging only a rejection.
    let settled: Promise<unknown> | undefined;
    try {
      settled = zmq.whenReleased(value as ArrayBuffer);
    } catch (error) {
      kit.judge(error, "whenReleased (thrown synchronously)");
      return;
    }
    await Promise.race([
      settled.then(() => {}, (error) => kit.judge(error, "whenReleased")),
      new Promise((resolve) => setTimeout(resolve, 20)),
    ]);
  }];

  // A dedicated chain over inproc: frames received zero-copy, forwarded as
  // they are, released, collected; the last receiver must see the bytes sent.
  let chain: { a: zmq.Pair; b: zmq.Pair; c: zmq.Pair; d: zmq.Pair; round: number } | undefined;
  const integrityOperation: Operation = ["zeroCopyIntegrity", 1, async () => {
    if (chain === undefined) {
      const names = [0, 1].map((n) => `inproc://${kit.prefix}-chain-${n}`);
      const a = new zmq.Pair({ linger: 0 });
      const b = new zmq.Pair({ linger: 0 });
      const c = new zmq.Pair({ linger: 0 });
      const d = new zmq.Pair({ linger: 0 });
      await b.bind(names[0]);
      a.connect(names[0]);
      await d.bind(names[1]);
      c.connect(names[1]);
      chain = { a, b, c, d, round: 0 };
    }
    const { a, b, c, d } = chain;
    const round = ++chain.round;
    const value = round % 251;
    const size = pick([1 << 10, 1 << 17, 1 << 18]);
    const frames = [encoder.encode(`round ${round}`), new Uint8Array(size).fill(value)];
    try {
      await a.send(frames, { timeout: 2_000 });
      {
        using message = await b.receiveMessage({ timeout: 2_000 });
        await c.send(message.frames, { timeout: 2_000 });
        if (chance(0.5)) kit.collect();
      } // released here, while the forwarded frames may still be queued
      kit.collect();
      const garbage = Array.from({ length: 8 }, () => new Uint8Array(size).fill(0xee));
      void garbage;
      const [head, body] = await d.receive({ timeout: 2_000 });
      const text = decoder.decode(head);
      const wrong = body.findIndex((byte) => byte !== value);
      if (text !== `round ${round}` || body.length !== size || wrong !== -1) {
        kit.violation(
          `zero-copy forwarding: round ${round} arrived as "${text}", ${body.length} bytes, ` +
            `byte ${wrong} is ${body[wrong]} instead of ${value}`,
        );
      }
    } catch (error) {
      kit.judge(error, "zero-copy chain");
      // A timed-out step leaves the chain out of step: start a new one.
      for (const socket of [a, b, c, d]) socket.close();
      chain = undefined;
    }
  }];

  // ------------------------------------------------------------ metadata

  const metadataOperation: Operation = ["metadata", 3, async () => {
    const socket = receiving();
    if (socket === undefined) return;
    const options = kit.boundedWaitOptions() as Record<string, unknown>;
    const properties = pick<unknown>([
      undefined,
      [],
      ["X-Custom"],
      ["Peer-Address", "User-Id"],
      5,
      [5],
      ["\0"],
      ["a".repeat(300)],
      "Peer-Address",
    ]);
    const receive = socket.receiveWithMetadata as (o?: unknown) => Promise<zmq.MessageWithMetadata>;
    const result = await attemptAsync(
      `receiveWithMetadata on ${socket.type}`,
      () => receive.call(socket, { ...options, properties }),
    );
    if (result === undefined) return;
    checkFrames(result.frames, "receiveWithMetadata");
    if (
      !Array.isArray(result.more) || result.more.length !== result.frames.length ||
      result.more[result.more.length - 1] !== false
    ) {
      kit.violation(`receiveWithMetadata: more flags ${JSON.stringify(result.more)}`);
    }
    attempt("metadata get", () => result.metadata.get("Peer-Address"));
    attempt("metadata get unknown", () => result.metadata.get(pick(["Nope", "", "X-Custom"])));
    attempt("metadata fields", () => [result.metadata.userId, result.metadata.socketType]);
  }];

  // ------------------------------------------------------------ authenticators

  const authenticators: zmq.Authenticator[] = [];
  const certificatesDirectory = mkdtempSync(join(tmpdir(), `${kit.prefix}-certs-`));
  zmq.saveCertificate(join(certificatesDirectory, "client.key"), clientKeys);

  function authorizeCallback(): unknown {
    switch (int(8)) {
      case 0:
        return undefined;
      case 1:
        return () => chance(0.5);
      case 2:
        return async () => {
          await new Promise((resolve) => setTimeout(resolve, int(5)));
          return { allowed: chance(0.5), reason: "async", userId: "someone" };
        };
      case 3:
        return () => {
          throw new Error("authorize threw");
        };
      case 4:
        return () => new Promise(() => {}); // never decides: close() denies it
      case 5:
        return () => pick<unknown>([null, 5, "yes", {}, { allowed: "yes" }]);
      case 6:
        return 42; // not a function
      default:
        return () => true;
    }
  }

  function onDecisionCallback(): unknown {
    switch (int(5)) {
      case 0:
        return () => {
          throw new Error("onDecision threw");
        };
      case 1:
        return () => Promise.reject(new Error("onDecision rejected"));
      case 2:
        return () => {};
      default:
        return undefined;
    }
  }

  function authenticatorOptions(): unknown {
    if (chance(0.1)) return pick([null, 5, "auth", []]);
    const options: Record<string, unknown> = { context: kit.someContext() };
    if (chance(0.3)) options.allow = pick<unknown>([["127.0.0.1"], ["10.0.0.1"], [], "x"]);
    if (chance(0.2)) options.deny = pick<unknown>([["127.0.0.1"], ["10.0.0.1"], 5]);
    if (chance(0.4)) options.plain = pick<unknown>([{ user: "secret" }, {}, null]);
    if (chance(0.4)) {
      options.curve = pick<unknown>([
        [clientKeys.publicKey],
        "any",
        [],
        [keys.publicKey, clientKeys.publicKey],
        ["short"],
        5,
      ]);
    }
    if (chance(0.2)) {
      options.certificates = pick<unknown>([certificatesDirectory, "/dev", "/nonexistent", 5]);
    }
    if (chance(0.2)) options.domain = pick<unknown>(["global", "", 5]);
    options.authorize = authorizeCallback();
    options.onDecision = onDecisionCallback();
    return options;
  }

  const authenticatorOperation: Operation = ["authenticator", 2, async () => {
    if (authenticators.length < 3 && (authenticators.length === 0 || chance(0.5))) {
      const Authenticator = zmq.Authenticator as unknown as new (o: unknown) => zmq.Authenticator;
      const auth = attempt("new Authenticator", () => new Authenticator(authenticatorOptions()));
      if (auth !== undefined) {
        kit.nameNew(auth, "Authenticator");
        authenticators.push(auth);
      }
      return;
    }
    if (authenticators.length === 0) return;
    const auth = pick(authenticators);
    switch (int(4)) {
      case 0:
        await attemptAsync("authenticator close", () => auth.close());
        authenticators.splice(authenticators.indexOf(auth), 1);
        break;
      case 1:
        attempt(
          "setCurveKeys",
          () =>
            auth.setCurveKeys(
              pick<unknown>(["any", [], [clientKeys.publicKey], 5, ["x"]]) as "any",
            ),
        );
        break;
      default:
        attempt("reloadCertificates", () => auth.reloadCertificates());
    }
  }];

  // A secure handshake on a context that may have an Authenticator.
  const handshakeOperation: Operation = ["handshake", 2, async () => {
    const context = kit.someContext() ?? zmq.context;
    const mechanism = pick(["null", "plain", "curve"]);
    const serverOptions: Record<string, unknown> = { context, linger: 0 };
    const clientOptions: Record<string, unknown> = { context, linger: 0 };
    if (chance(0.5)) serverOptions.zapDomain = pick(["global", "other"]);
    if (mechanism === "plain") {
      serverOptions.plainServer = true;
      clientOptions.plainUsername = "user";
      clientOptions.plainPassword = chance(0.7) ? "secret" : "wrong";
    } else if (mechanism === "curve") {
      serverOptions.curveServer = true;
      serverOptions.curveSecretKey = keys.secretKey;
      clientOptions.curveServerKey = keys.publicKey;
      clientOptions.curvePublicKey = clientKeys.publicKey;
      clientOptions.curveSecretKey = clientKeys.secretKey;
    }
    const server = attempt("handshake server", () => new zmq.Pull(serverOptions));
    const client = attempt("handshake client", () => new zmq.Push(clientOptions));
    try {
      if (server === undefined || client === undefined) return;
      await attemptAsync("handshake bind", () => server.bind("tcp://127.0.0.1:*"));
      const endpoint = attempt("handshake endpoint", () => server.lastEndpoint);
      if (typeof endpoint !== "string") return;
      attempt("handshake connect", () => client.connect(endpoint));
      await attemptAsync("handshake send", () => client.send("hello", { timeout: 100 }));
      const result = await attemptAsync(
        "handshake receive",
        () => server.receiveWithMetadata({ timeout: pick([20, 100]) }),
      );
      if (result !== undefined && decoder.decode(result.frames[0]) !== "hello") {
        kit.violation(`handshake: received ${decoder.decode(result.frames[0])}`);
      }
    } finally {
      server?.close();
      client?.close();
    }
  }];

  // ------------------------------------------------------------ contexts

  const staleHandles: bigint[] = [];

  const contextOperation: Operation = ["contextExtra", 2, async () => {
    switch (int(7)) {
      case 0: {
        if (kit.contexts.length >= 5) return;
        const source = kit.someContext() ?? zmq.context;
        const handle = attempt("context handle", () => source.handle);
        if (handle === undefined) return;
        const borrowed = attempt("fromHandle", () => zmq.Context.fromHandle(handle));
        if (borrowed !== undefined) {
          kit.nameNew(borrowed, "BorrowedContext");
          kit.contexts.push(borrowed);
        }
        break;
      }
      case 1: {
        const handle = staleHandles.length > 0 && chance(0.7)
          ? pick(staleHandles)
          : pick<unknown>([0n, -1n, 8n, 1n << 70n, 0x1000n, 0x7f00_0000_0000n, 5, "1", null]);
        attempt("fromHandle (stale or garbage)", () => zmq.Context.fromHandle(handle as bigint));
        break;
      }
      case 2: {
        if (kit.contexts.length === 0) return;
        const context = pick(kit.contexts);
        const handle = attempt("handle", () => context.handle);
        if (typeof handle === "bigint" && staleHandles.length < 8) staleHandles.push(handle);
        break;
      }
      case 3: {
        if (kit.contexts.length === 0) return;
        const context = pick(kit.contexts);
        const options = pick<unknown>([
          undefined,
          {},
          { timeout: 0 },
          { timeout: int(300) },
          { timeout: -1 },
          { timeout: NaN },
          { timeout: "100" },
          null,
          5,
        ]);
        const terminate = context.terminate as (o?: unknown) => Promise<void>;
        if (chance(0.5)) {
          kit.leavePending("context terminate (timeout)", () => terminate.call(context, options));
        } else {
          await attemptAsync("context terminate (timeout)", () => terminate.call(context, options));
        }
        break;
      }
      case 4: {
        if (kit.contexts.length >= 5) return;
        const Context = zmq.Context as unknown as new (o?: unknown) => zmq.Context;
        const options = pick<unknown>([
          { maxSockets: 1 },
          { maxSockets: 2 },
          { maxSockets: 3, ioThreads: 2 },
          { ioThreads: 0 },
          { blocky: false, maxSockets: 2 },
        ]);
        const context = attempt("new small Context", () => new Context(options));
        if (context !== undefined) {
          kit.nameNew(context, "Context");
          kit.contexts.push(context);
        }
        break;
      }
      case 5: {
        // Connects that may stay pending (an address nobody binds) in a full context.
        const context = kit.someContext();
        if (context === undefined) return;
        const socket = attempt("socket in context", () => new zmq.Pull({ context, linger: 0 }));
        if (socket === undefined) return;
        kit.nameNew(socket, "Pull");
        kit.sockets.push(socket as unknown as AnySocket);
        attempt(
          "connect pending inproc",
          () => socket.connect(`inproc://${kit.prefix}-nobody-${int(3)}`),
        );
        break;
      }
      default: {
        const context = kit.someContext() ?? zmq.context;
        attempt(
          "context getters",
          () => [context.maxSockets, context.ioThreads, context.ipv6, context.terminated],
        );
      }
    }
  }];

  // ------------------------------------------------------------ actors

  const actors: zmq.Actor[] = [];
  const actorModule = new URL("./fuzz_actor.ts", import.meta.url);

  const actorOperation: Operation = ["actor", 1, async () => {
    if (actors.length >= 2) return;
    const module = pick<unknown>([
      actorModule,
      actorModule,
      actorModule,
      actorModule.href,
      new URL("./no_such_actor.ts", import.meta.url),
      new URL("./surface.ts", import.meta.url), // no default export function
      42,
    ]);
    const options = {
      context: kit.someContext(),
      argument: pick([
        "echo",
        "echo",
        "deaf",
        "throw",
        "throw-on-message",
        "sockets",
        "ignore-term",
        kit.includeKnown ? "sockets-pending" : "sockets",
      ]),
      stopTimeout: pick([50, 200, 1_000]),
      startTimeout: pick<unknown>([3_000, 5_000, undefined]),
    };
    const actor = await attemptAsync(
      `startActor ${options.argument}`,
      () => zmq.startActor(module as URL, options as zmq.ActorOptions),
    );
    if (actor !== undefined) {
      kit.nameNew(actor, `Actor(${options.argument})`);
      actors.push(actor);
    }
  }];

  const actorControlOperation: Operation = ["actorControl", 2, async () => {
    if (actors.length === 0) return;
    const actor = pick(actors);
    switch (int(6)) {
      case 0:
        await attemptAsync(
          "actor send",
          () => actor.send(kit.messageValue() as zmq.Message, kit.boundedWaitOptions() as object),
        );
        break;
      case 1:
        await attemptAsync(
          "actor receive",
          () => actor.receive(kit.boundedWaitOptions() as object),
        );
        break;
      case 2:
        attempt("actor tryReceive", () => actor.tryReceive());
        break;
      case 3: {
        const iterator = attempt("actor iterator", () => actor[Symbol.asyncIterator]());
        if (iterator === undefined) return;
        const next = iterator.next().then(() => {}, (error) => kit.judge(error, "actor next"));
        kit.expectSettled("actor iterator next", next);
        break;
      }
      default:
        await attemptAsync("actor stop", () => actor.stop());
        actors.splice(actors.indexOf(actor), 1);
    }
  }];

  // ------------------------------------------------------------ forced GC

  const abandonOperation: Operation = ["abandon", 2, () => {
    // Sockets dropped without close(), some with a pending wait, collected later.
    const Ctor = pick([zmq.Pull, zmq.Push, zmq.Dealer, zmq.Subscriber] as unknown as (new (
      o?: unknown,
    ) => zmq.Socket)[]);
    const socket = attempt(
      "abandoned socket",
      () => new Ctor({ context: kit.someContext(), linger: 0 }),
    ) as AnySocket | undefined;
    if (socket === undefined) return;
    if (chance(0.5)) {
      attempt("abandoned connect", () => socket.connect(`inproc://${kit.prefix}-${int(3)}`));
    }
    if ("receive" in socket && chance(0.3)) {
      const receive = socket.receive as (o?: unknown) => Promise<unknown>;
      kit.leavePending("abandoned receive", () => receive.call(socket, { timeout: int(50) }));
    }
    if (chance(0.5)) kit.collect();
  }];

  const gcOperation: Operation = ["collect", 2, () => {
    kit.collect();
    // Fresh allocations over what was just freed.
    const filler = Array.from({ length: 16 }, () => new Uint8Array(1 << 14).fill(0xee));
    void filler;
  }];

  return {
    operations: [
      pollerOperation,
      eventsOperation,
      receiveMessageOperation,
      heldOperation,
      whenReleasedOperation,
      integrityOperation,
      metadataOperation,
      authenticatorOperation,
      handshakeOperation,
      contextOperation,
      actorOperation,
      actorControlOperation,
      abandonOperation,
      gcOperation,
    ],
    async windDownFirst() {
      log("wind-down: actors, authenticators, held messages");
      for (const actor of actors.splice(0)) {
        await attemptAsync("actor stop (end)", () => actor.stop());
      }
      for (const auth of authenticators.splice(0)) {
        await attemptAsync("authenticator close (end)", () => auth.close());
      }
      for (const message of held.splice(0)) {
        if (!message.released) attempt("release (end)", () => message.release());
      }
      if (chain !== undefined) {
        for (const socket of [chain.a, chain.b, chain.c, chain.d]) socket.close();
      }
    },
    windDownLast() {
      for (const controller of waitAborts.splice(0)) {
        const reason = new Error("the fuzz run ended");
        kit.abortReason(reason);
        controller.abort(reason);
      }
    },
  };
}
