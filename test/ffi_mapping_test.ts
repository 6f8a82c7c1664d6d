// Both adapters must map every symbol of the one table, with matching types,
// so a signature is declared once and bound the same way in Deno and Bun.
import {
  bunDefinition,
  bunTypes,
  denoDefinition,
  denoTypes,
  nodeDefinition,
  nodeTypes,
} from "../ffi/mapping.ts";
import { libcSymbols, type NativeType, type SymbolSpec, zmqSymbols } from "../ffi/symbols.ts";
import { loadNative } from "../ffi/load.ts";
import { deepEqual, equal, ok, test } from "./harness.ts";

const allTypes: NativeType[] = [
  "i32",
  "u32",
  "i64",
  "usize",
  "isize",
  "pointer",
  "buffer",
  "function",
  "void",
];

test("ffi: both adapters name every neutral C type", () => {
  for (const type of allTypes) {
    ok(denoTypes[type], `Deno has no mapping for ${type}`);
    ok(bunTypes[type], `Bun has no mapping for ${type}`);
    ok(nodeTypes[type], `Node (koffi) has no mapping for ${type}`);
  }
  // Bun passes 64-bit integers as numbers when they fit; the width must match.
  equal(bunTypes.usize, "u64_fast");
  equal(bunTypes.i64, "i64_fast");
  equal(denoTypes.usize, "usize");
});

const tables: [string, Record<string, SymbolSpec>][] = [
  ["libzmq", zmqSymbols],
  ["libc", libcSymbols],
];
for (const [name, table] of tables) {
  test(`ffi: the Deno mapping of ${name} covers every symbol with the same types`, () => {
    const definition = denoDefinition(table);
    deepEqual(Object.keys(definition).sort(), Object.keys(table).sort());
    for (const [key, spec] of Object.entries(table)) {
      const mapped = definition[key];
      equal(mapped.name, spec.name ?? key, `${key}: C name`);
      deepEqual(mapped.parameters, spec.parameters.map((t) => denoTypes[t]), `${key}: parameters`);
      equal(mapped.result, denoTypes[spec.result], `${key}: result`);
    }
  });

  test(`ffi: the Node (koffi) mapping of ${name} covers every symbol with the same types`, () => {
    const definition = nodeDefinition(table);
    deepEqual(Object.keys(definition).sort(), Object.keys(table).sort());
    for (const [key, spec] of Object.entries(table)) {
      const mapped = definition[key];
      equal(mapped.name, spec.name ?? key, `${key}: C name`);
      deepEqual(mapped.parameters, spec.parameters.map((t) => nodeTypes[t]), `${key}: parameters`);
      equal(mapped.result, nodeTypes[spec.result], `${key}: result`);
    }
  });

  test(`ffi: the Bun mapping of ${name} covers every symbol with the same types`, () => {
    const definition = bunDefinition(table);
    for (const [key, spec] of Object.entries(table)) {
      // An alias (one C function, two signatures) is linked by address instead.
      const cName = spec.name ?? key;
      const mapped = definition[cName];
      ok(mapped, `${key}: ${cName} is not bound`);
      if (cName !== key) continue;
      deepEqual(mapped.args, spec.parameters.map((t) => bunTypes[t]), `${key}: parameters`);
      equal(mapped.returns, bunTypes[spec.result], `${key}: result`);
    }
  });
}

test("ffi: every libzmq symbol is bound and callable in this runtime", () => {
  const native = loadNative();
  for (const key of Object.keys(zmqSymbols)) {
    equal(typeof (native.zmq as Record<string, unknown>)[key], "function", key);
  }
  const parts = [new Int32Array(1), new Int32Array(1), new Int32Array(1)];
  native.zmq.zmq_version(parts[0], parts[1], parts[2]);
  equal(parts[0][0], 4);
});
