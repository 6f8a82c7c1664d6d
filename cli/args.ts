/**
 * A small command-line parser: long flags (`--count 5`, `--count=5`), short
 * aliases (`-n 5`), repeatable flags, `--` to end the flags, and positionals
 * anywhere in between. Every mistake is a UsageError naming the flag.
 *
 * @module
 */
import { UsageError } from "./errors.ts";

/** How a flag takes its value. */
export type FlagKind =
  | "boolean" // --echo
  | "string" // --reply TEXT
  | "list" // --subscribe A --subscribe B (repeatable)
  | "integer"; // --count 5

/** One flag a command accepts. */
export interface FlagSpec {
  /** The long name without dashes: "count". */
  readonly name: string;
  /** A one-letter alias without the dash: "n". */
  readonly short?: string;
  readonly kind: FlagKind;
  /** What the value is called in help ("N", "MS", "TEXT"). */
  readonly value?: string;
  /** One line of help. */
  readonly help: string;
  /** The values allowed, for a string flag. */
  readonly choices?: readonly string[];
  /** The smallest value allowed, for an integer flag. */
  readonly min?: number;
}

/** What {@link parseArgs} found. */
export interface ParsedArgs {
  /** Flag values by long name: boolean, string, number or string[]. */
  readonly flags: Record<string, boolean | string | number | string[] | undefined>;
  /** The arguments that are not flags, in order. */
  readonly positionals: string[];
}

/**
 * Parses `argv` against `specs`. `command` names the command in error
 * messages ("zmq push").
 */
export function parseArgs(
  argv: readonly string[],
  specs: readonly FlagSpec[],
  command: string,
): ParsedArgs {
  const byName = new Map(specs.map((spec) => [spec.name, spec]));
  const byShort = new Map(
    specs.filter((spec) => spec.short !== undefined).map((spec) => [spec.short!, spec]),
  );
  const flags: ParsedArgs["flags"] = {};
  const positionals: string[] = [];
  const hint = `see "${command} --help"`;

  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index];
    if (arg === "--") {
      positionals.push(...argv.slice(index + 1));
      break;
    }
    // "-" alone and anything not starting with a dash is a positional.
    if (!arg.startsWith("-") || arg === "-") {
      positionals.push(arg);
      continue;
    }
    let spec: FlagSpec | undefined;
    let inline: string | undefined;
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      if (eq !== -1) inline = arg.slice(eq + 1);
      spec = byName.get(name);
      if (spec === undefined && name.startsWith("no-")) {
        const negated = byName.get(name.slice(3));
        if (negated?.kind === "boolean" && inline === undefined) {
          flags[negated.name] = false;
          continue;
        }
      }
    } else {
      // -n5 and -n 5 both work; -n=5 too.
      spec = byShort.get(arg[1]);
      if (arg.length > 2) inline = arg[2] === "=" ? arg.slice(3) : arg.slice(2);
      if (spec?.kind === "boolean" && inline !== undefined) spec = undefined;
    }
    if (spec === undefined) {
      throw new UsageError(`unknown flag "${arg}" for "${command}" (${hint})`);
    }
    const label = `--${spec.name}`;
    if (spec.kind === "boolean") {
      if (inline !== undefined) {
        if (inline !== "true" && inline !== "false") {
          throw new UsageError(`${label} takes no value, got "${inline}" (${hint})`);
        }
        flags[spec.name] = inline === "true";
      } else {
        flags[spec.name] = true;
      }
      continue;
    }
    let value = inline;
    if (value === undefined) {
      if (index + 1 >= argv.length) {
        throw new UsageError(`${label} needs a value${spec.value ? ` (${spec.value})` : ""}`);
      }
      value = argv[++index];
    }
    if (spec.kind === "list") {
      const list = (flags[spec.name] as string[] | undefined) ?? [];
      list.push(value);
      flags[spec.name] = list;
    } else if (spec.kind === "integer") {
      flags[spec.name] = parseInteger(value, spec);
    } else {
      if (spec.choices !== undefined && !spec.choices.includes(value)) {
        throw new UsageError(
          `${label} must be one of ${spec.choices.join(", ")}, got "${value}"`,
        );
      }
      flags[spec.name] = value;
    }
  }
  return { flags, positionals };
}

function parseInteger(text: string, spec: FlagSpec): number {
  const label = `--${spec.name}`;
  if (!/^-?\d+$/.test(text.trim())) {
    throw new UsageError(`${label} must be a whole number, got "${text}"`);
  }
  const value = Number(text);
  if (!Number.isSafeInteger(value)) {
    throw new UsageError(`${label} is too large: "${text}"`);
  }
  if (spec.min !== undefined && value < spec.min) {
    throw new UsageError(`${label} must be at least ${spec.min}, got ${value}`);
  }
  return value;
}

/** The flags every command has. */
export const commonFlags: readonly FlagSpec[] = [
  { name: "help", short: "h", kind: "boolean", help: "show this help and exit" },
  { name: "quiet", short: "q", kind: "boolean", help: "print nothing on stderr but errors" },
  {
    name: "verbose",
    short: "v",
    kind: "boolean",
    help: "say on stderr what happens (binds, connects, totals)",
  },
];
