/**
 * The one set of TypeScript compiler options for compiling this project's
 * sources to JavaScript that Node and Bun run (the npm build, the Node copies
 * of the benchmarks), and where tsc lives.
 *
 * @module
 */
import { join } from "node:path";

/** tsc from the typescript dev dependency. */
export function tscPath(root: string): string {
  return join(root, "node_modules", "typescript", "bin", "tsc");
}

/** Options for ES modules with `.ts` imports rewritten to `.js`, checked strictly. */
export function compilerOptions(root: string, rootDir: string): Record<string, unknown> {
  return {
    target: "ES2022",
    module: "ES2022",
    moduleResolution: "Bundler",
    lib: ["ESNext", "DOM"],
    types: ["node"],
    typeRoots: [join(root, "node_modules", "@types")],
    strict: true,
    skipLibCheck: true,
    allowImportingTsExtensions: true,
    rewriteRelativeImportExtensions: true,
    rootDir,
    newLine: "lf",
  };
}

/** The ambient declarations the sources need there (the Deno globals in ffi/deno.ts). */
export function ambientDeclarations(root: string): string {
  return join(root, "scripts", "npm", "deno_globals.d.ts");
}
