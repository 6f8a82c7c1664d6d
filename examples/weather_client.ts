/**
 * Weather update client (the guide's wuclient): a Subscriber connects to the
 * weather server, subscribes to one zip code, and averages the temperature of
 * the next N updates for it. A subscription is a prefix of the message: here
 * "10001 " (with the space, so "100010" would not match).
 *
 * Subscribing takes a moment to reach the publisher (the "slow joiner"), and
 * what was published before that is not seen: the server publishes without
 * end, so the client simply waits for its N updates.
 *
 * Run it with weather_server.ts in another shell (start several clients with
 * different --zip values if you like):
 *
 *   deno run -A examples/weather_server.ts    # or: bun examples/weather_server.ts
 *   deno run -A examples/weather_client.ts    # or: bun examples/weather_client.ts
 *
 * Options:
 *   --endpoint E    the server to connect to (default tcp://localhost:5556)
 *   --zip Z         the zip code to follow (default 10001)
 *   --updates N     how many updates to average (default 100)
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
        endpoint: { type: "string", default: "tcp://localhost:5556" },
        zip: { type: "string", default: "10001" },
        updates: { type: "string", default: "100" },
      },
    });
  } catch (error) {
    console.error(`${(error as Error).message} (see the header of this file for the flags)`);
    process.exit(2);
  }
})();
const updates = Number(options.updates);
const text = (frame: Uint8Array) => new TextDecoder().decode(frame);

console.log(`Collecting updates from weather server at ${options.endpoint}...`);
const subscriber = new zmq.Subscriber();
subscriber.connect(options.endpoint);
subscriber.subscribe(`${options.zip} `);

let totalTemperature = 0;
for (let update = 0; update < updates; update++) {
  const [message] = await subscriber.receive();
  console.log(`Received update: ${text(message)}`);
  const [_zipcode, temperature, _relativeHumidity] = text(message).split(" ");
  totalTemperature += Number(temperature);
}

console.log(
  `Average temperature for zipcode '${options.zip}' was ${
    Math.round(totalTemperature / updates)
  }F (${updates} updates)`,
);
subscriber.close();
