/**
 * The command line of `zmq <socket-type>`: its flags by what they are about,
 * the help that says how each type behaves, and the checks that turn
 * arguments into a {@link SocketPlan} before anything is opened.
 *
 * @module
 */
import { commonFlags, type FlagSpec, type ParsedArgs } from "../args.ts";
import { endpointMode, type EndpointPlan, splitEndpoints } from "../endpoints.ts";
import { UsageError } from "../errors.ts";
import { type Format, FORMATS, parseMessage } from "../frames.ts";
import { type CurveFlags, DEFAULT_LINGER } from "../socket_setup.ts";
import { type SocketTypeInfo, type SocketTypeName, socketTypes } from "../socket_types.ts";

/** Everything a socket command was asked to do, checked. */
export interface SocketPlan {
  name: SocketTypeName;
  info: SocketTypeInfo;
  endpoints: EndpointPlan[];
  /** Messages from the arguments; empty means stdin (for types that send). */
  messages: Uint8Array[][];
  subscribe: string[];
  count?: number;
  timeout?: number;
  delay: number;
  interval: number;
  format: Format;
  input: Format;
  separator?: string;
  echo: boolean;
  reply?: Uint8Array[];
  options: string[];
  linger: number;
  curve: CurveFlags;
  quiet: boolean;
  verbose: boolean;
  progress: boolean;
}

// Flags by what they are about; each socket type takes the groups that apply.
const endpointFlags: FlagSpec[] = [
  { name: "bind", short: "b", kind: "boolean", help: "bind every endpoint without @ or >" },
  { name: "connect", short: "c", kind: "boolean", help: "connect every endpoint without @ or >" },
];
const subscribeFlags: FlagSpec[] = [
  {
    name: "subscribe",
    short: "s",
    kind: "list",
    value: "PREFIX",
    help: "receive messages starting with PREFIX (repeatable; none: everything)",
  },
];
const sendFlags: FlagSpec[] = [
  {
    name: "input",
    short: "i",
    kind: "string",
    value: "FORMAT",
    choices: FORMATS,
    help: "how messages to send are written: text (default), hex or json",
  },
  { name: "delay", kind: "integer", value: "MS", min: 0, help: "wait MS before the first send" },
  {
    name: "interval",
    kind: "integer",
    value: "MS",
    min: 0,
    help: "wait MS between sends",
  },
];
const receiveFlags: FlagSpec[] = [
  {
    name: "format",
    short: "f",
    kind: "string",
    value: "FORMAT",
    choices: FORMATS,
    help: "print messages as text (default), hex or json (one array of frames per line)",
  },
];
const answerFlags: FlagSpec[] = [
  { name: "echo", short: "e", kind: "boolean", help: "send every message received back" },
  {
    name: "reply",
    short: "r",
    kind: "string",
    value: "TEXT",
    help: "answer every message received with TEXT (split by --separator)",
  },
];
const generalFlags: FlagSpec[] = [
  {
    name: "separator",
    short: "d",
    kind: "string",
    value: "SEP",
    help: "split messages into frames at SEP; print frames joined by SEP (default: a space)",
  },
  {
    name: "count",
    short: "n",
    kind: "integer",
    value: "N",
    min: 1,
    help: "stop after N messages (see above for what counts)",
  },
  {
    name: "timeout",
    short: "t",
    kind: "integer",
    value: "MS",
    min: 1,
    help: "fail (exit 1) when a message, reply or send waits longer than MS",
  },
  {
    name: "option",
    short: "o",
    kind: "list",
    value: "NAME=VALUE",
    help: "set a socket option: sendHighWaterMark=10, ZMQ_RCVHWM=10, routingId=me",
  },
  {
    name: "linger",
    kind: "integer",
    value: "MS",
    min: -1,
    help: `how long unsent messages may delay the exit (default ${DEFAULT_LINGER}; -1: forever)`,
  },
  {
    name: "curve-server",
    kind: "string",
    value: "SECRET",
    help: "be a CURVE server with this secret key (see zmq keygen)",
  },
  {
    name: "curve-server-key",
    kind: "string",
    value: "PUBLIC",
    help: "be a CURVE client of the server with this public key",
  },
  {
    name: "curve-secret-key",
    kind: "string",
    value: "SECRET",
    help: "the CURVE client's own secret key (default: a fresh key pair)",
  },
  {
    name: "progress",
    kind: "boolean",
    help: "show counts and rates on stderr even when it is not a terminal",
  },
];

/** The flags `zmq <name>` takes. */
export function socketFlags(name: SocketTypeName): FlagSpec[] {
  const info: SocketTypeInfo = socketTypes[name];
  return [
    ...endpointFlags,
    ...(name === "sub" || name === "xsub" ? subscribeFlags : []),
    ...(info.sends ? sendFlags : []),
    ...(info.receives ? receiveFlags : []),
    ...(info.sends && info.receives && name !== "req" ? answerFlags : []),
    ...generalFlags,
    ...commonFlags,
  ];
}

/** How the socket type behaves, for its help. */
export function socketBehaviour(name: SocketTypeName): string[] {
  const info: SocketTypeInfo = socketTypes[name];
  if (name === "req") {
    return [
      "Sends each message (the arguments, else stdin lines) and prints its reply.",
      "--count N sends N requests, cycling through the arguments. --timeout MS",
      "fails with exit 1 when a reply takes longer.",
    ];
  }
  if (name === "rep") {
    return [
      "Prints each request and answers it: with the request itself (--echo), with",
      "TEXT (--reply), with the message arguments in turn, or else with the next",
      "line of stdin. --count N stops after N answers.",
    ];
  }
  if (!info.receives) {
    const lines = [
      "Sends each message argument once (with --count N: N messages, cycling",
      "through the arguments), or else each line of stdin until its end, then",
      "exits once the messages have left (up to --linger ms).",
    ];
    if (name === "pub") {
      lines.push(
        "Subscribers that connect late miss what was sent before: --delay MS waits",
        "for them first.",
      );
    } else {
      lines.push("A send waits for a puller to connect (bounded by --timeout).");
    }
    return lines;
  }
  if (!info.sends) {
    const lines = [
      "Prints every message it receives on stdout, until --count N messages,",
      "--timeout MS without one (exit 1), or Ctrl-C (exit 0).",
    ];
    if (name === "sub") lines.push("Without --subscribe it receives everything.");
    return lines;
  }
  const lines = [
    "Sends the message arguments (or stdin lines) and prints what it receives,",
    "both at once, until --count N messages arrived, --timeout MS passed without",
    "one (exit 1), or Ctrl-C (exit 0). --echo and --reply answer what arrives.",
  ];
  if (name === "router") {
    lines.push("Received messages start with the sender's routing id; --echo and --reply keep it.");
  }
  if (name === "stream") {
    lines.push("Frames are [connection id, bytes]: use --format hex or json to see the id.");
  }
  if (name === "xsub") lines.push("Without --subscribe it subscribes to everything.");
  return lines;
}

/** Checks the command line of `zmq <name>` before anything is opened. */
export function planSocket(name: SocketTypeName, args: ParsedArgs): SocketPlan {
  const info: SocketTypeInfo = socketTypes[name];
  const flags = args.flags;
  const command = `zmq ${name}`;
  const mode = endpointMode(flags);
  const { endpoints, rest } = splitEndpoints(args.positionals, mode, command);
  const separator = flags.separator as string | undefined;
  if (separator === "") throw new UsageError("--separator cannot be empty");
  const input = (flags.input as Format | undefined) ?? "text";
  if (rest.length > 0 && !info.sends) {
    throw new UsageError(
      `a ${name} socket only receives, so "${rest[0]}" cannot be sent ` +
        `(an endpoint looks like tcp://127.0.0.1:5555)`,
    );
  }
  const messages = rest.map((arg, index) =>
    parseMessage(arg, input, separator, `message argument ${index + 1}`)
  );
  const echo = flags.echo === true;
  const replyText = flags.reply as string | undefined;
  if (echo && replyText !== undefined) {
    throw new UsageError("--echo and --reply exclude each other");
  }
  if ((echo || replyText !== undefined) && messages.length > 0 && name === "rep") {
    throw new UsageError(
      `${echo ? "--echo" : "--reply"} and message arguments both say how to answer: pick one`,
    );
  }
  return {
    name,
    info,
    endpoints,
    messages,
    subscribe: (flags.subscribe as string[] | undefined) ?? [],
    count: flags.count as number | undefined,
    timeout: flags.timeout as number | undefined,
    delay: (flags.delay as number | undefined) ?? 0,
    interval: (flags.interval as number | undefined) ?? 0,
    format: (flags.format as Format | undefined) ?? "text",
    input,
    separator,
    echo,
    reply: replyText === undefined
      ? undefined
      : parseMessage(replyText, input, separator, "--reply"),
    options: (flags.option as string[] | undefined) ?? [],
    linger: (flags.linger as number | undefined) ?? DEFAULT_LINGER,
    curve: {
      server: flags["curve-server"] as string | undefined,
      serverKey: flags["curve-server-key"] as string | undefined,
      secretKey: flags["curve-secret-key"] as string | undefined,
    },
    quiet: flags.quiet === true,
    verbose: flags.verbose === true,
    progress: flags.progress === true,
  };
}
