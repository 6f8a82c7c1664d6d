import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as zmq from "../mod.ts";
import {
  bindAny,
  closeAll,
  deepEqual,
  equal,
  ok,
  rejects,
  test,
  texts,
  throws,
  withTimeout,
} from "./harness.ts";

const curve = zmq.has("curve");

function tempDirectory(): string {
  return mkdtempSync(join(tmpdir(), "zmq-certs-"));
}

test("certificates: a key pair saves as ZPL files and loads back", () => {
  const dir = tempDirectory();
  try {
    const keys = zmq.curveKeyPair();
    const path = join(dir, "server.key");
    zmq.saveCertificate(path, keys, { name: "server", "e-mail": "ops@example.com" });
    const publicCert = zmq.loadCertificate(path);
    equal(publicCert.publicKey, keys.publicKey);
    equal(publicCert.secretKey, undefined, "the public file holds no secret");
    deepEqual(publicCert.metadata, { name: "server", "e-mail": "ops@example.com" });
    const secretCert = zmq.loadCertificate(`${path}_secret`);
    equal(secretCert.secretKey, keys.secretKey);
    equal(statSync(`${path}_secret`).mode & 0o777, 0o600, "the secret file is owner-only");
    ok(!readFileSync(path, "utf8").includes(keys.secretKey), "the public file leaks the secret");
    ok(readFileSync(path, "utf8").includes(`public-key = "${keys.publicKey}"`));
  } finally {
    rmSync(dir, { recursive: true });
  }
}, { ignore: !curve });

test("certificates: a czmq-written certificate loads", () => {
  const dir = tempDirectory();
  try {
    const keys = zmq.curveKeyPair();
    const path = join(dir, "client.key_secret");
    writeFileSync(
      path,
      [
        "#   ****  Generated on 2024-01-01 by CZMQ  ****",
        "#   ZeroMQ CURVE **Secret** Certificate",
        "",
        "metadata",
        '    name = "client"',
        "curve",
        `    public-key = "${keys.publicKey}"`,
        `    secret-key = "${keys.secretKey}"`,
        "",
      ].join("\n"),
    );
    const cert = zmq.loadCertificate(path);
    equal(cert.publicKey, keys.publicKey);
    equal(cert.secretKey, keys.secretKey);
    equal(cert.metadata.name, "client");
  } finally {
    rmSync(dir, { recursive: true });
  }
}, { ignore: !curve });

test("certificates: bad files are clear errors that never echo a secret", () => {
  const dir = tempDirectory();
  try {
    throws(() => zmq.loadCertificate(join(dir, "missing")), /Cannot read the certificate/);
    writeFileSync(join(dir, "junk"), "not a certificate\n");
    throws(() => zmq.loadCertificate(join(dir, "junk")), /not a CURVE certificate/);
    const a = zmq.curveKeyPair();
    const b = zmq.curveKeyPair();
    writeFileSync(
      join(dir, "mismatch"),
      `curve\n    public-key = "${a.publicKey}"\n    secret-key = "${b.secretKey}"\n`,
    );
    throws(() => zmq.loadCertificate(join(dir, "mismatch")), (error: unknown) => {
      ok(/does not match/.test((error as Error).message));
      ok(!(error as Error).message.includes(b.secretKey), "the secret was echoed");
      return true;
    });
    throws(
      () => zmq.saveCertificate(join(dir, "x"), { publicKey: a.publicKey, secretKey: b.secretKey }),
      TypeError,
    );
    throws(
      () => zmq.loadCertificateDirectory(join(dir, "nope")),
      /Cannot read the certificates directory/,
    );
  } finally {
    rmSync(dir, { recursive: true });
  }
}, { ignore: !curve });

test(
  "certificates: an Authenticator admits the keys of a certificates directory, reloaded on demand",
  async () => {
    const dir = tempDirectory();
    const context = new zmq.Context();
    const server = zmq.curveKeyPair();
    const client = zmq.curveKeyPair();
    const auth = new zmq.Authenticator({ context, certificates: dir });
    const pull = new zmq.Pull({
      context,
      linger: 0,
      curveServer: true,
      curveSecretKey: server.secretKey,
    });
    const clientOptions = {
      context,
      linger: 0,
      curveServerKey: server.publicKey,
      curvePublicKey: client.publicKey,
      curveSecretKey: client.secretKey,
    };
    const early = new zmq.Push(clientOptions);
    const late = new zmq.Push(clientOptions);
    try {
      const endpoint = await bindAny(pull, "tcp");
      early.connect(endpoint);
      early.trySend("before the certificate");
      await rejects(
        pull.receive({ timeout: 300 }),
        (e: unknown) => (e as zmq.ZmqError).code === "EAGAIN",
      );
      // Once admitted, the refused client would retry and get in too: drop it first.
      early.close();
      zmq.saveCertificate(join(dir, "client.key"), client);
      auth.reloadCertificates();
      late.connect(endpoint);
      await late.send("after the certificate");
      deepEqual(texts(await withTimeout(pull.receive(), 5_000, "the admitted message")), [
        "after the certificate",
      ]);
    } finally {
      closeAll(early, late, pull);
      await auth.close();
      rmSync(dir, { recursive: true });
    }
  },
  { ignore: !curve },
);
