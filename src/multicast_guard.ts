/**
 * Refuses the multicast transports' uses that make libzmq 4.3.4 abort the
 * process: NORM altogether (see {@link checkMulticast}), and PGM settings
 * that libzmq 4.3.4 (or OpenPGM under it) aborts on. libzmq checks these options one by one when they are set, but
 * builds the PGM socket only later, on its I/O thread, and asserts if OpenPGM
 * refuses them there ("Invalid argument (src/session_base.cpp:723)",
 * "assertion failed: (rate_per_sec >= max_tpdu)", "pgm_skb_over_panic").
 * So they are checked together when a socket binds or connects a pgm:// or
 * epgm:// endpoint. And libzmq 4.3.4 may build a PGM engine for one I/O thread
 * and start it in another when the context has several (see
 * {@link onOneIoThread}).
 *
 * @module
 */
import type { Pointer } from "../ffi/native.ts";
import { misuse } from "./errors.ts";
import { findOption, readOption, writeOption } from "./options.ts";

/** OpenPGM's limit for the IP TTL of multicast packets. */
const MAX_HOPS = 255;
/** Below this, OpenPGM overruns its packet buffer on fragmented messages. */
const MIN_TPDU = 128;
/** OpenPGM's limit: a TPDU is sized by a 16-bit field. */
const MAX_TPDU = 65_535;
/** libzmq computes the rate in bytes per second as rate * 1000 / 8 in a C int. */
const MAX_RATE = Math.floor((2 ** 31 - 1) / 1000);

/** True for the endpoints that {@link checkMulticast} applies to: pgm://, epgm:// and norm://. */
export function isPgmEndpoint(address: string): boolean {
  return address.startsWith("pgm://") || address.startsWith("epgm://") ||
    address.startsWith("norm://");
}

/**
 * Throws a ZmqError if binding or connecting `address` would make libzmq
 * abort: ENOTSUP for any norm:// endpoint, EINVAL for PGM settings.
 */
export function checkMulticast(socket: Pointer, type: string, address: string): void {
  if (address.startsWith("norm://")) {
    // libzmq starts the NORM session later, on its I/O thread, and asserts
    // when NORM cannot open it: a port already in use (by any process; a
    // sender and a receiver of one unicast address on one host suffice), a
    // host name, an IPv6 address, a missing port, an interface without an
    // address. None of that can be checked beforehand from here.
    throw misuse(
      "ENOTSUP",
      `Cannot use "${address}": the norm:// transport is not supported, because libzmq ` +
        "4.3.4 aborts the process whenever NORM cannot open its session (a port in use, " +
        "an unknown host or interface); use pgm://, epgm:// or tcp://",
      address,
    );
  }
  const read = (name: string) => readOption(socket, findOption(name)!) as number;
  const refuse = (why: string) => {
    throw misuse("EINVAL", `Cannot use "${address}": ${why} (libzmq 4.3.4 would abort)`, address);
  };
  const hops = read("multicastHops");
  if (hops > MAX_HOPS) refuse(`multicastHops must be at most ${MAX_HOPS}, got ${hops}`);
  const tpdu = read("multicastMaxTransportDataUnitSize");
  if (tpdu < MIN_TPDU || tpdu > MAX_TPDU) {
    refuse(
      `multicastMaxTransportDataUnitSize must be between ${MIN_TPDU} and ${MAX_TPDU}, got ${tpdu}`,
    );
  }
  // Receivers size their window from the rate too (Bun, fuzz seed 422).
  const rate = read("rate");
  if (rate > MAX_RATE) refuse(`rate must be at most ${MAX_RATE} kbit/s, got ${rate}`);
  if (type !== "PUB" && type !== "XPUB") return;
  // OpenPGM needs at least one full TPDU per second.
  if (rate * 125 < tpdu) {
    refuse(
      `rate (${rate} kbit/s) must carry at least one multicastMaxTransportDataUnitSize ` +
        `(${tpdu} bytes) per second: at least ${Math.ceil(tpdu / 125)} kbit/s`,
    );
  }
}

/**
 * Runs `call` (the bind or connect of a pgm:// or epgm:// endpoint) with the
 * socket's affinity narrowed to one I/O thread, then restores it. libzmq
 * 4.3.4 picks the least loaded I/O thread twice, once for the session and
 * again, later, for the PGM engine it then plugs into that session's thread;
 * when the loads changed in between, the engine works another thread's
 * poller and the process aborts ("!_worker.get_started () ||
 * _worker.is_current_thread () (src/poller_base.cpp:140)", fuzz seed 1279).
 * One allowed thread makes both picks the same.
 */
export function onOneIoThread<T>(socket: Pointer, call: () => T): T {
  const option = findOption("affinity")!;
  const affinity = BigInt(readOption(socket, option) as number);
  // The lowest thread the user allows (any thread: the first).
  const one = affinity === 0n ? 1n : affinity & -affinity;
  if (one === affinity) return call();
  writeOption(socket, option, one);
  try {
    return call();
  } finally {
    writeOption(socket, option, affinity);
  }
}
