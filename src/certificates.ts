/**
 * CURVE certificates as files: czmq's ZPL format, which other ZeroMQ tools
 * (czmq's zcert, pyzmq's zmq.auth) read and write. The public part and the
 * secret part live in separate files; the secret one is owner-only.
 *
 * @module
 */
import {
  chmodSync,
  closeSync,
  constants,
  fstatSync,
  openSync,
  readdirSync,
  readSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { errnoValue, misuse, type ZmqError } from "./errors.ts";
import { type CurveKeyPair, curvePublic } from "./keys.ts";

/**
 * The largest certificate file read: czmq's are under 1 KiB, and a bound
 * keeps a huge file (or a device that never ends) from being read whole.
 */
const MAX_CERTIFICATE_BYTES = 64 * 1024;

/** A certificate: a public key, maybe its secret key, and free-form metadata. */
export interface Certificate {
  /** The public key, 40-character Z85. */
  publicKey: string;
  /** The secret key, when this is a secret certificate. */
  secretKey?: string;
  /** Name/value pairs from the "metadata" section. */
  metadata: Record<string, string>;
}

const Z85_KEY = /^[0-9a-zA-Z.\-:+=^!/*?&<>()[\]{}@%$#]{40}$/;

function zpl(
  kind: "public" | "secret",
  keys: CurveKeyPair | { publicKey: string },
  metadata: Record<string, string>,
): string {
  const lines = [
    `#   ****  Generated on ${new Date().toISOString().slice(0, 10)} by zmq for Deno and Bun  ****`,
    kind === "secret"
      ? "#   ZeroMQ CURVE **Secret** Certificate\n#   DO NOT PROVIDE THIS FILE TO OTHER USERS nor change its permissions."
      : "#   ZeroMQ CURVE Public Certificate\n#   Exchange securely, or use a secure mechanism to verify the contents\n#   of this file after exchange.",
    "",
    "metadata",
    ...Object.entries(metadata).map(([name, value]) => `    ${name} = ${JSON.stringify(value)}`),
    "curve",
    `    public-key = "${keys.publicKey}"`,
  ];
  if (kind === "secret") lines.push(`    secret-key = "${(keys as CurveKeyPair).secretKey}"`);
  return lines.join("\n") + "\n";
}

/**
 * Writes a key pair as two certificate files: `path` (public) and
 * `path_secret` (secret, permissions 0600).
 *
 * @example
 * ```ts
 * import * as zmq from "./mod.ts";
 * const keys = zmq.curveKeyPair();
 * zmq.saveCertificate("/tmp/server.key", keys, { name: "server" });
 * console.log(zmq.loadCertificate("/tmp/server.key_secret").secretKey === keys.secretKey);
 * ```
 */
export function saveCertificate(
  path: string,
  keys: CurveKeyPair,
  metadata: Record<string, string> = {},
): void {
  if (!Z85_KEY.test(keys?.publicKey ?? "") || !Z85_KEY.test(keys?.secretKey ?? "")) {
    throw new TypeError("saveCertificate needs a key pair of 40-character Z85 keys");
  }
  if (curvePublic(keys.secretKey) !== keys.publicKey) {
    throw new TypeError("saveCertificate: the secret key does not belong to the public key");
  }
  writeFileSync(path, zpl("public", keys, metadata), { mode: 0o644 });
  const secretPath = `${path}_secret`;
  writeFileSync(secretPath, zpl("secret", keys, metadata), { mode: 0o600 });
  chmodSync(secretPath, 0o600); // the mode above is ignored when the file existed
}

/**
 * Reads a certificate file (public or secret). A missing or unreadable file
 * is a ZmqError with the file system's code (ENOENT, EACCES, ...); anything
 * but a regular file of at most 64 KiB, or a file that is not a certificate,
 * is a ZmqError EINVAL. A secret key is never echoed in an error.
 *
 * @example
 * ```ts
 * import * as zmq from "./mod.ts";
 * const { publicKey } = zmq.loadCertificate("/tmp/server.key");
 * ```
 */
export function loadCertificate(path: string): Certificate {
  if (typeof path !== "string") {
    throw new TypeError(`loadCertificate needs a file path, got ${typeof path}`);
  }
  const text = readCertificateFile(path);
  const sections: Record<string, Record<string, string>> = {};
  let section = "";
  for (const raw of text.split(/\r?\n/)) {
    if (raw.trim() === "" || raw.trimStart().startsWith("#")) continue;
    if (!/^\s/.test(raw)) {
      section = raw.trim();
      sections[section] ??= {};
      continue;
    }
    const match = /^\s+([\w\-.]+)\s*=\s*(.*?)\s*$/.exec(raw);
    if (match === null) continue;
    let value = match[2];
    if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.endsWith(value[0])) {
      value = value.slice(1, -1);
    }
    (sections[section] ??= {})[match[1]] = value;
  }
  const curve = sections.curve ?? {};
  const publicKey = curve["public-key"];
  if (publicKey === undefined || !Z85_KEY.test(publicKey)) {
    throw misuse(
      "EINVAL",
      `"${path}" is not a CURVE certificate: no valid public-key in its curve section`,
    );
  }
  const certificate: Certificate = { publicKey, metadata: sections.metadata ?? {} };
  const secretKey = curve["secret-key"];
  if (secretKey !== undefined) {
    // Never echo the secret: say only that it is wrong.
    if (!Z85_KEY.test(secretKey) || curvePublic(secretKey) !== publicKey) {
      throw misuse("EINVAL", `"${path}" has a secret-key that does not match its public-key`);
    }
    certificate.secretKey = secretKey;
  }
  return certificate;
}

/**
 * The text of a certificate file: a regular file of at most
 * {@link MAX_CERTIFICATE_BYTES}. Anything else (a FIFO, a device such as
 * /dev/zero, a directory) is refused without reading it, so nothing blocks.
 */
function readCertificateFile(path: string): string {
  const refuse = (why: string) => misuse("EINVAL", `Cannot read the certificate "${path}": ${why}`);
  let fd: number;
  try {
    // stat first: opening some devices has effects of its own.
    if (!statSync(path).isFile()) throw refuse("not a regular file");
    // Non-blocking: a FIFO put in its place meanwhile cannot stall the open.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    throw fileError(error, `Cannot read the certificate "${path}"`);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw refuse("not a regular file");
    if (stat.size > MAX_CERTIFICATE_BYTES) {
      throw refuse(`${stat.size} bytes, larger than a certificate (${MAX_CERTIFICATE_BYTES})`);
    }
    const bytes = new Uint8Array(MAX_CERTIFICATE_BYTES + 1);
    let length = 0;
    for (;;) {
      const read = readSync(fd, bytes, length, bytes.length - length, null);
      if (read <= 0) break;
      length += read;
      if (length > MAX_CERTIFICATE_BYTES) {
        throw refuse(`larger than a certificate (${MAX_CERTIFICATE_BYTES} bytes)`);
      }
    }
    return new TextDecoder().decode(bytes.subarray(0, length));
  } catch (error) {
    throw fileError(error, `Cannot read the certificate "${path}"`);
  } finally {
    closeSync(fd);
  }
}

/** A ZmqError for a failed file operation (the node:fs code kept where libzmq knows it). */
function fileError(error: unknown, action: string): ZmqError | TypeError {
  if (error instanceof TypeError || (error as { name?: unknown })?.name === "ZmqError") {
    return error as ZmqError | TypeError;
  }
  const code = (error as { code?: unknown })?.code;
  const known = typeof code === "string" && errnoValue(code) !== -1 ? code : "EINVAL";
  return misuse(known, `${action}${typeof code === "string" ? ` (${code})` : ""}`);
}

/**
 * The public keys of every certificate in a directory (files that are not
 * certificates, secret certificates, and anything but regular files of at
 * most 64 KiB are skipped).
 *
 * @example
 * ```ts
 * import * as zmq from "./mod.ts";
 * const auth = new zmq.Authenticator({ curve: zmq.loadCertificateDirectory("/etc/myapp/clients") });
 * await auth.close();
 * ```
 */
export function loadCertificateDirectory(directory: string): string[] {
  if (typeof directory !== "string") {
    throw new TypeError(`loadCertificateDirectory needs a directory path, got ${typeof directory}`);
  }
  let names: string[];
  try {
    names = readdirSync(directory);
  } catch (error) {
    throw fileError(error, `Cannot read the certificates directory "${directory}"`);
  }
  const keys: string[] = [];
  for (const name of names.sort()) {
    if (name.endsWith("_secret")) continue;
    try {
      keys.push(loadCertificate(join(directory, name)).publicKey);
    } catch {
      // not a certificate
    }
  }
  return keys;
}
