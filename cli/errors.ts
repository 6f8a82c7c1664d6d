/**
 * The two ways a command fails, and the exit codes scripts can rely on:
 * 0 success, 1 a runtime error (a timeout, an address in use), 2 a usage
 * error (a bad flag, an unknown socket type, a malformed endpoint).
 *
 * @module
 */

/** Exit codes of the `zmq` tool. */
export const ExitCode = { ok: 0, failure: 1, usage: 2 } as const;

/** The command line was wrong: exit 2 after one line on stderr. */
export class UsageError extends Error {
  /** Makes a usage error; `message` is the whole line shown after "zmq: ". */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Something went wrong while running (a timeout, an unreachable peer): exit 1. */
export class RuntimeError extends Error {
  /** Makes a runtime error; `message` is the whole line shown after "zmq: ". */
  constructor(message: string) {
    super(message);
    this.name = "RuntimeError";
  }
}

// libzmq's answers to an endpoint that cannot be right, whatever the network does.
const BAD_ENDPOINT_CODES = new Set(["EINVAL", "EPROTONOSUPPORT", "ENOCOMPATPROTO", "ENODEV"]);

/** True when a bind or connect failed because the endpoint itself is malformed. */
export function isBadEndpoint(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && BAD_ENDPOINT_CODES.has(code);
}

/** The exit code and the one line to print for anything a command threw. */
export function describeFailure(error: unknown): { code: number; message: string } {
  if (error instanceof UsageError) return { code: ExitCode.usage, message: error.message };
  if (error instanceof TypeError || error instanceof RangeError) {
    // The library's TypeErrors are about values the user passed (option values, keys).
    return { code: ExitCode.usage, message: firstLine(error.message) };
  }
  if (error instanceof Error) {
    // LibraryLoadError lists every path it tried: that list is the useful part.
    if (error.name === "LibraryLoadError") {
      return { code: ExitCode.failure, message: error.message };
    }
    return { code: ExitCode.failure, message: firstLine(error.message) };
  }
  return { code: ExitCode.failure, message: String(error) };
}

function firstLine(text: string): string {
  return text.split("\n", 1)[0];
}
