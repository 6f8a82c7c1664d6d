// CURVE and PLAIN through socket options alone (no Authenticator: libzmq
// then accepts any CURVE client that knows the server key).
import * as zmq from "../mod.ts";
import {
  bindAny,
  closeAll,
  deepEqual,
  equal,
  rejects,
  test,
  texts,
  withTimeout,
} from "./harness.ts";

const curve = zmq.has("curve");

test("security: CURVE key options round-trip as Z85", () => {
  const { publicKey, secretKey } = zmq.curveKeyPair();
  const dealer = new zmq.Dealer({ linger: 0 });
  try {
    dealer.curveSecretKey = secretKey;
    dealer.curvePublicKey = publicKey;
    equal(dealer.curveSecretKey, secretKey);
    equal(dealer.curvePublicKey, publicKey);
    // 32 raw bytes are accepted too and read back as Z85.
    dealer.curveServerKey = zmq.z85Decode(publicKey);
    equal(dealer.curveServerKey, publicKey);
  } finally {
    closeAll(dealer);
  }
}, { ignore: !curve });

test("security: a CURVE client that knows the server key talks to it", async () => {
  const server = zmq.curveKeyPair();
  const client = zmq.curveKeyPair();
  const rep = new zmq.Reply({
    linger: 0,
    curveServer: true,
    curveSecretKey: server.secretKey,
  });
  const req = new zmq.Request({
    linger: 0,
    curveServerKey: server.publicKey,
    curvePublicKey: client.publicKey,
    curveSecretKey: client.secretKey,
  });
  try {
    req.connect(await bindAny(rep, "tcp"));
    await req.send("secret question");
    deepEqual(texts(await withTimeout(rep.receive(), 5_000, "q")), [
      "secret question",
    ]);
    await rep.send("secret answer");
    deepEqual(texts(await withTimeout(req.receive(), 5_000, "a")), [
      "secret answer",
    ]);
  } finally {
    closeAll(req, rep);
  }
}, { ignore: !curve });

test("security: a CURVE client with the wrong server key gets nowhere", async () => {
  const server = zmq.curveKeyPair();
  const impostor = zmq.curveKeyPair();
  const client = zmq.curveKeyPair();
  const pull = new zmq.Pull({
    linger: 0,
    curveServer: true,
    curveSecretKey: server.secretKey,
  });
  const push = new zmq.Push({
    linger: 0,
    curveServerKey: impostor.publicKey,
    curvePublicKey: client.publicKey,
    curveSecretKey: client.secretKey,
  });
  try {
    push.connect(await bindAny(pull, "tcp"));
    push.trySend("should not arrive");
    await rejects(pull.receive({ timeout: 300 }), (error: unknown) => {
      equal((error as zmq.ZmqError).code, "EAGAIN");
      return true;
    });
  } finally {
    closeAll(push, pull);
  }
}, { ignore: !curve });

/**
 * A hand-written ZAP handler (RFC 27) on `ctx`: a Router on
 * inproc://zeromq.zap.01 that answers every request with `decide`'s verdict.
 */
function zapHandler(
  ctx: zmq.Context,
  decide: (mechanism: string, credentials: string[]) => boolean,
) {
  const router = new zmq.Router({ context: ctx, linger: 0 });
  const seen: string[][] = [];
  const ready = router.bind("inproc://zeromq.zap.01");
  const serving = (async () => {
    await ready;
    for await (const frames of router) {
      const [id, empty, version, requestId, , , , mechanism, ...rest] = frames;
      const credentials = rest.map((f) => new TextDecoder().decode(f));
      const mech = new TextDecoder().decode(mechanism);
      seen.push([mech, ...credentials]);
      const ok = decide(mech, credentials);
      await router.send([
        id,
        empty,
        version,
        requestId,
        ok ? "200" : "400",
        ok ? "OK" : "Denied",
        ok ? credentials[0] ?? "" : "",
        "",
      ]);
    }
  })();
  return { router, seen, ready, serving };
}

for (const password of ["pässwörd", "wrong"]) {
  const accepted = password === "pässwörd";
  test(`security: PLAIN with a ZAP handler ${accepted ? "accepts" : "refuses"} a client`, async () => {
    const ctx = new zmq.Context();
    const zap = zapHandler(
      ctx,
      (mech, [user, pass]) => mech === "PLAIN" && user === "admin" && pass === "pässwörd",
    );
    const pull = new zmq.Pull({ context: ctx, linger: 0, plainServer: true });
    const push = new zmq.Push({
      context: ctx,
      linger: 0,
      plainUsername: "admin",
      plainPassword: password,
    });
    try {
      await zap.ready;
      equal(push.plainUsername, "admin");
      equal(push.plainPassword, password);
      equal(pull.plainServer, true);
      push.connect(await bindAny(pull, "tcp"));
      push.trySend("plain");
      if (accepted) {
        deepEqual(texts(await withTimeout(pull.receive(), 5_000, "msg")), [
          "plain",
        ]);
      } else {
        await rejects(pull.receive({ timeout: 300 }), (error: unknown) => {
          equal((error as zmq.ZmqError).code, "EAGAIN");
          return true;
        });
      }
      // The handler saw the UTF-8 credentials exactly.
      deepEqual(zap.seen[0], ["PLAIN", "admin", password]);
    } finally {
      // terminate() closes the three sockets and waits for each close.
      // (Closing the ZAP Router first, while its receive waits in the
      // poller, and then terminating can block the thread: see exit_test.ts,
      // "terminate() right after closing a waiting socket".)
      await withTimeout(ctx.terminate(), 5_000, "terminate");
      await withTimeout(zap.serving, 2_000, "the ZAP loop to end");
    }
  });
}
