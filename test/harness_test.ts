// Checks of the shim itself, so a broken harness cannot pass silently.
import {
  endpointFor,
  equal,
  match,
  ok,
  rejects,
  runtime,
  runtimeCommand,
  runtimeExecutable,
  sleep,
  test,
  transports,
  uniqueInprocAddress,
  uniqueIpcAddress,
  withTimeout,
} from "./harness.ts";

test("harness: withTimeout rejects with a clear message", async () => {
  await rejects(
    withTimeout(sleep(1_000), 20, "the slow thing"),
    /Timed out after 20 ms waiting for the slow thing/,
  );
  equal(await withTimeout(Promise.resolve(7), 1_000, "a value"), 7);
});

test("harness: unique addresses are unique and well formed", () => {
  const inproc = new Set(Array.from({ length: 50 }, uniqueInprocAddress));
  equal(inproc.size, 50);
  const ipc = new Set(Array.from({ length: 50 }, uniqueIpcAddress));
  equal(ipc.size, 50);
  for (const address of ipc) {
    match(address, /^ipc:\/\/\/.+\.sock$/);
    ok(address.length < 100, `ipc path too long for sun_path: ${address}`);
  }
  equal(endpointFor("tcp"), "tcp://127.0.0.1:*");
  match(endpointFor("ipc"), /^ipc:\/\//);
  match(endpointFor("inproc"), /^inproc:\/\//);
  equal(transports.length, 3);
});

test("harness: knows its runtime and executable", () => {
  ok(runtime === "deno" || runtime === "bun");
  ok(runtimeExecutable.length > 0);
  const command = runtimeCommand("x.ts");
  equal(command[command.length - 1], "x.ts");
  match(runtimeExecutable, runtime === "deno" ? /deno/ : /bun/);
});

test("harness: a test can be ignored", () => {
  throw new Error("an ignored test ran");
}, { ignore: true });
