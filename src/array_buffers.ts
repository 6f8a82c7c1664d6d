/**
 * Detaching ArrayBuffers, and telling a detached one, in every runtime
 * (ArrayBuffer.prototype.detached and transfer() are missing in Node 20).
 *
 * @module
 */

/** True when `buffer` was detached (transferred away): its views read as empty. */
export function isDetached(buffer: ArrayBufferLike): boolean {
  const flag = (buffer as { detached?: unknown }).detached;
  if (typeof flag === "boolean") return flag;
  if (buffer.byteLength !== 0) return false;
  try {
    new Uint8Array(buffer, 0, 0);
    return false;
  } catch {
    return true;
  }
}

/** Detaches `buffer` (every view of it reads as empty from now on). */
export function detach(buffer: ArrayBuffer): void {
  if (isDetached(buffer)) return;
  const transfer = (buffer as { transfer?: (length: number) => ArrayBuffer }).transfer;
  if (typeof transfer === "function") transfer.call(buffer, 0);
  else structuredClone(buffer, { transfer: [buffer] });
}
