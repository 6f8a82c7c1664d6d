/**
 * Context handles that any thread can check before trusting. A handle is the
 * address of a small record in C memory, written once by the owning thread
 * and never freed: a tag, the context pointer, and whether the context still
 * lives. A thread reads a record through a pipe (write from the address, read
 * back), so a bogus address fails with EFAULT instead of crashing, and the
 * handle of a terminated context is refused instead of reaching freed memory.
 *
 * @module
 */
import { loadLibc, loadNative } from "../ffi/load.ts";
import type { Libc, Pointer } from "../ffi/native.ts";
import { lastErrno, misuse } from "./errors.ts";

const TAG = 0x7a6d_7166_6669_6378n; // "xcifflmz": no accident matches it
const LIVE = 1n;
const TERMINATED = 2n;
const RECORD_BYTES = 24; // tag, context pointer, state: three u64
const EFAULT = 14;

const record = new BigUint64Array(new ArrayBuffer(RECORD_BYTES));
let pipe: Int32Array | undefined;

function libc(): Libc {
  const c = loadLibc();
  if (c === null) throw misuse("ENOTSUP", "Sharing a context needs libc, which is not available");
  return c;
}

function writeRecord(address: Pointer, pointer: bigint, state: bigint): void {
  record[0] = TAG;
  record[1] = pointer;
  record[2] = state;
  libc().memcpy_to_pointer(address, record, loadNative().sizeArgument(RECORD_BYTES));
}

/** Makes the handle of a context this thread owns. */
export function publishHandle(context: Pointer): bigint {
  const native = loadNative();
  const address = libc().malloc(native.sizeArgument(RECORD_BYTES));
  if (address === null) throw misuse("ENOMEM", "Cannot allocate a context handle");
  writeRecord(address, native.pointerToBigInt(context), LIVE);
  return native.pointerToBigInt(address);
}

/** Marks a handle's context as terminated: from now on other threads are refused. */
export function retireHandle(handle: bigint, context: Pointer): void {
  const native = loadNative();
  writeRecord(native.pointerFromBigInt(handle), native.pointerToBigInt(context), TERMINATED);
}

/**
 * The context pointer behind a handle; a TypeError when `handle` is not one,
 * a ZmqError ETERM when its context was terminated.
 */
export function resolveHandle(handle: bigint): Pointer {
  const native = loadNative();
  const c = libc();
  const notHandle = () =>
    new TypeError(`${handle} is not a context handle (take one from a context's .handle)`);
  if (handle <= 0n || handle >= 1n << 64n || handle % 8n !== 0n) throw notHandle();
  if (pipe === undefined) {
    const fds = new Int32Array(2);
    if (c.pipe(fds) !== 0) throw misuse("EMFILE", "Cannot check a context handle: no pipe");
    pipe = fds;
  }
  const size = native.sizeArgument(RECORD_BYTES);
  const written = c.write_from_pointer(pipe[1], native.pointerFromBigInt(handle), size);
  if (Number(written) !== RECORD_BYTES) {
    if (Number(written) < 0 && lastErrno() === EFAULT) throw notHandle();
    throw misuse("EFAULT", `Cannot read context handle ${handle}`);
  }
  record.fill(0n);
  c.read(pipe[0], record, size);
  if (record[0] !== TAG) throw notHandle();
  if (record[2] !== LIVE) {
    throw misuse("ETERM", "The context of this handle was terminated; make a new context");
  }
  return native.pointerFromBigInt(record[1]);
}
