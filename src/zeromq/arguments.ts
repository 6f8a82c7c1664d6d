/**
 * Argument checks worded as zeromq.js words them, and its sealed-object
 * option assignment, the same in every runtime.
 *
 * @module
 */

/** TypeError when more than `expected` arguments were given. */
export function checkArgumentCount(args: IArguments | unknown[], expected: number): void {
  if (args.length > expected) {
    throw new TypeError(
      `Expected ${expected} argument${expected === 1 ? "" : "s"} but received ${args.length}`,
    );
  }
}

/**
 * Sets each own enumerable option on a sealed `target`, as zeromq.js's
 * `Object.assign` does; skips `skip`. An option the object does not have is
 * the TypeError V8 gives for a sealed object (in every runtime).
 */
export function assignOptions(
  target: object,
  options: object,
  _owner: "Socket" | "Context",
  skip?: string,
): void {
  for (const [name, value] of Object.entries(options)) {
    if (name === skip) continue;
    if (!(name in target)) {
      throw new TypeError(`Cannot add property ${name}, object is not extensible`);
    }
    (target as Record<string, unknown>)[name] = value;
  }
}

/** TypeError unless `address` is a string (bind, connect, ...). */
export function checkAddress(args: IArguments, count = 1): string {
  if (typeof args[0] !== "string") throw new TypeError("Address must be a string");
  checkArgumentCount(args, count);
  return args[0];
}
