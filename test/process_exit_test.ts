// process.exit() ends the process at once, whatever waits (Node through the
// npm build hung here: its exit waited for the poller thread inside poll()).
import { fileURLToPath } from "node:url";
import { describeExit, equal, runScript, test } from "./harness.ts";

test("process.exit() while receives wait ends the process with its code", async () => {
  const script = fileURLToPath(new URL("./fixtures/exit_while_waiting.ts", import.meta.url));
  for (let run = 0; run < 3; run++) {
    const exit = await runScript(script, { timeout: 10_000 });
    equal(exit.timedOut, false, `the process did not exit: ${describeExit(exit)}`);
    equal(exit.code, 3, describeExit(exit));
  }
}, { timeout: 40_000 });
