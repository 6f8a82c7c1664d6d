/**
 * Every command of the `zmq` tool: its flags, its help, and how it runs.
 * Each `run` checks the whole command line before it loads libzmq, so usage
 * errors and help work anywhere.
 *
 * @module
 */
import { commonFlags, type FlagSpec, type ParsedArgs } from "./args.ts";
import { benchFlags, planBench, runBench } from "./commands/bench.ts";
import { keygenFlags, planKeygen, runKeygen } from "./commands/keygen.ts";
import { DEFAULT_MONITOR_TYPE, monitorFlags, planMonitor, runMonitor } from "./commands/monitor.ts";
import { devices, planProxy, proxyFlags, runProxy } from "./commands/proxy.ts";
import { runSocket } from "./commands/socket.ts";
import { planSocket, socketBehaviour, socketFlags } from "./commands/socket_plan.ts";
import { runVersion } from "./commands/version.ts";
import { UsageError } from "./errors.ts";
import { type SocketTypeName, socketTypeNames, socketTypes } from "./socket_types.ts";

/** One command: what help shows, and what runs. */
export interface Command {
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  readonly usage: readonly string[];
  /** Paragraph lines under the usage. */
  readonly about: readonly string[];
  readonly flags: readonly FlagSpec[];
  readonly examples: readonly string[];
  /** Checks the arguments, runs, and resolves to the exit code. */
  run(args: ParsedArgs): Promise<number>;
}

/** How endpoints are bound or connected, shown in the help of socket commands. */
export const ENDPOINT_RULE = [
  "Endpoints: tcp://host:port, ipc:///path, inproc://name (and the other libzmq",
  'transports). One with a "*" binds (tcp://*:5555, tcp://127.0.0.1:*), any other',
  "connects; --bind or --connect changes that for all, and a leading @ (bind) or",
  "> (connect) for one. A wildcard bind prints the endpoint it got on stderr:",
  '"zmq: bound to tcp://127.0.0.1:40123".',
];

const FORMAT_NOTE = [
  "Formats: text prints frames as UTF-8 joined by the separator (default a space);",
  "hex prints each frame as hex; json prints one array per message, each frame a",
  'string, or {"base64": "..."} when it is not valid UTF-8. --input takes the same',
  'formats for messages to send (json also takes {"hex": "..."} frames).',
];

function socketCommand(name: SocketTypeName): Command {
  const info = socketTypes[name];
  const examples: Record<SocketTypeName, string[]> = {
    pub: [
      "zmq pub 'tcp://*:5556' 'weather sunny' 'sports 2-1' --delay 500",
      "tail -f log.txt | zmq pub 'tcp://*:5556'",
    ],
    sub: [
      "zmq sub tcp://127.0.0.1:5556 --subscribe weather",
      "zmq sub tcp://127.0.0.1:5556 --format json --count 10",
    ],
    xpub: ["zmq xpub 'tcp://*:5556' --format hex"],
    xsub: ["zmq xsub tcp://127.0.0.1:5556 --subscribe weather"],
    req: [
      'zmq req tcp://127.0.0.1:5555 "question"',
      "zmq req tcp://127.0.0.1:5555 ping --count 3 --timeout 1000",
    ],
    rep: [
      "zmq rep 'tcp://*:5555' --echo",
      "zmq rep 'tcp://*:5555' --reply 'ok|done' --separator '|'",
    ],
    dealer: ["zmq dealer tcp://127.0.0.1:5555 '|hello' --separator '|' --count 1"],
    router: ["zmq router 'tcp://*:5555' --echo --format hex"],
    push: [
      "echo hi | zmq push tcp://127.0.0.1:5555",
      "zmq push tcp://127.0.0.1:5555 'job|42' --separator '|' --count 1000",
    ],
    pull: ["zmq pull 'tcp://*:5555'", "zmq pull 'tcp://*:5555' --count 1 --timeout 5000"],
    pair: ["zmq pair ipc:///tmp/pair.sock hello"],
    stream: ["zmq stream 'tcp://*:8080' --format json"],
  };
  return {
    name,
    summary: info.about,
    usage: [`zmq ${name} <endpoint>...${info.sends ? " [message]..." : ""} [flags]`],
    about: [
      `Talks to: ${info.peers}.`,
      ...socketBehaviour(name),
      "",
      ...ENDPOINT_RULE,
      "",
      ...FORMAT_NOTE,
      ...(info.sends ? ["Message arguments that start with - go after --."] : []),
    ],
    flags: socketFlags(name),
    examples: examples[name],
    run: (args) => runSocket(planSocket(name, args)),
  };
}

/** The commands that are not socket types. */
const otherCommands: Command[] = [
  {
    name: "proxy",
    summary: "run a queue, forwarder or streamer device between two endpoints",
    usage: ["zmq proxy queue|forwarder|streamer <frontend> <backend> [flags]"],
    about: [
      ...Object.entries(devices).map(([name, device]) => `${name.padEnd(10)} ${device.about}`),
      "",
      "Both endpoints bind unless --connect-front / --connect-back (or a leading >)",
      "say otherwise. Runs until Ctrl-C or SIGTERM (exit 0); --verbose prints the",
      "traffic at the end.",
    ],
    flags: proxyFlags,
    examples: [
      "zmq proxy queue 'tcp://*:5559' 'tcp://*:5560'",
      "zmq proxy forwarder 'tcp://*:5557' 'tcp://*:5558' --capture 'tcp://*:5570'",
    ],
    run: (args) => runProxy(planProxy(args)),
  },
  {
    name: "monitor",
    summary: "connect (or bind) and print the socket's events live",
    usage: ["zmq monitor <endpoint>... [flags]"],
    about: [
      `A ${DEFAULT_MONITOR_TYPE} socket (or --type TYPE: sub for publishers, req for rep) connects and`,
      "prints each event: connect, connect:delay, connect:retry, handshake,",
      "disconnect, bind, accept, close and the *:error ones, one line each:",
      "time, type, address and details (fd=, interval=, error=).",
      "Runs until --count N events, --timeout MS without one (exit 1), or Ctrl-C.",
      "",
      ...ENDPOINT_RULE,
    ],
    flags: monitorFlags,
    examples: [
      "zmq monitor tcp://127.0.0.1:5555",
      "zmq monitor 'tcp://*:5555' --format json",
      "zmq monitor tcp://127.0.0.1:5556 --type sub --count 2",
    ],
    run: (args) => runMonitor(planMonitor(args)),
  },
  {
    name: "keygen",
    summary: "print a new CURVE key pair (Z85)",
    usage: ["zmq keygen [--format text|json] [--secret SECRET]"],
    about: [
      'Prints a new CURVE key pair as two lines, "public-key: ..." and',
      '"secret-key: ...", each key 40 Z85 characters; --format json prints',
      '{"publicKey": ..., "secretKey": ...}. Use them with --curve-server and',
      "--curve-server-key on the socket commands.",
    ],
    flags: keygenFlags,
    examples: ["zmq keygen", "zmq keygen --format json > server.json"],
    run: (args) => runKeygen(planKeygen(args)),
  },
  {
    name: "bench",
    summary: "a quick throughput (push/pull) and latency (req/rep) check",
    usage: ["zmq bench [all|throughput|latency] [flags]"],
    about: [
      "Sends --count messages of --size bytes PUSH -> PULL and prints msgs/s and",
      "MB/s, then makes REQ -> REP round trips and prints µs per round trip.",
      "The peer runs on a second thread of this process; `deno task bench` in the",
      "source tree compares against C and zeromq.js with separate processes.",
    ],
    flags: benchFlags,
    examples: ["zmq bench", "zmq bench throughput --size 1024 --transport inproc"],
    run: (args) => runBench(planBench(args)),
  },
  {
    name: "version",
    summary: "print the versions of this library, libzmq and the runtime",
    usage: ["zmq version", "zmq --version"],
    about: [],
    flags: commonFlags,
    examples: [],
    run: (args) => {
      if (args.positionals.length > 0) {
        throw new UsageError(`unexpected argument "${args.positionals[0]}"`);
      }
      return runVersion();
    },
  },
];

/** Every command, socket types first. */
export const commands: readonly Command[] = [
  ...socketTypeNames.map(socketCommand),
  ...otherCommands,
];

/** A command by name. */
export function findCommand(name: string): Command | undefined {
  return commands.find((command) => command.name === name);
}
