/**
 * Actors: czmq's zactor in TypeScript. {@link startActor} runs a module in a
 * Worker thread with a PAIR pipe to the parent already connected over inproc
 * on a shared context. The parent sends and receives on the returned
 * {@link Actor}; the actor gets its end of the pipe and the context.
 *
 * The actor module's default export is called with `(pipe, context)`. It must
 * return when it receives the {@link ACTOR_TERM} message ("$TERM"), which
 * {@link Actor.stop} sends. Sockets it made on `context` are closed for it
 * when it returns.
 *
 * @example
 * ```ts
 * // echo_actor.ts
 * import { isTermMessage, type ActorFunction } from "./mod.ts";
 * const echo: ActorFunction = async (pipe) => {
 *   for await (const message of pipe) {
 *     if (isTermMessage(message)) return;
 *     await pipe.send(message);
 *   }
 * };
 * export default echo;
 *
 * // main.ts
 * import { startActor } from "./mod.ts";
 * const actor = await startActor(new URL("./echo_actor.ts", import.meta.url));
 * await actor.send("hello");
 * console.log(await actor.receive()); // [Uint8Array "hello"]
 * await actor.stop();
 * ```
 *
 * @module
 */
import { Worker } from "node:worker_threads";
import type { Context } from "./context.ts";
import { defaultContextInstance } from "./context.ts";
import { misuse } from "./errors.ts";
import type { Message } from "./frames.ts";
import type { ReceiveOptions } from "./readable.ts";
import type { SendOptions } from "./writable.ts";
import { Pair } from "./socket_types.ts";
import { siblingModule } from "./sibling_module.ts";

/** The message {@link Actor.stop} sends down the pipe: the actor must return on it. */
export const ACTOR_TERM = "$TERM";
/** @ignore The first message on the pipe: the actor's runner is connected and about to call it. */
export const ACTOR_READY = "$READY";

/** What an actor module exports as its default: called in the Worker with its pipe and the shared context. */
export type ActorFunction = (pipe: Pair, context: Context) => unknown;

/** @ignore What the parent passes to the actor's Worker. */
export interface ActorStart {
  module: string;
  handle: bigint;
  endpoint: string;
  argument: unknown;
}

/** @ignore What the actor's Worker posts when its function has returned. */
export interface ActorEnd {
  done: true;
  error?: string;
}

/** Options of {@link startActor}. */
export interface ActorOptions {
  /** The context to share with the actor (default: the shared {@link context}). */
  context?: Context;
  /** How long start-up may take, in ms, before the Worker is terminated and startActor rejects (default 10,000). */
  startTimeout?: number;
  /** How long {@link Actor.stop} waits for the actor to return, in ms, before terminating the Worker (default 5,000). */
  stopTimeout?: number;
  /** A structured-clonable value the actor can read as `workerData.argument` (from "node:worker_threads"). */
  argument?: unknown;
}

const decoder = new TextDecoder();

/** A timeout option of startActor, checked: a non-negative number of milliseconds. */
function checkTimeout(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || Number.isNaN(value)) {
    throw new TypeError(`startActor ${name} must be a number of milliseconds, got ${typeof value}`);
  }
  if (value < 0 || value > 2 ** 31 - 1) {
    throw new RangeError(`startActor ${name} must be from 0 to ${2 ** 31 - 1} ms, got ${value}`);
  }
  return value;
}

/** True when `message` is the single-frame "$TERM" message that asks an actor to return. */
export function isTermMessage(message: Uint8Array[]): boolean {
  return message.length === 1 && message[0].length === ACTOR_TERM.length &&
    decoder.decode(message[0]) === ACTOR_TERM;
}

let actorCounter = 0;

/**
 * The parent's handle on a running actor: send to it, receive from it,
 * iterate what it sends, and {@link Actor.stop} it. After stop() every call
 * is refused with a ZmqError (code "ETERM").
 */
export class Actor {
  #pipe: Pair;
  #worker: Worker;
  #exited: Promise<number>;
  #ended: Promise<ActorEnd | undefined>;
  #stopTimeout: number;
  #stopping: Promise<void> | undefined;
  #failure: Error | undefined;
  readonly #name: string;

  /** @ignore Made by {@link startActor}. */
  constructor(
    pipe: Pair,
    worker: Worker,
    exited: Promise<number>,
    ended: Promise<ActorEnd | undefined>,
    name: string,
    stopTimeout: number,
  ) {
    this.#pipe = pipe;
    this.#worker = worker;
    this.#exited = exited;
    this.#ended = ended;
    this.#name = name;
    this.#stopTimeout = stopTimeout;
  }

  /** True once {@link Actor.stop} was called. */
  get stopped(): boolean {
    return this.#stopping !== undefined;
  }

  /** Settles when the actor's Worker has exited (with its exit code). */
  get exited(): Promise<number> {
    return this.#exited;
  }

  /** @ignore Called when the Worker fails: later calls give this error. */
  fail(error: Error): void {
    this.#failure ??= error;
  }

  #check(): void {
    if (this.#stopping !== undefined) {
      throw misuse("ETERM", `The actor ${this.#name} was stopped`);
    }
    if (this.#failure !== undefined) throw this.#failure;
  }

  /** Sends a message to the actor. */
  send(message: Message, options?: SendOptions): Promise<void> {
    try {
      this.#check();
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#pipe.send(message, options);
  }

  /** Receives the next message the actor sent. */
  receive(options?: ReceiveOptions): Promise<Uint8Array[]> {
    try {
      this.#check();
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#pipe.receive(options);
  }

  /** The next message the actor sent if one is waiting, otherwise null. */
  tryReceive(): Uint8Array[] | null {
    this.#check();
    return this.#pipe.tryReceive();
  }

  /** Iterates what the actor sends; ends when the actor is stopped. */
  [Symbol.asyncIterator](): AsyncIterableIterator<Uint8Array[]> {
    this.#check();
    return this.#pipe[Symbol.asyncIterator]();
  }

  /**
   * Sends "$TERM", waits for the actor to return and its Worker to exit, and
   * closes the pipe. An actor that does not return within `stopTimeout` has
   * its Worker terminated. Idempotent.
   */
  stop(): Promise<void> {
    return this.#stopping ??= this.#stop();
  }

  async #stop(): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), this.#stopTimeout);
    });
    try {
      if (!this.#pipe.closed && this.#failure === undefined) {
        // Never blocks forever: a full pipe just means the Worker is terminated.
        this.#pipe.trySend(ACTOR_TERM);
      }
      const outcome = await Promise.race([this.#ended, this.#exited, timedOut]);
      if (outcome !== "timeout") {
        // The actor returned: its runner has closed its sockets; let it exit.
        await Promise.race([this.#exited, timedOut]);
      }
    } finally {
      clearTimeout(timer);
      // Ends whatever still runs (e.g. an actor that ignored "$TERM").
      await this.#worker.terminate();
      this.#pipe.close();
    }
  }
}

/**
 * Starts `module` as an actor in a Worker thread. Resolves once the actor's
 * end of the pipe is connected, so nothing sent to it is lost.
 *
 * Rejects with a ZmqError ETERM if the module cannot be loaded, has no
 * default export function, or the Worker fails (the message says why, and
 * `cause` is the Worker's own error); with EAGAIN if it takes longer than
 * `startTimeout` to start. Once a started actor fails, its calls reject with
 * that ETERM error.
 */
export async function startActor(
  module: URL | string,
  options: ActorOptions = {},
): Promise<Actor> {
  if (!(module instanceof URL) && typeof module !== "string") {
    throw new TypeError(`startActor needs a module URL, got ${typeof module}`);
  }
  if (options === null || typeof options !== "object") {
    throw new TypeError("startActor options must be an object");
  }
  const href = new URL(module).href;
  const context = options.context ?? defaultContextInstance();
  const startTimeout = checkTimeout("startTimeout", options.startTimeout, 10_000);
  const stopTimeout = checkTimeout("stopTimeout", options.stopTimeout, 5_000);
  actorCounter += 1;
  const name = `${href.split("/").pop()}#${actorCounter}`;
  const endpoint = `inproc://zmq-actor-${actorCounter}-${Math.random().toString(36).slice(2)}`;
  const pipe = new Pair({ context, linger: 0 });
  let worker: Worker | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    // Bound before the Worker starts: its connect always finds us.
    await pipe.bind(endpoint);
    const start: ActorStart = {
      module: href,
      handle: context.handle,
      endpoint,
      argument: options.argument,
    };
    worker = new Worker(siblingModule("actor_worker_side", import.meta.url), { workerData: start });
    const running = worker;
    const started: { actor?: Actor } = {};
    let onFailure: (error: Error) => void = () => {};
    const failed = new Promise<never>((_, reject) => {
      onFailure = reject;
    });
    failed.catch(() => {});
    const exited = new Promise<number>((resolve) => {
      running.on("exit", (code: number) => {
        onFailure(misuse("ETERM", `The actor ${name} exited (code ${code}) before it was ready`));
        resolve(code);
      });
    });
    const ended = new Promise<ActorEnd | undefined>((resolve) => {
      running.on("message", (message: ActorEnd) => {
        if (message?.done) resolve(message);
      });
      running.on("exit", () => resolve(undefined));
    });
    running.on("error", (error: unknown) => {
      const failure = error instanceof Error ? error : new Error(String(error));
      // ETERM: the actor is gone; the message says why, `cause` is its own error.
      const wrapped = misuse("ETERM", `The actor ${name} failed: ${failure.message}`);
      Object.defineProperty(wrapped, "cause", {
        value: failure,
        writable: true,
        configurable: true,
      });
      onFailure(wrapped);
      started.actor?.fail(wrapped);
    });
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(misuse("EAGAIN", `The actor ${name} did not start within ${startTimeout} ms`)),
        startTimeout,
      );
    });
    const first = await Promise.race([pipe.receive(), failed, late]);
    if (first.length !== 1 || decoder.decode(first[0]) !== ACTOR_READY) {
      throw misuse("EINVAL", `The actor ${name} sent something before it was ready`);
    }
    started.actor = new Actor(pipe, running, exited, ended, name, stopTimeout);
    return started.actor;
  } catch (error) {
    await worker?.terminate();
    pipe.close();
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
