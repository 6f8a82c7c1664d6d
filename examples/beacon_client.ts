/**
 * A client that finds its service by beacon (beacon_service.ts): listens on
 * the beacon port until "NAME" is announced, connects a Request socket to
 * every instance it hears (zmq.connectService keeps following them: new
 * instances are connected, silent ones disconnected), and sends requests.
 *
 *   deno run -A examples/beacon_service.ts      # or: bun examples/beacon_service.ts
 *   deno run -A examples/beacon_client.ts       # or: bun examples/beacon_client.ts
 *
 * Options:
 *   --name N        the service to look for (default echo)
 *   --port P        the UDP port beacons share (default 9999)
 *   --interface I   where to listen, as for beacon_service.ts
 *   --requests N    how many requests (default 3)
 *   --timeout MS    how long to wait for the service, and for each reply (default 5000)
 */
import process from "node:process";
import { parseArgs } from "node:util";
import * as zmq from "../mod.ts";

// A mistyped flag is one line on stderr and exit code 2, not a stack trace.
const { values: options } = (() => {
  try {
    return parseArgs({
      args: process.argv.slice(2),
      options: {
        name: { type: "string", default: "echo" },
        port: { type: "string", default: "9999" },
        interface: { type: "string" },
        requests: { type: "string", default: "3" },
        timeout: { type: "string", default: "5000" },
      },
    });
  } catch (error) {
    console.error(`${(error as Error).message} (see the header of this file for the flags)`);
    process.exit(2);
  }
})();
const timeout = Number(options.timeout);
const text = (frame: Uint8Array) => new TextDecoder().decode(frame);

const requester = new zmq.Request({ linger: 0 });
let link: zmq.ServiceLink | undefined;
try {
  link = await zmq.connectService(requester, options.name, {
    port: Number(options.port),
    interface: options.interface,
    timeout,
  });
  console.log(`client: found "${options.name}" at ${link.endpoints.join(", ")}`);
  for (let i = 1; i <= Number(options.requests); i++) {
    await requester.send(`Hello ${i}`);
    const [reply] = await requester.receive({ timeout });
    console.log(`Reply ${i}: ${text(reply)}`);
  }
} catch (error) {
  console.log(`E: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  link?.close();
  requester.close();
}
