// Argument parsing shared by the zeromq.js peers: `--name value` pairs,
// numbers where the default is a number, and the two-process/one-process mode.
export function parseArgs(argv, defaults) {
  const o = { mode: "two-process", timeout: 120, child: null, ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const name = a.startsWith("--") ? a.slice(2) : "";
    if (!(name in o)) throw new Error(`unknown argument ${a}`);
    if (i + 1 >= argv.length) throw new Error(`missing value for ${a}`);
    const value = argv[++i];
    o[name] = typeof o[name] === "number" ? Number(value) : value;
  }
  if (o.endpoint.startsWith("inproc://")) o.mode = "one-process";
  if (o.mode !== "two-process" && o.mode !== "one-process") {
    throw new Error(`bad --mode ${o.mode}`);
  }
  return o;
}
