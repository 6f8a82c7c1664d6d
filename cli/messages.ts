/**
 * Where the messages a socket sends come from: the arguments after the
 * endpoints (cycled up to --count where asked), or stdin, one per line.
 *
 * @module
 */
import process from "node:process";
import { createInterface } from "node:readline";
import { type Format, parseMessage } from "./frames.ts";

/** A supply of messages; `undefined` means there are no more. */
export interface MessageSource {
  next(): Promise<Uint8Array[] | undefined>;
}

/** Messages from arguments: each once, or round and round until `total` were given. */
export function argumentSource(messages: readonly Uint8Array[][], total?: number): MessageSource {
  let given = 0;
  const limit = total ?? messages.length;
  return {
    next: () => {
      if (given >= limit || messages.length === 0) return Promise.resolve(undefined);
      return Promise.resolve(messages[given++ % messages.length]);
    },
  };
}

/**
 * Messages from stdin lines, parsed as `format`. Ends at end of input, or
 * early when `signal` aborts.
 */
export function stdinSource(
  format: Format,
  separator: string | undefined,
  signal: AbortSignal,
): MessageSource {
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  const iterator = lines[Symbol.asyncIterator]();
  let number = 0;
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    lines.close();
    // Nothing else reads stdin: let it stop holding the process open.
    process.stdin.pause();
  };
  // Closing the interface ends a pending next() too.
  if (signal.aborted) end();
  else signal.addEventListener("abort", end, { once: true });
  return {
    next: async () => {
      if (ended) return undefined;
      const result = await iterator.next();
      if (result.done || ended) {
        end();
        return undefined;
      }
      number++;
      return parseMessage(result.value, format, separator, `stdin line ${number}`);
    },
  };
}
