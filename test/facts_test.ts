import * as zmq from "../mod.ts";
import { assert, deepEqual, equal, match, notDeepEqual, ok, test, throws } from "./harness.ts";

const Z85 = /^[0-9a-zA-Z.\-:+=^!\/*?&<>()\[\]{}@%$#]{40}$/;

test("facts: version is libzmq's", () => {
  equal(typeof zmq.version, "string");
  match(zmq.version, /^4\.\d+\.\d+$/);
  equal(zmq.version, "4.3.4");
});

test("facts: has() reports capabilities", () => {
  equal(zmq.has("ipc"), true);
  equal(typeof zmq.has("curve"), "boolean");
  equal(zmq.has("no-such-capability"), false);
});

test("facts: curveKeyPair gives two distinct 40-char Z85 keys", () => {
  const { publicKey, secretKey } = zmq.curveKeyPair();
  match(publicKey, Z85);
  match(secretKey, Z85);
  ok(publicKey !== secretKey);
  const other = zmq.curveKeyPair();
  ok(other.secretKey !== secretKey, "two key pairs are equal");
  equal(zmq.curvePublic(secretKey), publicKey);
}, { ignore: !zmq.has("curve") });

test("facts: z85Encode and z85Decode round-trip 32 bytes", () => {
  const data = new Uint8Array(32).map((_, i) => (i * 37 + 11) & 255);
  const encoded = zmq.z85Encode(data);
  equal(typeof encoded, "string");
  match(encoded, Z85);
  const decoded = zmq.z85Decode(encoded);
  assert(decoded instanceof Uint8Array);
  deepEqual(Array.from(decoded), Array.from(data));
  notDeepEqual(zmq.z85Encode(new Uint8Array(32)), encoded);
  // The reference vector from the Z85 specification (rfc.zeromq.org/32).
  equal(
    zmq.z85Encode(
      new Uint8Array([0x86, 0x4f, 0xd2, 0x6f, 0xb5, 0x59, 0xf7, 0x5b]),
    ),
    "HelloWorld",
  );
});

test("facts: z85 refuses lengths it cannot encode", () => {
  throws(() => zmq.z85Encode(new Uint8Array(5)));
  throws(() => zmq.z85Decode("abc"));
});

test("facts: z85Decode refuses text that is not Z85", () => {
  throws(() => zmq.z85Decode("ééééé"), "non-ASCII text");
  throws(() => zmq.z85Decode("abcd\u0000abcde"), "text with a NUL inside");
  throws(() => zmq.z85Decode("abcd~"), "a character outside Z85");
  // libzmq stops at the first NUL: the text after it must not be ignored.
  throws(() => zmq.z85Decode("HelloWorld\u0000abcd"), "a NUL after whole groups");
});
