/**
 * CURVE certificates as files: czmq's ZPL format, which other ZeroMQ tools
 * (czmq's zcert, pyzmq's zmq.auth) read and write. The public part and the
 * secret part live in separate files; the secret one is owner-only.
 *
 * @module
 */
import { chmodSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type CurveKeyPair, curvePublic } from "./keys.ts";

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
 * Reads a certificate file (public or secret).
 *
 * @example
 * ```ts
 * import * as zmq from "./mod.ts";
 * const { publicKey } = zmq.loadCertificate("/tmp/server.key");
 * ```
 */
export function loadCertificate(path: string): Certificate {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new Error(`Cannot read the certificate "${path}"${code ? ` (${code})` : ""}`);
  }
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
    throw new Error(
      `"${path}" is not a CURVE certificate: no valid public-key in its curve section`,
    );
  }
  const certificate: Certificate = { publicKey, metadata: sections.metadata ?? {} };
  const secretKey = curve["secret-key"];
  if (secretKey !== undefined) {
    // Never echo the secret: say only that it is wrong.
    if (!Z85_KEY.test(secretKey) || curvePublic(secretKey) !== publicKey) {
      throw new Error(`"${path}" has a secret-key that does not match its public-key`);
    }
    certificate.secretKey = secretKey;
  }
  return certificate;
}

/**
 * The public keys of every certificate in a directory (files that are not
 * certificates, and secret certificates, are skipped).
 *
 * @example
 * ```ts
 * import * as zmq from "./mod.ts";
 * const auth = new zmq.Authenticator({ curve: zmq.loadCertificateDirectory("/etc/myapp/clients") });
 * await auth.close();
 * ```
 */
export function loadCertificateDirectory(directory: string): string[] {
  let names: string[];
  try {
    names = readdirSync(directory);
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw new Error(
      `Cannot read the certificates directory "${directory}"${code ? ` (${code})` : ""}`,
    );
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
