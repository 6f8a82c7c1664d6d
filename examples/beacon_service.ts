/**
 * A service found by beacon: binds an echo Reply socket on a port of the
 * system's choosing and announces "NAME -> tcp://*:PORT" by UDP broadcast
 * once a second (zbeacon-compatible, see zmq.announceService). Clients on
 * the same network (beacon_client.ts) find it with no address configured.
 * When it stops, clients notice within a few seconds. Runs until Ctrl-C.
 *
 *   deno run -A examples/beacon_service.ts      # or: bun examples/beacon_service.ts
 *   deno run -A examples/beacon_client.ts       # or: bun examples/beacon_client.ts
 *
 * Options:
 *   --name N        the service name to announce (default echo)
 *   --port P        the UDP port beacons share (default 9999)
 *   --interface I   where to broadcast: an interface name ("eth0", "lo"), an address,
 *                   or "*" (default: ZSYS_INTERFACE, else the first non-loopback interface)
 *   --endpoint E    where to bind the service (default tcp://*:*, any free port)
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
        endpoint: { type: "string", default: "tcp://*:*" },
      },
    });
  } catch (error) {
    console.error(`${(error as Error).message} (see the header of this file for the flags)`);
    process.exit(2);
  }
})();

// Ctrl-C aborts the receive we are waiting in, and we shut down cleanly.
const interrupted = new AbortController();
process.on("SIGINT", () => interrupted.abort());

const server = new zmq.Reply();
await server.bind(options.endpoint);
// Announce the endpoint as bound, with the wildcard host kept: each listener
// puts in the address it heard us from.
const bound = server.lastEndpoint!.replace(/^tcp:\/\/0\.0\.0\.0:/, "tcp://*:");
const announcement = zmq.announceService(options.name, bound, {
  port: Number(options.port),
  interface: options.interface,
});
const where = await announcement.ready;
console.log(
  `service: announcing "${options.name}" -> ${bound} on ${where.name} ` +
    `(broadcast ${where.broadcast}, UDP port ${options.port})`,
);

let served = 0;
try {
  while (true) {
    const request = await server.receive({ signal: interrupted.signal });
    await server.send(request);
    served++;
  }
} catch (error) {
  if (!interrupted.signal.aborted) throw error;
}

announcement.close();
server.close();
console.log(`service: served ${served} requests`);
