/**
 * Multicast between hosts: a PUB on one namespace host, SUBs on two others,
 * all on one bridge that floods multicast. `epgm://` is PGM over UDP;
 * `pgm://` is raw PGM (IP protocol 113, needs CAP_NET_RAW). Each SUB forwards
 * what it hears over tcp to the test, which checks order and counts gaps
 * (PGM repairs losses within its recovery window; a late joiner starts
 * wherever it joins).
 *
 * Skipped, with the reason, where namespaces are not allowed, libzmq lacks
 * PGM, or the kernel refuses the transport.
 */
import process from "node:process";
import * as zmq from "../mod.ts";
import { createNetwork, netnsSupport, type Network } from "./netns/hosts.ts";
import { startPeer } from "./netns/peers.ts";
import { Collector, tally } from "./netns/support.ts";
import { closeAll, equal, ok, test } from "./harness.ts";

let counter = 0;
function group(): string {
  counter += 1;
  // A group and port of our own; the bridge is ours too, so nothing else hears it.
  return `239.192.${process.pid % 250}.${counter}:${20000 + (process.pid % 20000)}`;
}

/**
 * Why `transport` cannot run here, or null when it can. Probed in a child
 * process on a namespace host: libzmq aborts the whole process when the
 * kernel refuses a PGM socket, which must not take the test runner with it.
 */
async function refusal(transport: "epgm" | "pgm"): Promise<string | null> {
  const support = await netnsSupport();
  if (!support.ok) return support.reason;
  if (!zmq.has("pgm")) return 'this libzmq was built without PGM (zmq.has("pgm") is false)';
  let network: Network | undefined;
  try {
    network = await createNetwork(1, { multicast: true });
    const host = network.hosts[0];
    await startPeer(host, { role: "probe", endpoint: `${transport}://${host.address};${group()}` });
    return null;
  } catch (error) {
    return `the kernel or libzmq refuses ${transport}:// here: ${(error as Error).message}`;
  } finally {
    await network?.destroy();
  }
}

for (const transport of ["epgm", "pgm"] as const) {
  const refused = await refusal(transport);
  if (refused !== null) console.log(`multicast: ${transport}:// tests skipped: ${refused}`);
  test(
    `multicast: ${transport}:// PUB on one host reaches SUBs on two others${
      refused === null ? "" : ` (skipped: ${refused})`
    }`,
    async () => {
      const network = await createNetwork(3, { multicast: true });
      const back = new zmq.Pull({ linger: 0 });
      try {
        await back.bind(`tcp://${network.hubAddress}:*`);
        const collector = new Collector(back);
        const address = group();
        const [publisherHost, ...subscriberHosts] = network.hosts;
        await Promise.all(subscriberHosts.map((host) =>
          startPeer(host, {
            role: "forward",
            tag: host.name,
            from: {
              type: "SUB",
              connect: `${transport}://${host.address};${address}`,
              subscribe: [""],
            },
            to: { type: "PUSH", connect: back.lastEndpoint },
          })
        ));
        await startPeer(publisherHost, {
          role: "publish",
          socket: {
            type: "PUB",
            connect: `${transport}://${publisherHost.address};${address}`,
            options: { rate: 10_000, multicastHops: 1 },
          },
          intervalMs: 10,
          size: 100,
        });
        const wanted = 100;
        for (const host of subscriberHosts) {
          await collector.until(
            () => collector.of(host.name).seqs.length >= wanted,
            20_000,
            `${wanted} multicast messages at ${host.name}`,
          );
        }
        for (const host of subscriberHosts) {
          const seqs = collector.of(host.name).seqs.slice(0, wanted);
          const result = tally(seqs.map((s) => s - seqs[0]), seqs[seqs.length - 1] - seqs[0] + 1);
          console.log(
            `multicast: ${transport} ${host.name} joined at message ${seqs[0]}; ` +
              `${result.received} received, ${result.lost} missing in that range`,
          );
          ok(result.ordered, `${host.name} got multicast messages out of order or twice`);
          equal(result.duplicates, 0);
        }
      } finally {
        closeAll(back);
        await network.destroy();
      }
    },
    { ignore: refused !== null, timeout: 40_000 },
  );
}
