/**
 * `zmq <socket-type> <endpoint>... [message]...`: one socket of any type,
 * sending messages from the arguments or stdin and printing what arrives.
 *
 * What each kind of socket does:
 * - sends only (push, pub): sends every message, then exits once they left.
 * - receives only (pull, sub): prints messages until --count, --timeout or Ctrl-C.
 * - req: sends each message, prints its reply.
 * - rep: prints each request, answers with --echo, --reply, the arguments
 *   in turn, or the next line of stdin.
 * - the rest (dealer, router, pair, xpub, xsub, stream): sends and prints at
 *   once, until --count messages arrived, --timeout or Ctrl-C.
 *
 * @module
 */
import type * as Zmq from "../../mod.ts";
import { ExitCode, RuntimeError } from "../errors.ts";
import { formatMessage, messageSize } from "../frames.ts";
import { argumentSource, type MessageSource, stdinSource } from "../messages.ts";
import { formatBytes, formatCount } from "../progress.ts";
import { isAbort, isTimeout, Session } from "../session.ts";
import { attach, createSocket, describeEndpoints } from "../socket_setup.ts";
import type { SocketPlan } from "./socket_plan.ts";

type Sender = Zmq.Socket & Zmq.Writable;
type Receiver = Zmq.Socket & Zmq.Readable;

/** Runs a checked socket command; resolves to the exit code. */
export async function runSocket(plan: SocketPlan): Promise<number> {
  const session = await Session.open({
    label: `zmq ${plan.name}`,
    quiet: plan.quiet,
    verbose: plan.verbose,
    progress: plan.progress,
  });
  let failed = true;
  try {
    const socket = createSocket(session, {
      name: plan.name,
      options: plan.options,
      linger: plan.linger,
      curve: plan.curve,
    });
    // A push queues to a connection libzmq has not made yet (to nobody) and
    // reports success; it must wait for a real peer, or fail at --timeout.
    if (plan.name === "push" && !plan.options.some((o) => /^(ZMQ_)?immediate=/i.test(o))) {
      socket.setOption("immediate", true);
    }
    await attach(socket, plan.endpoints, session.reporter);
    const runner = new SocketRunner(plan, session, socket);
    await runner.subscribe();
    const show: ("sent" | "received")[] = [];
    if (plan.info.sends) show.push("sent");
    if (plan.info.receives) show.push("received");
    session.startProgress({ show });
    await runner.run();
    runner.reportTotals();
    failed = false;
    return ExitCode.ok;
  } finally {
    await session.close(failed);
  }
}

/** The loops of one socket command. */
class SocketRunner {
  #plan: SocketPlan;
  #session: Session;
  #socket: Zmq.Socket;
  #source: MessageSource | undefined;

  constructor(plan: SocketPlan, session: Session, socket: Zmq.Socket) {
    this.#plan = plan;
    this.#session = session;
    this.#socket = socket;
  }

  /** Subscribes a sub or xsub socket (to everything without --subscribe). */
  async subscribe(): Promise<void> {
    const { name, subscribe } = this.#plan;
    if (name === "sub") {
      (this.#socket as Zmq.Subscriber).subscribe(...subscribe);
      for (const prefix of subscribe) this.#session.reporter.detail(`subscribed to "${prefix}"`);
    } else if (name === "xsub") {
      const encoder = new TextEncoder();
      for (const prefix of subscribe.length === 0 ? [""] : subscribe) {
        const body = encoder.encode(prefix);
        const message = new Uint8Array(body.byteLength + 1);
        message[0] = 1;
        message.set(body, 1);
        await this.#send([message], "a subscription");
      }
    }
  }

  /** Runs until done; throws RuntimeError on a timeout. */
  async run(): Promise<void> {
    const { name, info } = this.#plan;
    if (!info.receives) return await this.#sendAll(this.#plan.count);
    if (!info.sends) return await this.#receiveAll();
    if (name === "req") return await this.#requestAll();
    if (name === "rep") return await this.#answerAll();
    await this.#duplex();
  }

  /** With --verbose, what moved. */
  reportTotals(): void {
    const { sent, received, started } = this.#session.stats;
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const parts: string[] = [];
    if (this.#plan.info.sends) {
      parts.push(`sent ${formatCount(sent.messages)} (${formatBytes(sent.bytes)})`);
    }
    if (this.#plan.info.receives) {
      parts.push(`received ${formatCount(received.messages)} (${formatBytes(received.bytes)})`);
    }
    this.#session.reporter.detail(`${parts.join(", ")} in ${seconds} s`);
  }

  /** The messages to send: the arguments, or stdin. */
  #messages(total?: number): MessageSource {
    if (this.#source !== undefined) return this.#source;
    const { messages, input, separator } = this.#plan;
    this.#source = messages.length > 0
      ? argumentSource(messages, total)
      : stdinSource(input, separator, this.#session.signal);
    return this.#source;
  }

  /** Sends every message of the source, or `count` of them. */
  async #sendAll(count: number | undefined): Promise<void> {
    const { delay, interval } = this.#plan;
    const source = this.#messages(count);
    await this.#session.pause(delay);
    let sent = 0;
    while (!this.#session.stopped && (count === undefined || sent < count)) {
      const message = await source.next();
      if (message === undefined) break;
      if (sent > 0) await this.#session.pause(interval);
      if (this.#session.stopped) break;
      if (!await this.#send(message, "a message")) break;
      sent++;
    }
  }

  async #receiveAll(): Promise<void> {
    const { count } = this.#plan;
    let received = 0;
    while (!this.#session.stopped && (count === undefined || received < count)) {
      const message = await this.#receive("a message");
      if (message === undefined) break;
      received++;
      await this.#print(message);
    }
  }

  async #requestAll(): Promise<void> {
    const { count, timeout } = this.#plan;
    const source = this.#messages(count);
    await this.#session.pause(this.#plan.delay);
    let done = 0;
    while (!this.#session.stopped && (count === undefined || done < count)) {
      const request = await source.next();
      if (request === undefined) break;
      if (done > 0) await this.#session.pause(this.#plan.interval);
      // One deadline for the whole exchange: a REQ with no peer waits in send.
      const deadline = timeout === undefined ? undefined : performance.now() + timeout;
      if (!await this.#send(request, "the request", deadline)) break;
      const reply = await this.#receive("a reply", deadline);
      if (reply === undefined) break;
      done++;
      await this.#print(reply);
    }
  }

  async #answerAll(): Promise<void> {
    const { count, echo, reply } = this.#plan;
    const answers = echo || reply !== undefined ? undefined : this.#messages(count);
    let done = 0;
    while (!this.#session.stopped && (count === undefined || done < count)) {
      const request = await this.#receive("a request");
      if (request === undefined) break;
      await this.#print(request);
      const answer = echo ? request : reply ?? await answers!.next();
      if (answer === undefined) {
        this.#session.reporter.detail("no more answers (end of input)");
        break;
      }
      if (!await this.#send(answer, "the reply")) break;
      done++;
    }
  }

  async #duplex(): Promise<void> {
    const { count, messages } = this.#plan;
    // Without message arguments a socket reads stdin only if it has nothing else to do.
    const sending = messages.length > 0 || (!this.#plan.echo && this.#plan.reply === undefined)
      ? this.#sendAll(messages.length > 0 ? messages.length : undefined)
      : Promise.resolve();
    let failure: unknown;
    const sendFailed = sending.catch((error) => {
      failure = error;
      this.#session.stop();
    });
    let received = 0;
    try {
      while (!this.#session.stopped && (count === undefined || received < count)) {
        const message = await this.#receive("a message");
        if (message === undefined) break;
        received++;
        await this.#print(message);
        const answer = this.#answerTo(message);
        if (answer !== undefined) await this.#send(answer, "the answer");
      }
    } finally {
      if (failure === undefined) this.#session.stop();
      await sendFailed;
    }
    if (failure !== undefined) throw failure;
  }

  /** The answer to `message` under --echo or --reply, with the envelope routing needs. */
  #answerTo(message: Uint8Array[]): Uint8Array[] | undefined {
    const { echo, reply, name } = this.#plan;
    if (!echo && reply === undefined) return undefined;
    if (echo) {
      // A Stream's empty frame announces a connection; echoing it would close it.
      if (name === "stream" && (message[1]?.byteLength ?? 0) === 0) return undefined;
      return message;
    }
    if (name === "stream") {
      if ((message[1]?.byteLength ?? 0) === 0) return undefined;
      return [message[0], ...reply!];
    }
    if (name === "router") {
      // Keep the routing id and, for REQ peers, everything up to the empty delimiter.
      const delimiter = message.findIndex((frame, index) => index > 0 && frame.byteLength === 0);
      const envelope = delimiter === -1 ? message.slice(0, 1) : message.slice(0, delimiter + 1);
      return [...envelope, ...reply!];
    }
    return reply;
  }

  /** Sends; false when the run was stopped meanwhile. */
  async #send(message: Uint8Array[], what: string, deadline?: number): Promise<boolean> {
    const socket = this.#socket as Sender;
    const timeout = this.#remaining(deadline);
    try {
      if (!socket.trySend(message)) {
        await socket.send(message, { timeout, signal: this.#session.signal });
      }
    } catch (error) {
      if (isAbort(error) || this.#session.stopped) return false;
      if (isTimeout(error)) {
        throw new RuntimeError(
          `could not send ${what} within ${this.#plan.timeout} ms: no peer ready on ${
            describeEndpoints(this.#plan.endpoints)
          }`,
        );
      }
      throw error;
    }
    this.#session.stats.countSent(messageSize(message));
    return true;
  }

  /** Receives; undefined when the run was stopped meanwhile. */
  async #receive(what: string, deadline?: number): Promise<Uint8Array[] | undefined> {
    const socket = this.#socket as Receiver;
    let message = socket.tryReceive();
    if (message === null) {
      try {
        message = await socket.receive({
          timeout: this.#remaining(deadline),
          signal: this.#session.signal,
        });
      } catch (error) {
        if (isAbort(error) || this.#session.stopped) return undefined;
        if (isTimeout(error)) {
          throw new RuntimeError(
            `no ${what.replace(/^an? /, "")} within ${this.#plan.timeout} ms ${
              what === "a reply" ? "from" : "on"
            } ${describeEndpoints(this.#plan.endpoints)}`,
          );
        }
        throw error;
      }
    }
    this.#session.stats.countReceived(messageSize(message));
    return message;
  }

  #remaining(deadline: number | undefined): number | undefined {
    if (deadline === undefined) return this.#plan.timeout;
    return Math.max(1, Math.round(deadline - performance.now()));
  }

  async #print(message: Uint8Array[]): Promise<void> {
    const { format, separator } = this.#plan;
    await this.#session.output.line(formatMessage(message, format, separator));
  }
}
