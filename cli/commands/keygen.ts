/**
 * `zmq keygen`: a new CURVE key pair in Z85 (40 characters each), or the
 * public key of a given secret key.
 *
 * @module
 */
import process from "node:process";
import { commonFlags, type FlagSpec, type ParsedArgs } from "../args.ts";
import { ExitCode, RuntimeError, UsageError } from "../errors.ts";
import { loadLibrary } from "../session.ts";

/** The flags of `zmq keygen`. */
export const keygenFlags: FlagSpec[] = [
  {
    name: "format",
    short: "f",
    kind: "string",
    value: "FORMAT",
    choices: ["text", "json"],
    help: 'text (default): "public-key: ..." and "secret-key: ..." lines; json: one object',
  },
  {
    name: "secret",
    kind: "string",
    value: "SECRET",
    help: "derive the public key of this secret key instead of making a new pair",
  },
  ...commonFlags,
];

/** A checked `zmq keygen` command line. */
export interface KeygenPlan {
  format: "text" | "json";
  secret?: string;
}

/** Checks `zmq keygen ...`. */
export function planKeygen(args: ParsedArgs): KeygenPlan {
  if (args.positionals.length > 0) {
    throw new UsageError(`unexpected argument "${args.positionals[0]}" for "zmq keygen"`);
  }
  const secret = args.flags.secret as string | undefined;
  if (secret !== undefined && secret.length !== 40) {
    throw new UsageError(
      `--secret must be a 40-character Z85 key, got ${secret.length} characters`,
    );
  }
  return { format: (args.flags.format as "text" | "json" | undefined) ?? "text", secret };
}

/** Prints the keys; resolves to the exit code. */
export async function runKeygen(plan: KeygenPlan): Promise<number> {
  const zmq = await loadLibrary();
  if (!zmq.has("curve")) throw new RuntimeError("this libzmq was built without CURVE security");
  let keys: { publicKey: string; secretKey: string };
  if (plan.secret === undefined) {
    keys = zmq.curveKeyPair();
  } else {
    try {
      keys = { publicKey: zmq.curvePublic(plan.secret), secretKey: plan.secret };
    } catch {
      throw new UsageError("--secret is not a valid Z85 key (40 characters from the Z85 alphabet)");
    }
  }
  const text = plan.format === "json"
    ? JSON.stringify({ publicKey: keys.publicKey, secretKey: keys.secretKey })
    : `public-key: ${keys.publicKey}\nsecret-key: ${keys.secretKey}`;
  await new Promise<void>((resolve) => process.stdout.write(`${text}\n`, () => resolve()));
  return ExitCode.ok;
}
