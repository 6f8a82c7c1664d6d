/**
 * Messages as lines of text, both ways.
 *
 * - text: frames decoded as UTF-8 and joined by the separator (default one
 *   space); on input, a line is split into frames only with --separator.
 * - hex: each frame as lowercase hex, joined by the separator (default one
 *   space); on input, frames are split at the separator or at whitespace.
 * - json: one JSON array per message, one element per frame: a string when
 *   the frame is valid UTF-8, else {"base64": "..."}; on input also
 *   {"hex": "..."} and a bare string (one frame).
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { UsageError } from "./errors.ts";

/** The line formats of messages. */
export const FORMATS = ["text", "hex", "json"] as const;
/** One of {@link FORMATS}. */
export type Format = typeof FORMATS[number];

const encoder = new TextEncoder();
const lenient = new TextDecoder();
const strict = new TextDecoder("utf-8", { fatal: true });

function asBuffer(frame: Uint8Array): Buffer {
  return Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength);
}

/** A frame as a JSON value: its text if it is valid UTF-8, else {"base64": ...}. */
export function frameToJson(frame: Uint8Array): string | { base64: string } {
  try {
    return strict.decode(frame);
  } catch {
    return { base64: asBuffer(frame).toString("base64") };
  }
}

/** One message as one line (without the newline). */
export function formatMessage(
  frames: readonly Uint8Array[],
  format: Format,
  separator = " ",
): string {
  switch (format) {
    case "text":
      return frames.map((frame) => lenient.decode(frame)).join(separator);
    case "hex":
      return frames.map((frame) => asBuffer(frame).toString("hex")).join(separator);
    case "json":
      return JSON.stringify(frames.map(frameToJson));
  }
}

/**
 * One line of input as a message. `where` names the line in errors
 * ("argument 2", "stdin line 5").
 */
export function parseMessage(
  line: string,
  format: Format,
  separator: string | undefined,
  where: string,
): Uint8Array[] {
  switch (format) {
    case "text":
      return (separator === undefined ? [line] : line.split(separator)).map((part) =>
        encoder.encode(part)
      );
    case "hex": {
      const parts = separator === undefined ? line.trim().split(/\s+/) : line.split(separator);
      return parts.map((part) => parseHex(part.trim(), where));
    }
    case "json":
      return parseJsonMessage(line, where);
  }
}

function parseHex(text: string, where: string): Uint8Array {
  if (!/^([0-9a-fA-F]{2})*$/.test(text)) {
    throw new UsageError(
      `${where} is not hex: "${clip(text)}" (expected pairs of hex digits per frame)`,
    );
  }
  return new Uint8Array(Buffer.from(text, "hex"));
}

function parseJsonMessage(line: string, where: string): Uint8Array[] {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new UsageError(`${where} is not JSON: "${clip(line)}"`);
  }
  const frames = typeof value === "string" ? [value] : value;
  if (!Array.isArray(frames) || frames.length === 0) {
    throw new UsageError(
      `${where} must be a JSON array of frames (strings or {"base64": ...}), got "${clip(line)}"`,
    );
  }
  return frames.map((frame) => {
    if (typeof frame === "string") return encoder.encode(frame);
    if (frame !== null && typeof frame === "object") {
      const { base64, hex } = frame as { base64?: unknown; hex?: unknown };
      if (typeof base64 === "string" && /^[A-Za-z0-9+/=_-]*$/.test(base64)) {
        return new Uint8Array(Buffer.from(base64, "base64"));
      }
      if (typeof hex === "string") return parseHex(hex, where);
    }
    throw new UsageError(
      `${where}: a frame must be a string, {"base64": ...} or {"hex": ...}, got ${
        clip(JSON.stringify(frame))
      }`,
    );
  });
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** Bytes in a message, for rates. */
export function messageSize(frames: readonly Uint8Array[]): number {
  let size = 0;
  for (const frame of frames) size += frame.byteLength;
  return size;
}
