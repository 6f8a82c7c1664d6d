/**
 * Builds the npm package in npm/: ES modules and .d.ts declarations compiled
 * by TypeScript's compiler from npm, a package.json, README and LICENSE.
 *
 * Shaped like a dnt build (https://jsr.io/@deno/dnt: entry points, out dir,
 * package fields, a post-build step) so that switching to dnt where it can be
 * installed is a small change. dnt is not reachable here (JSR only).
 *
 *   node_modules/.bin/deno run -A scripts/build_npm.ts     (deno task build:npm)
 *
 * @module
 */
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { compilerOptions, tscPath } from "./npm/compiler.ts";

interface BuildOptions {
  /** Modules compiled, with what imports them: "." is the package, others are bins. */
  entryPoints: { name: string; path: string; kind?: "bin" }[];
  outDir: string;
  /** Directories whose every module is compiled, imported or not (worker entry points). */
  moduleDirectories: string[];
  /** Ambient declarations for runtime globals the sources mention (Deno in ffi/deno.ts). */
  declarations: string[];
  package: Record<string, unknown>;
  postBuild(): void;
}

const root = fileURLToPath(new URL("..", import.meta.url));
const denoConfig = JSON.parse(readFileSync(join(root, "deno.json"), "utf8"));

function checkedTscPath(): string {
  const path = tscPath(root);
  if (!existsSync(path)) {
    throw new Error("TypeScript's compiler is missing: run `npm install` (it is a dev dependency)");
  }
  return path;
}

/** Compiles the entry points, then writes package.json and runs the post-build step. */
function build(options: BuildOptions): void {
  const outDir = join(root, options.outDir);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const tsconfig = {
    compilerOptions: {
      ...compilerOptions(root, root),
      declaration: true,
      outDir: join(outDir, "esm"),
    },
    files: [
      ...options.declarations.map((path) => join(root, path)),
      ...options.entryPoints.map((entry) => join(root, entry.path)),
      // Worker modules are started by URL, not imported: compile every module.
      ...options.moduleDirectories.flatMap((directory) =>
        readdirSync(join(root, directory))
          .filter((name) => name.endsWith(".ts") && !name.endsWith(".d.ts"))
          .map((name) => join(root, directory, name))
      ),
    ],
  };
  const configPath = join(outDir, "tsconfig.build.json");
  writeFileSync(configPath, JSON.stringify(tsconfig, null, 2));
  const compiled = spawnSync("node", [checkedTscPath(), "-p", configPath], { stdio: "inherit" });
  rmSync(configPath);
  if (compiled.status !== 0) throw new Error(`tsc failed (exit ${compiled.status})`);
  writeFileSync(join(outDir, "package.json"), JSON.stringify(options.package, null, 2) + "\n");
  options.postBuild();
}

const moduleOut = (path: string) => "./esm/" + path.replace(/\.ts$/, ".js");
const typesOut = (path: string) => "./esm/" + path.replace(/\.ts$/, ".d.ts");

const entryPoints: BuildOptions["entryPoints"] = [
  { name: ".", path: "mod.ts" },
  // zeromq.js's API (issue #16): `import * as zmq from "@zmq/zmq/zeromq"`.
  { name: "./zeromq", path: "zeromq.ts" },
  // zeromq.js v5's API, as zeromq.js v6 ships it: `@zmq/zmq/zeromq/v5-compat`.
  { name: "./zeromq/v5-compat", path: "zeromq_v5_compat.ts" },
];
if (existsSync(join(root, "cli", "zmq.ts"))) {
  entryPoints.push({ name: "zmq", path: "cli/zmq.ts", kind: "bin" });
}
const bins = entryPoints.filter((entry) => entry.kind === "bin");

build({
  entryPoints,
  outDir: "npm",
  moduleDirectories: ["ffi", "src", "cli"],
  declarations: ["scripts/npm/deno_globals.d.ts"],
  package: {
    name: denoConfig.name,
    version: denoConfig.version,
    description:
      "ZeroMQ for Deno, Bun and Node: the system's libzmq through the runtime's own FFI, with promises and for await",
    license: "MIT",
    repository: { type: "git", url: "git+https://github.com/zmq-ffi/zmq.git" },
    keywords: ["zeromq", "zmq", "0mq", "ffi", "deno", "bun", "messaging"],
    type: "module",
    main: moduleOut("mod.ts"),
    types: typesOut("mod.ts"),
    exports: {
      ...Object.fromEntries(
        entryPoints.filter((entry) => entry.kind !== "bin").map((entry) => [
          entry.name,
          { types: typesOut(entry.path), import: moduleOut(entry.path) },
        ]),
      ),
      "./package.json": "./package.json",
    },
    ...(bins.length > 0
      ? { bin: Object.fromEntries(bins.map((entry) => [entry.name, moduleOut(entry.path)])) }
      : {}),
    files: ["esm/", "README.md", "LICENSE"],
    engines: { node: ">=20", bun: ">=1.1" },
    sideEffects: false,
    // koffi is Node's FFI; Bun has its own, so the dependency is optional.
    peerDependencies: { koffi: "^3.0.0" },
    peerDependenciesMeta: { koffi: { optional: true } },
  },
  postBuild() {
    for (const file of ["README.md", "LICENSE"]) {
      copyFileSync(join(root, file), join(root, "npm", file));
    }
    // A bin runs as a script: it needs the shebang of the runtime that runs it.
    for (const entry of bins) {
      const path = join(root, "npm", moduleOut(entry.path));
      const source = readFileSync(path, "utf8").replace(/^#!.*\n/, "");
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, "#!/usr/bin/env node\n" + source, { mode: 0o755 });
    }
  },
});
console.log(`npm/ built: ${denoConfig.name}@${denoConfig.version}`);
