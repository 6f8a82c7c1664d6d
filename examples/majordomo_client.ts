/**
 * Majordomo client (the guide's mdclient): asks the broker
 * (majordomo_broker.ts) whether the service exists (8/MMI), then sends
 * requests to it by name. Each request waits up to --timeout for its reply
 * and is resent on a fresh connection up to --retries times, so a worker
 * that dies mid-request costs a retry, not an answer. The requests go out
 * together, several in flight at once; each caller gets its own reply.
 *
 *   deno run -A examples/majordomo_broker.ts    # or: bun examples/majordomo_broker.ts
 *   deno run -A examples/majordomo_worker.ts    # or: bun examples/majordomo_worker.ts
 *   deno run -A examples/majordomo_client.ts    # or: bun examples/majordomo_client.ts
 *
 * Options:
 *   --endpoint E    the broker to connect to (default tcp://localhost:5555)
 *   --service S     the service to ask (default echo)
 *   --requests N    how many requests (default 10)
 *   --timeout MS    how long to wait for each reply (default 2500, the guide's)
 *   --retries N     resends before giving up (default 3, the guide's)
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
        endpoint: { type: "string", default: "tcp://localhost:5555" },
        service: { type: "string", default: "echo" },
        requests: { type: "string", default: "10" },
        timeout: { type: "string", default: "2500" },
        retries: { type: "string", default: "3" },
      },
    });
  } catch (error) {
    console.error(`${(error as Error).message} (see the header of this file for the flags)`);
    process.exit(2);
  }
})();
const text = (frame: Uint8Array) => new TextDecoder().decode(frame);

const client = new zmq.MajordomoClient(options.endpoint, {
  timeout: Number(options.timeout),
  retries: Number(options.retries),
});
try {
  // 8/MMI: is anyone serving it? (The request would wait in the broker's queue otherwise.)
  const available = await client.hasService(options.service);
  console.log(
    `client: service "${options.service}" is ${available ? "available" : "not available yet"}`,
  );

  const count = Number(options.requests);
  const replies = await Promise.all(
    Array.from({ length: count }, (_, i) => client.request(options.service, `Hello ${i + 1}`)),
  );
  for (const [i, [reply]] of replies.entries()) console.log(`Reply ${i + 1}: ${text(reply)}`);
  const stats = client.statistics();
  console.log(`client: ${replies.length} replies, ${stats.retries} retries`);
} catch (error) {
  // ETIMEDOUT: no reply after every retry; the broker or the service is gone.
  console.log(`E: ${(error as Error).message}`);
  process.exitCode = 1;
} finally {
  client.close();
}
