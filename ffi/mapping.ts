/**
 * How each adapter spells the neutral symbol table: pure data, so a test can
 * check both mappings in either runtime.
 *
 * @module
 */
import type { NativeType, SymbolSpec } from "./symbols.ts";

/** A symbol as `Deno.dlopen` takes it. */
export interface DenoSymbol {
  name: string;
  parameters: string[];
  result: string;
}

/** A symbol as Bun's `dlopen` takes it. */
export interface BunSymbol {
  args: string[];
  returns: string;
}

/** Deno's name for each neutral C type (they happen to coincide). */
export const denoTypes: Record<NativeType, string> = {
  i32: "i32",
  u32: "u32",
  i64: "i64",
  usize: "usize",
  isize: "isize",
  pointer: "pointer",
  buffer: "buffer",
  function: "function",
  void: "void",
};

/** Turns the neutral table into a `Deno.dlopen` symbol definition. */
export function denoDefinition(
  table: Record<string, SymbolSpec>,
): Record<string, DenoSymbol> {
  const definition: Record<string, DenoSymbol> = {};
  for (const [key, spec] of Object.entries(table)) {
    definition[key] = {
      name: spec.name ?? key,
      parameters: spec.parameters.map((t) => denoTypes[t]),
      result: denoTypes[spec.result],
    };
  }
  return definition;
}

/** Bun's name for each neutral C type. 64-bit integers come back as numbers when they fit. */
export const bunTypes: Record<NativeType, string> = {
  i32: "i32",
  u32: "u32",
  i64: "i64_fast",
  usize: "u64_fast",
  isize: "i64_fast",
  pointer: "ptr",
  buffer: "ptr", // Bun passes a typed array's memory for "ptr"
  function: "function",
  void: "void",
};

/** Turns the neutral table into Bun's `dlopen` definition (aliases are linked separately). */
export function bunDefinition(
  table: Record<string, SymbolSpec>,
): Record<string, BunSymbol> {
  const definition: Record<string, BunSymbol> = {};
  for (const [key, spec] of Object.entries(table)) {
    if (spec.name !== undefined && spec.name !== key) continue;
    definition[key] = {
      args: spec.parameters.map((t) => bunTypes[t]),
      returns: bunTypes[spec.result],
    };
  }
  return definition;
}

/** A symbol as koffi's `lib.func(name, result, parameters)` takes it. */
export interface NodeSymbol {
  name: string;
  result: string;
  parameters: string[];
}

/** koffi's name for each neutral C type. Pointers come back as bigints, NULL as null. */
export const nodeTypes: Record<NativeType, string> = {
  i32: "int32",
  u32: "uint32",
  i64: "int64",
  usize: "size_t",
  isize: "intptr",
  pointer: "void *",
  buffer: "void *", // koffi passes a typed array's memory for "void *"
  function: "void *",
  void: "void",
};

/** Turns the neutral table into koffi declarations, one per key (aliases included). */
export function nodeDefinition(
  table: Record<string, SymbolSpec>,
): Record<string, NodeSymbol> {
  const definition: Record<string, NodeSymbol> = {};
  for (const [key, spec] of Object.entries(table)) {
    definition[key] = {
      name: spec.name ?? key,
      result: nodeTypes[spec.result],
      parameters: spec.parameters.map((t) => nodeTypes[t]),
    };
  }
  return definition;
}
