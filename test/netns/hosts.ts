/**
 * Several hosts on one machine: Linux network namespaces joined by veth links
 * to one bridge (iproute2, root). The test process stays in the root namespace
 * and owns the bridge's address (the "hub"), so it can reach every host and
 * run relays between them. Cutting a host's link (`ip link set <veth> down`)
 * partitions it the way a pulled cable does; restoring it heals the link.
 *
 * Where namespaces are not allowed (no root, no iproute2, a container without
 * CAP_SYS_ADMIN), {@link netnsSupport} says why, and {@link localNetwork}
 * gives the same shape on 127.0.0.1 for the tests that need no real links.
 *
 * Names carry the creating process's pid, so {@link sweepStaleNetworks} can
 * remove what a killed run left behind without touching anyone else's.
 *
 * As a script: `deno run -A test/netns/hosts.ts up 3` builds three hosts,
 * prints them, and tears them down on Ctrl-C; `... sweep` removes leftovers.
 *
 * @module
 */
import { type ChildProcess, execFile, spawn, type SpawnOptions } from "node:child_process";
import { existsSync } from "node:fs";
import process from "node:process";

/** One host: a namespace with one interface (eth0) on the bridge. */
export interface Host {
  /** Short name for messages ("h1", "h2", ...). */
  readonly name: string;
  /** The network namespace, or null on a local (loopback) network. */
  readonly namespace: string | null;
  /** The host's IPv4 address on the bridge (127.0.0.1 on a local network). */
  readonly address: string;
  /** Its interface name inside the namespace ("eth0"; "lo" locally). */
  readonly interface: string;
  /** Starts `argv` on this host (inside its namespace). */
  spawn(argv: readonly string[], options?: SpawnOptions): ChildProcess;
  /** Cuts the host's link to the bridge (its cable is pulled). */
  cut(): Promise<void>;
  /** Restores the link. */
  restore(): Promise<void>;
}

/** A set of hosts and the hub (the root namespace's side of the bridge). */
export interface Network {
  /** "netns": real namespaces and links; "local": everything on 127.0.0.1. */
  readonly mode: "netns" | "local";
  /** The root namespace's address on the bridge; the test process binds here. */
  readonly hubAddress: string;
  /** The bridge's interface name (null locally). */
  readonly bridge: string | null;
  readonly hosts: readonly Host[];
  /** Kills every process started on a host, then removes hosts, links and bridge. */
  destroy(): Promise<void>;
}

/** Where the iproute2 `ip` command lives, or null. */
export function ipCommand(): string | null {
  const dirs = [...(process.env.PATH ?? "").split(":"), "/usr/sbin", "/sbin", "/usr/bin", "/bin"];
  for (const dir of dirs) {
    if (dir !== "" && existsSync(`${dir}/ip`)) return `${dir}/ip`;
  }
  return null;
}

function run(command: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: 10_000 }, (error, stdout, stderr) => {
      if (error) {
        reject(
          new Error(
            `${command} ${args.join(" ")} failed: ${String(stderr).trim() || error.message}`,
          ),
        );
      } else resolve(String(stdout));
    });
  });
}

function ip(...args: string[]): Promise<string> {
  const command = ipCommand();
  if (command === null) return Promise.reject(new Error("iproute2's ip command is not installed"));
  return run(command, args);
}

let support: Promise<{ ok: true } | { ok: false; reason: string }> | undefined;

/**
 * Whether this machine lets us build namespaces, veth links and a bridge;
 * when not, a sentence saying why. Probed once per process.
 */
export function netnsSupport(): Promise<{ ok: true } | { ok: false; reason: string }> {
  support ??= (async () => {
    if (process.platform !== "linux") {
      return {
        ok: false as const,
        reason: `network namespaces need Linux, not ${process.platform}`,
      };
    }
    if (ipCommand() === null) {
      return {
        ok: false as const,
        reason: "iproute2's ip command is not installed (apt-get install iproute2)",
      };
    }
    const probe = `zq-${process.pid}-probe`;
    const link = `zqp-${process.pid.toString(36)}-`;
    try {
      await ip("netns", "add", probe);
      await ip("link", "add", `${link}v`, "type", "veth", "peer", "name", "eth0", "netns", probe);
      await ip("link", "add", `${link}b`, "type", "bridge");
      return { ok: true as const };
    } catch (error) {
      return {
        ok: false as const,
        reason:
          `this machine refuses network namespaces (needs root or CAP_SYS_ADMIN/CAP_NET_ADMIN): ${
            (error as Error).message
          }`,
      };
    } finally {
      await ip("link", "del", `${link}b`).catch(() => {});
      await ip("link", "del", `${link}v`).catch(() => {});
      await ip("netns", "del", probe).catch(() => {});
    }
  })();
  return support;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === "EPERM";
  }
}

/**
 * Removes namespaces and bridges left by runs whose process is gone
 * (names "zq-<pid>-..." and "zqb-<pid in base 36>-..."). Returns what it removed.
 */
export async function sweepStaleNetworks(): Promise<string[]> {
  const removed: string[] = [];
  const namespaces = (await ip("netns", "list").catch(() => "")).split("\n");
  for (const line of namespaces) {
    const match = /^(zq-(\d+)-\S+)/.exec(line.trim());
    if (match && !processAlive(Number(match[2]))) {
      await ip("netns", "del", match[1]).then(() => removed.push(match[1]), () => {});
    }
  }
  const links = (await ip("-o", "link", "show").catch(() => "")).split("\n");
  for (const line of links) {
    const match = /^\d+: (zq[bvp]-([0-9a-z]+)[^:@]*)[:@]/.exec(line);
    if (match && !processAlive(parseInt(match[2], 36))) {
      await ip("link", "del", match[1]).then(() => removed.push(match[1]), () => {});
    }
  }
  return removed;
}

async function freeSubnet(seed: number): Promise<string> {
  const routes = await ip("-4", "-o", "route", "show");
  for (let step = 0; step < 4096; step++) {
    const n = (seed + step * 7919) % (64 * 256);
    const subnet = `10.${192 + (n >> 8)}.${n & 255}`;
    if (!routes.includes(`${subnet}.`)) return subnet;
  }
  throw new Error("No free 10.192.0.0/10 subnet for a test network");
}

/** Options of {@link createNetwork}. */
export interface NetworkOptions {
  /** Let multicast cross the bridge (no IGMP snooping) and route 224.0.0.0/4 on each host. */
  multicast?: boolean;
}

/**
 * Builds `count` hosts in namespaces on one bridge; the root namespace gets
 * the bridge's first address. Call `destroy()` in a `finally`.
 */
export async function createNetwork(count: number, options: NetworkOptions = {}): Promise<Network> {
  if (!Number.isInteger(count) || count < 1 || count > 35) {
    throw new RangeError(`A network has 1 to 35 hosts, got ${count}`);
  }
  await sweepStaleNetworks();
  // pid + a random tag: unique even across test files sharing one process.
  // Interface names must fit in 15 characters ("zqv-" pid36 "-" tag "h" host).
  const tag = Math.floor(Math.random() * 36 ** 3).toString(36).padStart(3, "0");
  const id = `${process.pid.toString(36)}-${tag}`;
  const bridge = `zqb-${id}`;
  const subnet = await freeSubnet(Math.floor(Math.random() * 64 * 256));
  const hubAddress = `${subnet}.1`;
  const namespaces: string[] = [];
  const children = new Set<ChildProcess>();
  let destroyed = false;

  const destroy = async () => {
    if (destroyed) return;
    destroyed = true;
    await Promise.all([...children].map(killAndWait));
    for (const namespace of namespaces) await ip("netns", "del", namespace).catch(() => {});
    await ip("link", "del", bridge).catch(() => {});
  };

  try {
    await ip("link", "add", bridge, "type", "bridge");
    if (options.multicast) {
      await ip("link", "set", bridge, "type", "bridge", "mcast_snooping", "0");
    }
    await ip("addr", "add", `${hubAddress}/24`, "dev", bridge);
    await ip("link", "set", bridge, "up");
    const hosts: Host[] = [];
    for (let i = 1; i <= count; i++) {
      const namespace = `zq-${process.pid}-${tag}-h${i}`;
      const veth = `zqv-${id}h${i.toString(36)}`;
      const address = `${subnet}.${i + 1}`;
      await ip("netns", "add", namespace);
      namespaces.push(namespace);
      await ip("link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", namespace);
      await ip("link", "set", veth, "master", bridge);
      await ip("link", "set", veth, "up");
      await ip("-n", namespace, "addr", "add", `${address}/24`, "dev", "eth0");
      await ip("-n", namespace, "link", "set", "lo", "up");
      await ip("-n", namespace, "link", "set", "eth0", "up");
      if (options.multicast) {
        await ip("-n", namespace, "route", "add", "224.0.0.0/4", "dev", "eth0");
      }
      hosts.push({
        name: `h${i}`,
        namespace,
        address,
        interface: "eth0",
        spawn(argv, spawnOptions = {}) {
          if (destroyed) throw new Error(`Network ${bridge} is destroyed`);
          const child = spawn(ipCommand()!, ["netns", "exec", namespace, ...argv], spawnOptions);
          children.add(child);
          child.once("close", () => children.delete(child));
          return child;
        },
        cut: () => ip("link", "set", veth, "down").then(() => {}),
        restore: () => ip("link", "set", veth, "up").then(() => {}),
      });
    }
    return { mode: "netns", hubAddress, bridge, hosts, destroy };
  } catch (error) {
    await destroy();
    throw error;
  }
}

/**
 * The same shape on 127.0.0.1 without namespaces: hosts are plain child
 * processes and links cannot be cut. For tests whose faults come from a relay.
 */
export function localNetwork(count: number): Network {
  const children = new Set<ChildProcess>();
  let destroyed = false;
  const hosts: Host[] = [];
  for (let i = 1; i <= count; i++) {
    hosts.push({
      name: `h${i}`,
      namespace: null,
      address: "127.0.0.1",
      interface: "lo",
      spawn(argv, options = {}) {
        if (destroyed) throw new Error("The local network is destroyed");
        const child = spawn(argv[0], argv.slice(1), options);
        children.add(child);
        child.once("close", () => children.delete(child));
        return child;
      },
      cut: () => Promise.reject(new Error("A local network has no links to cut")),
      restore: () => Promise.reject(new Error("A local network has no links to restore")),
    });
  }
  return {
    mode: "local",
    hubAddress: "127.0.0.1",
    bridge: null,
    hosts,
    async destroy() {
      destroyed = true;
      await Promise.all([...children].map(killAndWait));
    },
  };
}

/** Namespaces where allowed, otherwise a local network; `note` says which and why. */
export async function anyNetwork(
  count: number,
  options: NetworkOptions = {},
): Promise<{ network: Network; note: string }> {
  const supported = await netnsSupport();
  if (supported.ok) {
    return { network: await createNetwork(count, options), note: "hosts in network namespaces" };
  }
  return {
    network: localNetwork(count),
    note: `hosts are local processes on 127.0.0.1 (${supported.reason})`,
  };
}

/** SIGKILLs a child and resolves once it is gone. */
export function killAndWait(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 5_000);
    child.once("close", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill("SIGKILL");
  });
}

async function main(args: string[]) {
  const [command, countText] = args;
  if (command === "sweep") {
    console.log((await sweepStaleNetworks()).join("\n") || "nothing to remove");
    return;
  }
  if (command !== "up") {
    console.log("usage: hosts.ts up [count] | sweep");
    process.exitCode = 2;
    return;
  }
  const supported = await netnsSupport();
  if (!supported.ok) {
    console.error(supported.reason);
    process.exitCode = 1;
    return;
  }
  const network = await createNetwork(Number(countText ?? 3), { multicast: true });
  console.log(`bridge ${network.bridge}, hub ${network.hubAddress}`);
  for (const host of network.hosts) {
    console.log(`${host.name}: ip netns exec ${host.namespace} ... (${host.address} on eth0)`);
  }
  console.log("Ctrl-C tears the hosts down.");
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await network.destroy();
  console.log("torn down");
}

if ((import.meta as { main?: boolean }).main) await main(process.argv.slice(2));
