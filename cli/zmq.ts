#!/usr/bin/env -S deno run -A
/**
 * The `zmq` command-line tool: send and receive with any socket type, run a
 * device, watch a socket's events, make CURVE keys and check throughput
 * from a shell. The same file runs under Deno and Bun:
 *
 * ```sh
 * deno run -A cli/zmq.ts --help     # or: deno task zmq --help
 * bun cli/zmq.ts --help
 * zmq pull 'tcp://*:5555' &         # once installed as `zmq`
 * echo hi | zmq push tcp://127.0.0.1:5555
 * ```
 *
 * Exit codes: 0 success, 1 runtime error, 2 usage error; errors are one
 * line on stderr, never a stack trace.
 *
 * @module
 */
import process from "node:process";
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "./args.ts";
import { commands, findCommand } from "./commands.ts";
import { describeFailure, ExitCode, UsageError } from "./errors.ts";
import { commandHelp, mainHelp } from "./help.ts";
import { socketTypeNames } from "./socket_types.ts";

/** Runs the tool with `argv` (the arguments after the script); resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    return await dispatch(argv);
  } catch (error) {
    const { code, message } = describeFailure(error);
    process.stderr.write(`zmq: ${lowerFirst(message)}\n`);
    return code;
  }
}

async function dispatch(argv: readonly string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    process.stderr.write(mainHelp(commands));
    return ExitCode.usage;
  }
  if (first === "--help" || first === "-h" || first === "help") {
    const topic = first === "help" ? rest[0] : undefined;
    if (topic === undefined) return print(mainHelp(commands));
    const command = findCommand(topic.toLowerCase());
    if (command === undefined) throw unknownCommand(topic);
    return print(commandHelp(command));
  }
  if (first === "--version" || first === "-V") {
    return await findCommand("version")!.run({
      flags: {},
      positionals: rest,
    });
  }
  const command = findCommand(first.toLowerCase());
  if (command === undefined) throw unknownCommand(first);
  const args = parseArgs(rest, command.flags, `zmq ${command.name}`);
  if (args.flags.help === true) return print(commandHelp(command));
  return await command.run(args);
}

function unknownCommand(name: string): UsageError {
  if (name.startsWith("-")) return new UsageError(`unknown flag "${name}" (see "zmq --help")`);
  const others = commands.map((c) => c.name).filter((c) =>
    !(socketTypeNames as readonly string[]).includes(c)
  );
  return new UsageError(
    `unknown socket type "${name}" (expected one of: ${socketTypeNames.join(", ")}; ` +
      `or a command: ${others.join(", ")})`,
  );
}

async function print(text: string): Promise<number> {
  await new Promise<void>((resolve) => process.stdout.write(text, () => resolve()));
  return ExitCode.ok;
}

/** "Cannot bind ..." -> "cannot bind ...", so every line reads "zmq: lower case". */
function lowerFirst(message: string): string {
  return /^[A-Z][a-z]/.test(message) ? message[0].toLowerCase() + message.slice(1) : message;
}

/** True when this file is the program (not imported), in Deno, Bun and Node. */
function isMainModule(): boolean {
  const meta = import.meta as ImportMeta & { main?: boolean };
  if (typeof meta.main === "boolean") return meta.main;
  try {
    return realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isMainModule()) {
  // A promise nobody awaited must still end as one line, not a stack trace.
  const fatal = (reason: unknown) => {
    process.stderr.write(`zmq: ${lowerFirst(describeFailure(reason).message)}\n`);
    process.exit(ExitCode.failure);
  };
  process.on("unhandledRejection", fatal);
  process.on("uncaughtException", fatal);
  const code = await main(process.argv.slice(2));
  process.exit(code);
}
