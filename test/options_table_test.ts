// The option table (src/options.ts) against sources it does not come from:
// libzmq's own man pages, libzmq's behaviour (the width of each C type), and
// the declarations generated from it; and options on subclasses.
import { existsSync, readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import * as zmq from "../mod.ts";
import { SocketType, type SocketTypeName } from "../ffi/constants.ts";
import { loadNative } from "../ffi/load.ts";
import { type OptionSpec, socketOptions } from "../src/options.ts";
import { engine } from "../src/socket.ts";
import { socketClasses } from "../src/socket_classes.ts";
import {
  currentDeclarations,
  DECLARATIONS_FILE,
  renderOptionDeclarations,
} from "../scripts/options_declarations.ts";
import { closeAll, deepEqual, equal, notEqual, ok, test, throws } from "./harness.ts";

const types = Object.keys(SocketType) as SocketTypeName[];

test("options table: every option is a property exactly where it applies", () => {
  for (const type of types) {
    const socket = new socketClasses[type]();
    try {
      for (const option of socketOptions) {
        const applies = option.for === undefined || option.for.includes(type);
        equal(option.name in socket, applies, `${type}.${option.name}`);
      }
    } finally {
      closeAll(socket);
    }
  }
});

test("options table: every readable option reads back with its declared type", () => {
  for (const type of types) {
    const socket = new socketClasses[type]() as unknown as Record<string, unknown> & zmq.Socket;
    try {
      for (const option of socketOptions) {
        if (option.access === "w") continue;
        if (option.for !== undefined && !option.for.includes(type)) continue;
        if (option.name.startsWith("gssapi") && !zmq.has("gssapi")) continue;
        if (option.name === "lastEndpoint") continue; // null before any bind
        const value = socket[option.name];
        const expected = {
          int: "number",
          int64: "number",
          uint64: "number",
          bool: "boolean",
          string: "string",
          key: "string",
          bytes: "object",
        }[option.type];
        equal(typeof value, expected, `${type}.${option.name}`);
      }
    } finally {
      closeAll(socket);
    }
  }
});

test("options table: ids and zmq.h names are unique", () => {
  const ids = new Set(socketOptions.map((o) => o.id));
  const names = new Set(socketOptions.map((o) => o.zmqName));
  equal(ids.size, socketOptions.length);
  equal(names.size, socketOptions.length);
  ok(socketOptions.length >= 60, `only ${socketOptions.length} options`);
});

// ---- the generated declarations ----

test("options table: src/socket_options.ts is what the table generates", async () => {
  const onDisk = readFileSync(DECLARATIONS_FILE, "utf8");
  ok(
    onDisk === await currentDeclarations(),
    "src/socket_options.ts is stale: run `deno task gen:options`",
  );
});

/** The table with one option's C type changed, as a careless edit would. */
function withChangedType(name: string, type: OptionSpec["type"]): OptionSpec[] {
  return socketOptions.map((option) => option.name === name ? { ...option, type } : option);
}

test("options table: changing one option's type in the table alone is caught twice", () => {
  const classNames = Object.fromEntries(
    types.map((type) => [type, socketClasses[type].name]),
  ) as Record<SocketTypeName, string>;
  const changed = withChangedType("linger", "bool");
  // The declarations no longer match the file...
  notEqual(
    renderOptionDeclarations(changed, classNames),
    readFileSync(DECLARATIONS_FILE, "utf8"),
  );
  // ...and libzmq's documentation disagrees.
  const manual = readManual();
  if (manual !== null) {
    ok(
      disagreements(changed, manual).some((line) => line.startsWith("ZMQ_LINGER:")),
      "the man-page comparison does not notice ZMQ_LINGER's type",
    );
  }
});

// ---- libzmq's man pages: an independent description of every option ----

interface ManualEntry {
  type: string;
  unit?: string;
  applies: string;
}

interface Manual {
  set: Map<string, ManualEntry>;
  get: Map<string, ManualEntry>;
}

const MAN_DIR = "/usr/share/man/man3";

/** zmq_setsockopt(3) and zmq_getsockopt(3) as installed with libzmq, or null. */
function readManual(): Manual | null {
  const read = (page: string): Map<string, ManualEntry> | null => {
    const path = `${MAN_DIR}/${page}.3.gz`;
    if (!existsSync(path)) return null;
    const text = new TextDecoder().decode(gunzipSync(readFileSync(path)));
    const entries = new Map<string, ManualEntry>();
    for (const section of text.split(/^\.SS /m).slice(1)) {
      const name = /^"ZMQ_([A-Z0-9_]+)/.exec(section)?.[1];
      if (name === undefined) continue;
      const field = (label: string): string | undefined => {
        const at = section.indexOf(label);
        if (at < 0) return undefined;
        const value = section.slice(at + label.length).split("\n")
          .find((line) => line !== "" && !line.startsWith(".") && !line.startsWith("T}"));
        return value?.replace(/\\f[IRB]|\\&|\\/g, "").trim();
      };
      const type = field("Option value type");
      if (type === undefined) continue; // an old name pointing at the new one
      entries.set(name, {
        type,
        unit: field("Option value unit"),
        applies: field("Applicable socket types") ?? "",
      });
    }
    return entries;
  };
  const set = read("zmq_setsockopt");
  const get = read("zmq_getsockopt");
  return set === null || get === null ? null : { set, get };
}

// What the man pages document that the table deliberately does not offer as an option.
const NOT_OPTIONS: Record<string, string> = {
  SUBSCRIBE: "Subscriber.subscribe()",
  UNSUBSCRIBE: "Subscriber.unsubscribe()",
  EVENTS: "read by the engine (socket.readable / writable)",
  RCVMORE: "read by the engine (whole messages)",
  ROUTER_RAW: "deprecated by libzmq (use a Stream socket)",
  IPV4ONLY: "deprecated by libzmq (use ipv6)",
  IPC_FILTER_GID: "deprecated by libzmq",
  IPC_FILTER_PID: "deprecated by libzmq",
  IPC_FILTER_UID: "deprecated by libzmq",
  VMCI_BUFFER_SIZE: "the VMCI transport is not built into libzmq here",
  VMCI_BUFFER_MIN_SIZE: "the VMCI transport is not built into libzmq here",
  VMCI_BUFFER_MAX_SIZE: "the VMCI transport is not built into libzmq here",
  VMCI_CONNECT_TIMEOUT: "the VMCI transport is not built into libzmq here",
};
// DRAFT API options: libzmq without the draft API (Debian's) refuses them.
const DRAFT = [
  "DISCONNECT_MSG",
  "HELLO_MSG",
  "PRIORITY",
  "METADATA",
  "RECONNECT_STOP",
  "ONLY_FIRST_SUBSCRIBE",
  "ZAP_ENFORCE_DOMAIN",
  "XPUB_MANUAL_LAST_VALUE",
  "MULTICAST_LOOP",
  "ROUTER_NOTIFY",
  "IN_BATCH_SIZE",
  "OUT_BATCH_SIZE",
  "SOCKS_USERNAME",
  "SOCKS_PASSWORD",
];
// libzmq 4.3.4 reads these although zmq_getsockopt(3) leaves them out; the
// behaviour test below reads each one.
const READABLE_BEYOND_MANUAL = [
  "RATE",
  "CURVE_SERVER",
  "HEARTBEAT_IVL",
  "HEARTBEAT_TTL",
  "HEARTBEAT_TIMEOUT",
];
// Offered on more socket types than the man page lists, and why.
const WIDER_THAN_MANUAL: Record<string, string> = {
  // libzmq takes it on every type, and zeromq.js offers it on every socket.
  ROUTING_ID: "every type",
};

function cTypeOf(entry: ManualEntry): OptionSpec["type"] | "unknown" {
  const unit = entry.unit?.replace(/\s/g, "");
  if (entry.type.startsWith("int") && (unit === "boolean" || unit === "0,1")) return "bool";
  if (entry.type.startsWith("int64")) return "int64";
  if (entry.type.startsWith("uint64")) return "uint64";
  if (entry.type.startsWith("int")) return "int";
  if (entry.type.includes("Z85")) return "key";
  if (entry.type === "binary data") return "bytes";
  if (entry.type.includes("character string")) return "string";
  return "unknown";
}

function appliesOf(entry: ManualEntry): SocketTypeName[] | undefined {
  const listed = [...entry.applies.matchAll(/ZMQ_([A-Z]+)/g)].map((m) => m[1])
    .filter((name): name is SocketTypeName => Object.hasOwn(SocketType, name));
  return /^(all|n\/a)/i.test(entry.applies) || listed.length === 0 ? undefined : listed.sort();
}

/** Where `options` and the man pages disagree, one line each ("ZMQ_X: ..."). */
function disagreements(options: readonly OptionSpec[], manual: Manual): string[] {
  const found: string[] = [];
  for (const option of options) {
    const label = `ZMQ_${option.zmqName}`;
    const set = manual.set.get(option.zmqName);
    const get = manual.get.get(option.zmqName);
    const entry = set ?? get;
    if (entry === undefined) {
      found.push(`${label}: not in the man pages`);
      continue;
    }
    if (cTypeOf(entry) !== option.type) {
      found.push(`${label}: the table says ${option.type}, the man page "${entry.type}"`);
    }
    if ((set !== undefined) !== option.access.includes("w")) {
      found.push(
        `${label}: access ${option.access}, zmq_setsockopt(3) ${set ? "has" : "lacks"} it`,
      );
    }
    const readable = get !== undefined || READABLE_BEYOND_MANUAL.includes(option.zmqName);
    if (readable !== option.access.includes("r")) {
      found.push(
        `${label}: access ${option.access}, zmq_getsockopt(3) ${get ? "has" : "lacks"} it`,
      );
    }
    const documented = appliesOf(entry);
    const ours = option.for === undefined ? undefined : [...option.for].sort();
    if (
      !(option.zmqName in WIDER_THAN_MANUAL) &&
      JSON.stringify(documented) !== JSON.stringify(ours)
    ) {
      found.push(
        `${label}: for ${ours?.join(",") ?? "every type"}, the man page: ${
          documented?.join(",") ?? "every type"
        }`,
      );
    }
  }
  const known = new Set(options.map((o) => o.zmqName as string));
  for (const name of new Set([...manual.set.keys(), ...manual.get.keys()])) {
    if (!known.has(name) && !(name in NOT_OPTIONS) && !DRAFT.includes(name)) {
      found.push(`ZMQ_${name}: documented by libzmq, missing from the table`);
    }
  }
  return found;
}

test("options table: C types, access and socket types agree with libzmq's man pages", () => {
  const manual = readManual();
  if (manual === null) {
    console.log(`  skipped: no zmq_setsockopt(3) in ${MAN_DIR} (libzmq's -dev package has it)`);
    return;
  }
  ok(manual.set.size > 60 && manual.get.size > 40, "the man pages did not parse");
  deepEqual(disagreements(socketOptions, manual), []);
});

// ---- libzmq's behaviour: each numeric C type has one width ----

test("options table: every numeric option takes exactly its C type's width in libzmq", () => {
  const native = loadNative();
  const widthOf = { int: 4, bool: 4, int64: 8, uint64: 8 } as Record<string, number>;
  const value = new Uint8Array(8);
  const size = new BigUint64Array(1);
  for (const option of socketOptions) {
    const width = widthOf[option.type];
    if (width === undefined) continue;
    const type = option.for?.[0] ?? "DEALER";
    const socket = new socketClasses[type]();
    const pointer = socket[engine].pointer;
    try {
      if (option.access.includes("r")) {
        size[0] = BigInt(width);
        equal(native.zmq.zmq_getsockopt(pointer, option.id, value, size), 0, option.zmqName);
        equal(Number(size[0]), width, `ZMQ_${option.zmqName} reads back ${size[0]} bytes`);
      }
      if (option.access.includes("w") && option.name !== "useFd") {
        // The value read (or else 0, or 1: some defaults such as -1 cannot be
        // written back): libzmq takes it at the right width only.
        if (!option.access.includes("r")) value.fill(0);
        const wrong = width === 4 ? 8 : 4;
        const write = () => native.zmq.zmq_setsockopt(pointer, option.id, value, width);
        if (write() !== 0) value.fill(0);
        if (write() !== 0) value.set([1, 0, 0, 0, 0, 0, 0, 0]);
        equal(write(), 0, `ZMQ_${option.zmqName} refused its own width`);
        notEqual(
          native.zmq.zmq_setsockopt(pointer, option.id, value, wrong),
          0,
          `ZMQ_${option.zmqName} took ${wrong} bytes`,
        );
      }
    } finally {
      closeAll(socket);
    }
  }
});

// ---- subclasses ----

/** A value each write-only or type-specific option accepts. */
function sampleValue(option: OptionSpec): unknown {
  switch (option.type) {
    case "bool":
      return true;
    case "bytes":
      return "peer-1";
    case "int":
    case "int64":
    case "uint64":
      return option.name === "useFd" ? -1 : 1;
    default:
      return undefined;
  }
}

test("options table: a subclass of every socket type takes its type's options", () => {
  for (const type of types) {
    const Base = socketClasses[type] as unknown as new (options?: object) => zmq.Socket;
    const Mine = class extends Base {};
    // What a minifier does to class names must not matter either.
    const Renamed = class extends Base {};
    Object.defineProperty(Renamed, "name", { value: "a" });
    const own = socketOptions.filter((o) => o.for?.includes(type) && o.access !== "r");
    const settings = Object.fromEntries(own.map((o) => [o.name, sampleValue(o)]));
    for (const Subclass of [Mine, Renamed]) {
      const socket = new Subclass({ ...settings, linger: 0, sendHighWaterMark: 7 });
      try {
        equal(socket.getOption("ZMQ_SNDHWM"), 7, `${type} subclass`);
        for (const option of own) {
          ok(option.name in socket, `${type} subclass lacks ${option.name}`);
          socket.setOption(option.name, sampleValue(option));
        }
        const foreign = socketOptions.find((o) => o.for !== undefined && !o.for.includes(type))!;
        throws(() => socket.setOption(foreign.name, sampleValue(foreign)), TypeError);
      } finally {
        closeAll(socket);
      }
    }
  }
});

test("options table: invertMatching reads back through a Publisher subclass", () => {
  class MyPublisher extends zmq.Publisher {}
  const pub = new MyPublisher({ invertMatching: true });
  try {
    equal(pub.invertMatching, true);
    pub.invertMatching = false;
    equal(pub.getOption("ZMQ_INVERT_MATCHING"), false);
  } finally {
    pub.close();
  }
});

test("options table: a socket type that is not one is a TypeError, not a socket", () => {
  const Base = zmq.Socket as unknown as new (type: unknown, options?: object) => zmq.Socket;
  for (const bad of [37, -1, "push", "NOPE", null, {}]) {
    throws(() => new Base(bad), (error: unknown) => {
      ok(error instanceof TypeError, String(error));
      ok(/Unknown socket type/.test((error as Error).message), (error as Error).message);
      return true;
    });
  }
  const push = new Base("PUSH");
  try {
    equal(push.type, "PUSH");
  } finally {
    push.close();
  }
  const byNumber = new Base(8);
  try {
    equal(byNumber.type, "PUSH");
  } finally {
    byNumber.close();
  }
});
