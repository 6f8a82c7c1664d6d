/**
 * Generates src/socket_options.ts, the typed option properties of every
 * socket type, from the one option table (src/options.ts). The table is the
 * source; the declarations follow it.
 *
 *   deno run -A scripts/options_declarations.ts           rewrites the file
 *   deno run -A scripts/options_declarations.ts --check   exits 1 if it is stale
 *
 * @module
 */
import { readFileSync, writeFileSync } from "node:fs";
import process from "node:process";
import { SocketType, type SocketTypeName } from "../ffi/constants.ts";
import type { OptionSpec, OptionType } from "../src/options.ts";

/** Where the generated declarations live. */
export const DECLARATIONS_FILE = new URL("../src/socket_options.ts", import.meta.url);

const valueTypes: Record<OptionType, string> = {
  int: "number",
  bool: "boolean",
  int64: "number",
  uint64: "number",
  string: "string",
  bytes: "Uint8Array | string",
  key: "string | Uint8Array",
};

const WIDTH = 100;

/** A JSDoc block for `text`, indented by `indent`, wrapped to the file's line width. */
function docComment(text: string, indent: string): string {
  const lines: string[] = [];
  let inCode = false;
  for (const line of text.split("\n")) {
    if (line.startsWith("```")) inCode = !inCode;
    if (inCode || line.startsWith("```") || line.length + indent.length + 3 <= WIDTH) {
      lines.push(line);
      continue;
    }
    let current = "";
    for (const word of line.split(" ")) {
      if (current !== "" && indent.length + 3 + current.length + 1 + word.length > WIDTH) {
        lines.push(current);
        current = word;
      } else {
        current = current === "" ? word : `${current} ${word}`;
      }
    }
    lines.push(current);
  }
  if (lines.length === 1 && indent.length + lines[0].length + 7 <= WIDTH) {
    return `${indent}/** ${lines[0]} */`;
  }
  return [
    `${indent}/**`,
    ...lines.map((line) => line === "" ? `${indent} *` : `${indent} * ${line}`),
    `${indent} */`,
  ].join("\n");
}

function property(option: OptionSpec): string {
  const readonly = option.access === "r" ? "readonly " : "";
  return [
    docComment(`ZMQ_${option.zmqName}: ${option.doc}`, "  "),
    `  ${readonly}${option.name}: ${valueTypes[option.type]};`,
  ].join("\n");
}

/** The text of src/socket_options.ts for `options`; `classNames` names each type's class. */
export function renderOptionDeclarations(
  options: readonly OptionSpec[],
  classNames: Readonly<Record<SocketTypeName, string>>,
): string {
  const out: string[] = [
    "/**",
    " * The typed option properties of each socket type, as TypeScript sees them.",
    " * GENERATED from the option table in src/options.ts by",
    " * scripts/options_declarations.ts: edit the table, then run",
    " * `deno task gen:options` (test/options_table_test.ts fails while this file is stale).",
    " *",
    " * @module",
    " */",
    "",
    "/** Options every socket type has, as properties. */",
    "export interface SocketOptionProperties {",
    ...options.filter((option) => option.for === undefined && option.declared !== false)
      .map(property),
    "}",
  ];
  for (const type of Object.keys(SocketType) as SocketTypeName[]) {
    const className = classNames[type];
    const own = options.filter((option) => option.for?.includes(type) && option.declared !== false);
    out.push(
      "",
      `/** Options of a ${className} socket (ZMQ_${type}), as properties. */`,
      `export interface ${className}OptionProperties extends SocketOptionProperties {`,
      ...own.map(property),
      "}",
      "",
      `/** What \`new ${className}(...)\` takes: any writable option, and SocketConstructorOptions. */`,
      `export type ${className}Options = WritableOptions<${className}OptionProperties>;`,
    );
  }
  const readOnly = options.filter((option) => option.access === "r").map((o) => `"${o.name}"`);
  out.push(
    "",
    "/** The writable options of a property set, all optional, plus SocketConstructorOptions. */",
    "export type WritableOptions<T> =",
    "  & { -readonly [K in Exclude<keyof T, ReadOnlyOptions>]?: T[K] }",
    '  & import("./socket.ts").SocketConstructorOptions;',
    "",
    "/** Options that can only be read. */",
    "export type ReadOnlyOptions =",
    ...readOnly.map((name, i) => `  | ${name}${i === readOnly.length - 1 ? ";" : ""}`),
    "",
  );
  return out.join("\n");
}

/** The declarations as the table generates them now. */
export async function currentDeclarations(): Promise<string> {
  const { socketOptions } = await import("../src/options.ts");
  const { socketClasses } = await import("../src/socket_classes.ts");
  const classNames = Object.fromEntries(
    Object.entries(socketClasses).map(([type, socketClass]) => [type, socketClass.name]),
  ) as Record<SocketTypeName, string>;
  return renderOptionDeclarations(socketOptions, classNames);
}

if (import.meta.main) {
  const wanted = await currentDeclarations();
  const path = DECLARATIONS_FILE;
  if (process.argv.includes("--check")) {
    if (readFileSync(path, "utf8") !== wanted) {
      console.error(
        "src/socket_options.ts is stale: run `deno task gen:options` and commit the result",
      );
      process.exit(1);
    }
  } else {
    writeFileSync(path, wanted);
  }
}
