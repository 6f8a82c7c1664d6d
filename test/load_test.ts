import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import process from "node:process";
import {
  equal,
  ok,
  runtime,
  runtimeCommand,
  runtimeExecutable,
  test,
  withTimeout,
} from "./harness.ts";

function runWithEnv(
  env: Record<string, string>,
  fixture = "load_missing.ts",
  command: string[] = runtimeCommand(
    fileURLToPath(new URL(`./fixtures/${fixture}`, import.meta.url)),
  ),
): Promise<string> {
  const [executable, ...args] = command;
  const child = spawn(executable, args, {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout!.setEncoding("utf8");
  child.stdout!.on("data", (chunk: string) => out += chunk);
  return withTimeout(
    new Promise<string>((resolve) => child.on("exit", () => resolve(out.trim()))),
    15_000,
    "the loader child to exit",
  );
}

test("load: importing never throws; the first socket names what was tried and how to install", async () => {
  const out = await runWithEnv({ LIBZMQ_PATH: "/nowhere/libzmq.so.5" });
  const error = JSON.parse(out);
  equal(error.import, undefined, "the import threw");
  equal(error.isLibraryLoadError, true, "a static importer can catch LibraryLoadError");
  equal(error.version, "", "zmq.version without libzmq");
  equal(error.name, "LibraryLoadError");
  equal(error.code, "ELIBACC");
  ok(error.message.includes("/nowhere/libzmq.so.5"), error.message);
  ok(error.message.includes("LIBZMQ_PATH"), error.message);
  ok(error.message.includes("apt-get install"), error.message);
  ok(error.message.includes("brew install zeromq"), error.message);
  ok(!/\bat \w+ \(/.test(error.message), "the message carries a stack trace");
});

test("load: LIBZMQ_PATH pointing at the real library works", async () => {
  const out = await runWithEnv({ LIBZMQ_PATH: "libzmq.so.5" });
  equal(out, "loaded");
});

/** Deno refused FFI: the error says which permission to grant, and where. */
function assertPermissionError(out: string) {
  const error = JSON.parse(out);
  equal(error.name, "LibraryLoadError", out);
  equal(error.code, "ELIBACC");
  ok(error.message.includes("--allow-ffi"), error.message);
  ok(error.message.includes("deno.permissions"), error.message);
}

test("load: Deno without --allow-ffi is told to grant it", async () => {
  const script = fileURLToPath(new URL("./fixtures/load_missing.ts", import.meta.url));
  const command = [runtimeExecutable, "run", "--allow-read", "--allow-env", script];
  assertPermissionError(await runWithEnv({}, "", command));
}, { ignore: runtime !== "deno" });

test("load: a Deno Worker without FFI permission gets the same clear error", async () => {
  const script = fileURLToPath(new URL("./fixtures/load_in_worker.ts", import.meta.url));
  const command = [runtimeExecutable, "run", "-A", "--unstable-worker-options", script];
  assertPermissionError(await runWithEnv({}, "", command));
}, { ignore: runtime !== "deno" });
