/**
 * Devices: a proxy that shuttles messages between two sockets on a thread of
 * its own, steered (pause, resume, terminate) from JavaScript.
 *
 * @module
 */
import { Worker } from "node:worker_threads";
import { loadNative } from "../ffi/load.ts";
import { errorFor, misuse } from "./errors.ts";
import { engine, type Socket } from "./socket.ts";
import { type InternalSocket, openInternalSocket } from "./internal_socket.ts";
import type { SocketEngine } from "./socket_engine.ts";
import type { ProxyEnd, ProxyStart } from "./proxy_worker.ts";
import { siblingModule } from "./sibling_module.ts";

let proxyCount = 0;

// libzmq's proxy copies every message, and every control command, to the
// capture socket with a blocking send: a capture that cannot take one (no
// peer yet, or a peer that does not read) would stall the proxy for good,
// terminate() included. A send timeout on the capture (unless the caller
// chose one) ends the proxy with EAGAIN instead.
const CAPTURE_SEND_TIMEOUT_MS = 1_000;

/** Messages and bytes a proxy moved, per side, as libzmq counts them. */
export interface ProxyStatistics {
  /** Traffic on the frontend socket. */
  frontend: { messagesIn: number; bytesIn: number; messagesOut: number; bytesOut: number };
  /** Traffic on the backend socket. */
  backend: { messagesIn: number; bytesIn: number; messagesOut: number; bytesOut: number };
}

/**
 * A proxy (device) between a frontend and a backend socket, running
 * `zmq_proxy_steerable` off the JavaScript thread. While it runs, the sockets
 * belong to it: using them directly fails with EBUSY.
 *
 * The three classic devices: queue (Router frontend, Dealer backend),
 * forwarder (XSubscriber frontend, XPublisher backend) and streamer
 * (Pull frontend, Push backend).
 *
 * @example Queue device
 * ```ts
 * import * as zmq from "./mod.ts";
 * const frontend = new zmq.Router();
 * await frontend.bind("tcp://127.0.0.1:*"); // clients (Request) connect here
 * const backend = new zmq.Dealer();
 * await backend.bind("tcp://127.0.0.1:*"); // workers (Reply) connect here
 * const proxy = new zmq.Proxy(frontend, backend);
 * const done = proxy.run();
 * // ... later
 * await proxy.terminate();
 * await done;
 * ```
 */
export class Proxy {
  /** The socket clients talk to. */
  readonly frontend: Socket;
  /** The socket services talk to. */
  readonly backend: Socket;
  /** The socket that gets a copy of every message, if any. */
  readonly capture: Socket | undefined;
  #control: InternalSocket | undefined;
  #controlEndpoint: string | undefined;
  #running: Promise<void> | undefined;
  #ended = false;
  #statisticsPending = false;
  #proxyControlHandle: bigint | undefined;
  #theirControl: InternalSocket | undefined;
  #terminating = false;
  // 1 while paused: the proxy thread reads it when a signal made libzmq's proxy return.
  #paused = new Int32Array(new SharedArrayBuffer(4));

  /** Sets a proxy up; {@link Proxy.run} starts it. */
  constructor(frontend: Socket, backend: Socket, capture?: Socket) {
    const sockets = capture === undefined ? [frontend, backend] : [frontend, backend, capture];
    for (const [index, socket] of sockets.entries()) {
      const role = ["frontend", "backend", "capture"][index];
      if (socket === null || typeof socket !== "object" || !(engine in socket)) {
        throw new TypeError(`Proxy ${role} must be a socket, got ${String(socket)}`);
      }
      if (socket.closed) throw misuse("ENOTSOCK", `Proxy ${role} socket is closed`);
    }
    if (new Set(sockets).size !== sockets.length) {
      throw new TypeError("A Proxy needs distinct sockets: the same socket was given twice");
    }
    if (capture !== undefined && !("send" in capture)) {
      throw new TypeError(`A Proxy's capture socket must be able to send; ${capture.type} cannot`);
    }
    this.frontend = frontend;
    this.backend = backend;
    this.capture = capture;
  }

  /** True while {@link Proxy.run} is running. */
  get running(): boolean {
    return this.#running !== undefined && !this.#ended;
  }

  /**
   * Starts the proxy on its own thread; resolves when it ends
   * ({@link Proxy.terminate}, or a socket or the context closing). Rejects
   * with a ZmqError when it stopped for another reason: EAGAIN when its
   * capture socket could not take a message in time, ETERM when only the
   * capture socket's context was terminated (a context borrowed with
   * `Context.fromHandle`, terminated by its owner). A signal that interrupts
   * libzmq's proxy (EINTR) does not end it: it runs again, paused if it was.
   */
  run(): Promise<void> {
    if (this.#running !== undefined) {
      return Promise.reject(misuse("EBUSY", "This Proxy has already run; make a new one"));
    }
    const borrowed: SocketEngine[] = [];
    const capture = this.capture;
    let restoreCapture = () => {};
    try {
      if (capture !== undefined && capture.getOption("sendTimeout") === -1) {
        capture.setOption("sendTimeout", CAPTURE_SEND_TIMEOUT_MS);
        restoreCapture = () => {
          try {
            if (!capture.closed && !capture[engine].lent) capture.setOption("sendTimeout", -1);
          } catch {
            // Its context was terminated meanwhile: there is nothing left to restore.
          }
        };
      }
      this.#openControl();
      const sockets = [this.frontend, this.backend, this.capture].filter((s) => s !== undefined);
      for (const socket of sockets) {
        socket[engine].lend("Proxy", () => void this.terminate());
        borrowed.push(socket[engine]);
      }
    } catch (error) {
      for (const engine of borrowed) engine.giveBack();
      restoreCapture();
      this.#closeControl();
      this.#ended = true;
      this.#running = Promise.reject(error);
      return this.#running;
    }
    const native = loadNative();
    const handle = (socket: Socket | undefined) =>
      socket === undefined ? 0n : native.pointerToBigInt(socket[engine].pointer);
    const start: ProxyStart = {
      frontend: handle(this.frontend),
      backend: handle(this.backend),
      capture: handle(this.capture),
      control: this.#proxyControlHandle!,
      paused: this.#paused.buffer as SharedArrayBuffer,
    };
    this.#running = new Promise<void>((resolve, reject) => {
      // Settles run() exactly once, whatever giving the sockets back throws.
      const finish = (error?: Error) => {
        if (this.#ended) return;
        this.#ended = true;
        for (const engine of borrowed) {
          try {
            engine.giveBack();
          } catch {
            // a close that waited for the loan failed: the socket is closed either way
          }
        }
        restoreCapture();
        this.#closeControl();
        if (error === undefined) resolve();
        else reject(error);
      };
      let worker: Worker;
      try {
        worker = new Worker(siblingModule("proxy_worker", import.meta.url));
      } catch (error) {
        finish(error instanceof Error ? error : new Error(String(error)));
        return;
      }
      worker.once("message", (end: ProxyEnd) => {
        void worker.terminate();
        finish(this.#endError(end));
      });
      worker.once("error", (error: Error) => finish(error));
      worker.postMessage(start);
    });
    return this.#running;
  }

  /** How the proxy thread's end is reported: undefined for a normal end. */
  #endError(end: ProxyEnd): Error | undefined {
    // TERMINATE ends with 0.
    if (end.rc === 0) return undefined;
    const error = errorFor(end.errno, "The proxy stopped");
    if (error.code === "EAGAIN" && this.capture !== undefined) {
      // Only the capture socket is sent to with a timeout: it could not keep up.
      return this.#terminating ? undefined : misuse(
        "EAGAIN",
        "The proxy stopped: its capture socket could not take a message in time " +
          "(it needs a connected peer that reads, or use a Publisher, which never blocks)",
      );
    }
    if (error.code === "ETERM") {
      // The proxy's own context ending (the frontend's or backend's) is a
      // normal end. Otherwise only the capture's context can have ended: one
      // borrowed with Context.fromHandle, whose owner terminated it.
      const ownContextEnded = !this.frontend.context.live || !this.backend.context.live;
      if (ownContextEnded || this.#terminating || this.capture === undefined) return undefined;
      return misuse(
        "ETERM",
        "The proxy stopped: the context of its capture socket was terminated " +
          "(a context borrowed with Context.fromHandle, terminated by its owner)",
      );
    }
    return error;
  }

  /** Stops forwarding until {@link Proxy.resume}; messages wait in the sockets' queues. */
  pause(): void {
    this.#command("PAUSE");
    Atomics.store(this.#paused, 0, 1);
  }

  /** Forwards again after {@link Proxy.pause}. */
  resume(): void {
    this.#command("RESUME");
    Atomics.store(this.#paused, 0, 0);
  }

  /** Ends the proxy; the promise from {@link Proxy.run} resolves. Calling it again does nothing. */
  terminate(): Promise<void> {
    if (this.#running === undefined || this.#ended) return Promise.resolve();
    this.#terminating = true;
    try {
      this.#command("TERMINATE");
    } catch {
      // The control socket is gone (its context is terminating): the
      // context's shutdown ends the proxy thread instead.
    }
    return this.#running.catch(() => {});
  }

  /**
   * Asks the running proxy how much it moved, as libzmq counts it: since the
   * proxy started, or since it started again after a signal interrupted it.
   *
   * @example
   * ```ts
   * import * as zmq from "./mod.ts";
   * declare const proxy: zmq.Proxy;
   * const stats = await proxy.statistics();
   * console.log(stats.frontend.messagesIn, stats.backend.bytesOut);
   * ```
   */
  async statistics(): Promise<ProxyStatistics> {
    if (this.#statisticsPending) {
      throw misuse("EBUSY", "A statistics request is already pending on this Proxy");
    }
    this.#command("STATISTICS");
    this.#statisticsPending = true;
    try {
      const frames = await this.#control!.engine.receive({ timeout: 5000 });
      const n = frames.map((f) =>
        Number(new DataView(f.buffer, f.byteOffset, f.byteLength).getBigUint64(0, true))
      );
      return {
        frontend: { messagesIn: n[0], bytesIn: n[1], messagesOut: n[2], bytesOut: n[3] },
        backend: { messagesIn: n[4], bytesIn: n[5], messagesOut: n[6], bytesOut: n[7] },
      };
    } finally {
      this.#statisticsPending = false;
    }
  }

  #command(command: "PAUSE" | "RESUME" | "TERMINATE" | "STATISTICS"): void {
    if (this.#running === undefined) {
      throw misuse(
        "EFSM",
        `Cannot ${command.toLowerCase()} a Proxy that is not running: call run() first`,
      );
    }
    if (this.#ended) {
      throw misuse("EFSM", `Cannot ${command.toLowerCase()} a Proxy that has ended`);
    }
    if (!this.#control!.engine.trySend([command])) {
      throw misuse("EAGAIN", `The proxy did not take the ${command} command`);
    }
  }

  // Two PAIR sockets over inproc: the proxy thread reads one, we write the other.
  #openControl(): void {
    const context = this.frontend.context;
    const endpoint = `inproc://zmq.proxy.control.${++proxyCount}`;
    this.#theirControl = openInternalSocket(context, {
      type: "PAIR",
      describe: "Proxy control socket",
      bind: endpoint,
    });
    this.#control = openInternalSocket(context, {
      type: "PAIR",
      describe: "Proxy control socket",
      connect: endpoint,
    });
    this.#proxyControlHandle = loadNative().pointerToBigInt(this.#theirControl.engine.pointer);
  }

  #closeControl(): void {
    void this.#control?.close();
    void this.#theirControl?.close();
    this.#control = this.#theirControl = undefined;
  }
}
