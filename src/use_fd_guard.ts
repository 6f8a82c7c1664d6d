/**
 * Checks ZMQ_USE_FD before a bind hands the descriptor to libzmq. libzmq
 * takes it as a listening socket without looking: it adds it to its epoll
 * set and accepts on it, and aborts the process when that fails (a file or a
 * terminal: "Operation not permitted (src/epoll.cpp:100)"; a descriptor two
 * listeners share: "File exists"; a socket that does not listen: accept()
 * fails). Where /proc is available (Linux) the descriptor must be a listening
 * TCP or Unix socket that no other bind of this process holds.
 *
 * @module
 */
import { existsSync, readFileSync, readlinkSync } from "node:fs";
import { misuse } from "./errors.ts";

// fd -> the socket (engine) whose bind holds it; libzmq closes it when that ends.
const holders = new Map<number, object>();

/** Throws a ZmqError if binding `socket` with ZMQ_USE_FD = `fd` would make libzmq abort. */
export function checkUseFd(socket: object, fd: number, address: string): void {
  if (fd === -1) return;
  const refuse = (code: string, why: string): never => {
    throw misuse(code, `Cannot bind to "${address}" with useFd ${fd}: ${why}`, address);
  };
  const holder = holders.get(fd);
  if (holder === socket) {
    refuse("EADDRINUSE", "this socket already listens on it; set useFd to -1 to bind elsewhere");
  }
  if (holder !== undefined) refuse("EADDRINUSE", "another socket already listens on it");
  if (!existsSync("/proc/self/fd")) return; // cannot look: trust the caller
  let link: string;
  try {
    link = readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return refuse("EBADF", "no such open file descriptor");
  }
  const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1];
  if (inode === undefined) refuse("ENOTSOCK", `it is not a socket (${link})`);
  if (!isListening(inode!)) {
    refuse("EINVAL", "it is not a listening TCP or Unix socket (call listen() on it first)");
  }
}

/** Records that `socket` now listens on `fd` (after a successful bind with useFd). */
export function recordUseFd(socket: object, fd: number): void {
  if (fd !== -1) holders.set(fd, socket);
}

/** `socket` unbound or closed: libzmq closed the descriptors it held. */
export function forgetUseFd(socket: object): void {
  for (const [fd, holder] of holders) if (holder === socket) holders.delete(fd);
}

function isListening(inode: string): boolean {
  const rows = (table: string) => {
    try {
      return readFileSync(`/proc/net/${table}`, "utf8").split("\n").slice(1)
        .map((line) => line.trim().split(/\s+/));
    } catch {
      return [];
    }
  };
  // tcp, tcp6: "sl local rem st ... inode" with st 0A = LISTEN and the inode 10th.
  for (const table of ["tcp", "tcp6"]) {
    if (rows(table).some((row) => row[3] === "0A" && row[9] === inode)) return true;
  }
  // unix: "Num RefCount Protocol Flags Type St Inode Path"; flag 0x10000 = accepting.
  return rows("unix").some((row) =>
    row[6] === inode && (parseInt(row[3], 16) & 0x10000) !== 0 && row[4] === "0001"
  );
}
