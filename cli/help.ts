/**
 * The help texts: `zmq --help` lists everything, `zmq <command> --help`
 * explains one command and all its flags.
 *
 * @module
 */
import type { FlagSpec } from "./args.ts";
import type { Command } from "./commands.ts";
import { socketTypeNames } from "./socket_types.ts";

const EXIT_CODES =
  "Exit codes: 0 success, 1 runtime error (a timeout, an address in use), 2 usage error.";

/** The overview `zmq --help` prints. */
export function mainHelp(commands: readonly Command[]): string {
  const socketCommands = commands.filter((c) =>
    (socketTypeNames as readonly string[]).includes(c.name)
  );
  const others = commands.filter((c) => !socketCommands.includes(c));
  const list = (items: readonly Command[]) => items.map((c) => `  ${c.name.padEnd(9)}${c.summary}`);
  return [
    "zmq: ZeroMQ from the shell, on Deno and Bun",
    "",
    "Usage:",
    "  zmq <socket-type> <endpoint>... [message]... [flags]",
    "  zmq proxy queue|forwarder|streamer <frontend> <backend> [flags]",
    "  zmq monitor <endpoint>... [flags]",
    "  zmq keygen | zmq bench | zmq --version",
    "  zmq help <command>   (or zmq <command> --help)",
    "",
    "Socket types:",
    ...list(socketCommands),
    "",
    "Commands:",
    ...list(others),
    "",
    "Examples:",
    "  zmq pull 'tcp://*:5555' &                  # prints what arrives",
    "  echo hi | zmq push tcp://127.0.0.1:5555",
    "  zmq rep 'tcp://*:5555' --echo &",
    '  zmq req tcp://127.0.0.1:5555 "question"    # prints the reply',
    "  zmq sub tcp://127.0.0.1:5556 --subscribe weather --format json",
    "",
    "An endpoint with a * binds, any other connects (see zmq push --help).",
    "Messages come from the arguments after the endpoints, else from stdin lines.",
    EXIT_CODES,
    "",
  ].join("\n");
}

/** The help of one command. */
export function commandHelp(command: Command): string {
  const lines = [`zmq ${command.name}: ${command.summary}`, "", "Usage:"];
  lines.push(...command.usage.map((usage) => `  ${usage}`));
  if (command.about.length > 0) lines.push("", ...command.about);
  lines.push("", "Flags:", ...flagLines(command.flags));
  if (command.examples.length > 0) {
    lines.push("", "Examples:", ...command.examples.map((example) => `  ${example}`));
  }
  lines.push("", EXIT_CODES, "");
  return lines.join("\n");
}

function flagLines(flags: readonly FlagSpec[]): string[] {
  const left = flags.map((flag) => {
    const short = flag.short === undefined ? "    " : `-${flag.short}, `;
    const value = flag.value === undefined ? "" : ` ${flag.value}`;
    const repeat = flag.kind === "list" ? " ..." : "";
    return `  ${short}--${flag.name}${value}${repeat}`;
  });
  const width = Math.max(...left.map((text) => text.length)) + 2;
  return flags.map((flag, index) => `${left[index].padEnd(width)}${flag.help}`);
}
