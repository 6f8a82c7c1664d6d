/**
 * Weather update server (the guide's wuserver): a Publisher sends
 * "zipcode temperature humidity" updates for random zip codes as fast as it
 * can, to every subscriber at once, until Ctrl-C. Subscribers choose what
 * they hear: the filtering happens here, in the publisher, per subscriber.
 * A publisher never waits for anyone; updates nobody subscribed to are dropped.
 *
 * Run it with one or more weather_client.ts in other shells:
 *
 *   deno run -A examples/weather_server.ts    # or: bun examples/weather_server.ts
 *   deno run -A examples/weather_client.ts    # or: bun examples/weather_client.ts
 *
 * Options:
 *   --endpoint E    where to bind (default tcp://*:5556)
 *   --zips N        zip codes are drawn from 00000 to N-1 (default 100000)
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
        endpoint: { type: "string", default: "tcp://*:5556" },
        zips: { type: "string", default: "100000" },
      },
    });
  } catch (error) {
    console.error(`${(error as Error).message} (see the header of this file for the flags)`);
    process.exit(2);
  }
})();
const zips = Number(options.zips);
const random = (n: number) => Math.floor(Math.random() * n);

// Publish until Ctrl-C (the loop yields to the event loop, so the handler runs).
let running = true;
process.on("SIGINT", () => running = false);

const publisher = new zmq.Publisher();
await publisher.bind(options.endpoint);
console.log(`weather server: publishing on ${publisher.lastEndpoint} until Ctrl-C`);

let published = 0;
while (running) {
  const zipcode = String(random(zips)).padStart(5, "0");
  const temperature = random(215) - 80;
  const relativeHumidity = random(50) + 10;
  await publisher.send(`${zipcode} ${temperature} ${relativeHumidity}`);
  published++;
}

console.log(`weather server: published ${published} updates`);
publisher.close();
