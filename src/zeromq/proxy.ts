/**
 * zeromq.js's Proxy: `frontEnd` and `backEnd`, run() that refuses sockets
 * that are not bound or connected, pause/resume/terminate that throw EBADF
 * when the proxy is not running, and both sockets closed when it ends.
 * Built on the main API's Proxy.
 *
 * @module
 */
import { Proxy as MainProxy } from "../proxy.ts";
import { checkArgumentCount } from "./arguments.ts";
import { errnoError, fromMainError } from "./errors.ts";
import { socketState } from "./internals.ts";
import { closeNow, type Socket } from "./socket.ts";

function isObject(value: unknown): value is object {
  return (typeof value === "object" && value !== null) || typeof value === "function";
}

/**
 * A steerable proxy (device) between two sockets, as zeromq.js has it.
 *
 * @example Queue device
 * ```ts
 * import * as zmq from "./zeromq.ts";
 * const proxy = new zmq.Proxy(new zmq.Router(), new zmq.Dealer());
 * await proxy.frontEnd.bind("tcp://127.0.0.1:*");
 * await proxy.backEnd.bind("tcp://127.0.0.1:*");
 * const done = proxy.run();
 * proxy.terminate();
 * await done; // both sockets are closed now
 * ```
 */
export class Proxy<F extends Socket = Socket, B extends Socket = Socket> {
  #frontEnd: F;
  #backEnd: B;
  #running: MainProxy | undefined;

  /** Sets a proxy up between two sockets; {@link Proxy.run} starts it. */
  constructor(frontEnd: F, backEnd: B) {
    if (!isObject(frontEnd)) throw new TypeError("Front-end must be a socket object");
    if (!isObject(backEnd)) throw new TypeError("Back-end must be a socket object");
    checkArgumentCount(arguments, 2);
    if (socketState(frontEnd) === undefined || socketState(backEnd) === undefined) {
      throw errnoError("EINVAL");
    }
    this.#frontEnd = frontEnd;
    this.#backEnd = backEnd;
  }

  /** The front-end socket (clients connect here). */
  get frontEnd(): F {
    return this.#frontEnd;
  }

  /** The back-end socket (services connect here). */
  get backEnd(): B {
    return this.#backEnd;
  }

  /**
   * Runs the proxy off the JavaScript thread until {@link Proxy.terminate};
   * both sockets are closed when it ends. Throws EINVAL unless both sockets
   * are bound or connected.
   */
  run(): Promise<void> {
    checkArgumentCount(arguments, 0);
    const front = socketState(this.#frontEnd)!;
    const back = socketState(this.#backEnd)!;
    if (front.endpoints === 0 || front.state === "closed") {
      throw errnoError("EINVAL", "Front-end socket must be bound or connected");
    }
    if (back.endpoints === 0 || back.state === "closed") {
      throw errnoError("EINVAL", "Back-end socket must be bound or connected");
    }
    if (front.state === "blocked" || back.state === "blocked") {
      throw errnoError("EBUSY", "Socket is blocked by a bind or unbind operation");
    }
    const proxy = new MainProxy(front.inner, back.inner);
    this.#running = proxy;
    front.state = back.state = "blocked";
    const end = () => {
      this.#running = undefined;
      for (const socket of [front, back]) {
        socket.state = "open";
        closeNow(socket);
      }
    };
    return proxy.run().then(end, (error) => {
      end();
      throw fromMainError(error);
    });
  }

  /** Stops forwarding until {@link Proxy.resume}; EBADF when not running. */
  pause(): void {
    checkArgumentCount(arguments, 0);
    this.#command().pause();
  }

  /** Forwards again after {@link Proxy.pause}; EBADF when not running. */
  resume(): void {
    checkArgumentCount(arguments, 0);
    this.#command().resume();
  }

  /** Ends the proxy; run()'s promise then resolves. EBADF when not running. */
  terminate(): void {
    checkArgumentCount(arguments, 0);
    void this.#command().terminate();
  }

  #command(): { pause(): void; resume(): void; terminate(): Promise<void> } {
    const proxy = this.#running;
    if (proxy === undefined || !proxy.running) throw errnoError("EBADF");
    return {
      pause: () => wrap(() => proxy.pause()),
      resume: () => wrap(() => proxy.resume()),
      terminate: () => proxy.terminate(),
    };
  }
}

function wrap(call: () => void): void {
  try {
    call();
  } catch (error) {
    throw fromMainError(error);
  }
}
