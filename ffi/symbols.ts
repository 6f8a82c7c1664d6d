/**
 * The one table of C symbols this library calls: libzmq's public API and the
 * few libc functions the poller and the loader need. Each adapter (deno.ts,
 * bun.ts) maps these neutral types onto its runtime's FFI; nothing else
 * declares a C signature.
 *
 * @module
 */

/** A C type as this table spells it; each adapter maps it for its runtime. */
export type NativeType =
  | "i32" // int
  | "u32" // unsigned int
  | "i64" // int64_t, long on LP64
  | "usize" // size_t
  | "isize" // ssize_t
  | "pointer" // an opaque C pointer held by the library
  | "buffer" // memory owned by JavaScript (a typed array) lent for the call
  | "function" // a C function pointer
  | "void";

/** One C function: its parameter types, its result type. */
export interface SymbolSpec {
  readonly parameters: readonly NativeType[];
  readonly result: NativeType;
  /** The C name, when the key is an alias (one C function, two signatures). */
  readonly name?: string;
}

/** libzmq 4.3's C API, as far as this library uses it. */
export const zmqSymbols = {
  zmq_version: {
    parameters: [
      "buffer", // int *major
      "buffer", // int *minor
      "buffer", // int *patch
    ],
    result: "void",
  },
  zmq_errno: { parameters: [], result: "i32" },
  zmq_strerror: {
    parameters: [
      "i32", // int errnum
    ],
    result: "pointer", // const char *
  },
  zmq_has: {
    parameters: [
      "buffer", // const char *capability
    ],
    result: "i32",
  },

  zmq_ctx_new: { parameters: [], result: "pointer" }, // void *context
  zmq_ctx_term: {
    parameters: [
      "pointer", // void *context
    ],
    result: "i32",
  },
  zmq_ctx_shutdown: {
    parameters: [
      "pointer", // void *context
    ],
    result: "i32",
  },
  zmq_ctx_set: {
    parameters: [
      "pointer", // void *context
      "i32", // int option_name
      "i32", // int option_value
    ],
    result: "i32",
  },
  zmq_ctx_get: {
    parameters: [
      "pointer", // void *context
      "i32", // int option_name
    ],
    result: "i32",
  },

  zmq_socket: {
    parameters: [
      "pointer", // void *context
      "i32", // int type
    ],
    result: "pointer", // void *socket
  },
  zmq_close: {
    parameters: [
      "pointer", // void *socket
    ],
    result: "i32",
  },
  zmq_bind: {
    parameters: [
      "pointer", // void *socket
      "buffer", // const char *endpoint
    ],
    result: "i32",
  },
  zmq_unbind: {
    parameters: [
      "pointer", // void *socket
      "buffer", // const char *endpoint
    ],
    result: "i32",
  },
  zmq_connect: {
    parameters: [
      "pointer", // void *socket
      "buffer", // const char *endpoint
    ],
    result: "i32",
  },
  zmq_disconnect: {
    parameters: [
      "pointer", // void *socket
      "buffer", // const char *endpoint
    ],
    result: "i32",
  },
  zmq_setsockopt: {
    parameters: [
      "pointer", // void *socket
      "i32", // int option_name
      "buffer", // const void *option_value
      "usize", // size_t option_len
    ],
    result: "i32",
  },
  zmq_getsockopt: {
    parameters: [
      "pointer", // void *socket
      "i32", // int option_name
      "buffer", // void *option_value
      "buffer", // size_t *option_len
    ],
    result: "i32",
  },
  zmq_send: {
    parameters: [
      "pointer", // void *socket
      "buffer", // const void *buf
      "usize", // size_t len
      "i32", // int flags
    ],
    result: "i32",
  },
  // The same C function, declared with a pointer argument: the hot path
  // passes a preallocated staging buffer's address (cheaper than a typed array
  // argument in Deno).
  zmq_send_pointer: {
    name: "zmq_send",
    parameters: [
      "pointer", // void *socket
      "pointer", // const void *buf
      "usize", // size_t len
      "i32", // int flags
    ],
    result: "i32",
  },
  zmq_recv: {
    parameters: [
      "pointer", // void *socket
      "buffer", // void *buf
      "usize", // size_t len
      "i32", // int flags
    ],
    result: "i32",
  },

  zmq_msg_init: {
    parameters: [
      "pointer", // zmq_msg_t *msg
    ],
    result: "i32",
  },
  zmq_msg_init_size: {
    parameters: [
      "pointer", // zmq_msg_t *msg
      "usize", // size_t size
    ],
    result: "i32",
  },
  zmq_msg_copy: {
    parameters: [
      "pointer", // zmq_msg_t *dest
      "pointer", // zmq_msg_t *src
    ],
    result: "i32",
  },
  zmq_msg_move: {
    parameters: [
      "pointer", // zmq_msg_t *dest
      "pointer", // zmq_msg_t *src
    ],
    result: "i32",
  },
  zmq_msg_init_data: {
    parameters: [
      "pointer", // zmq_msg_t *msg
      "pointer", // void *data
      "usize", // size_t size
      "function", // zmq_free_fn *ffn
      "pointer", // void *hint
    ],
    result: "i32",
  },
  zmq_msg_send: {
    parameters: [
      "pointer", // zmq_msg_t *msg
      "pointer", // void *socket
      "i32", // int flags
    ],
    result: "i32",
  },
  zmq_msg_recv: {
    parameters: [
      "pointer", // zmq_msg_t *msg
      "pointer", // void *socket
      "i32", // int flags
    ],
    result: "i32",
  },
  zmq_msg_data: {
    parameters: [
      "pointer", // zmq_msg_t *msg
    ],
    result: "pointer", // void *
  },
  zmq_msg_size: {
    parameters: [
      "pointer", // const zmq_msg_t *msg
    ],
    result: "usize",
  },
  zmq_msg_more: {
    parameters: [
      "pointer", // const zmq_msg_t *msg
    ],
    result: "i32",
  },
  zmq_msg_get: {
    parameters: [
      "pointer", // const zmq_msg_t *msg
      "i32", // int property
    ],
    result: "i32",
  },
  zmq_msg_gets: {
    parameters: [
      "pointer", // const zmq_msg_t *msg
      "buffer", // const char *property
    ],
    result: "pointer", // const char *
  },
  zmq_msg_close: {
    parameters: [
      "pointer", // zmq_msg_t *msg
    ],
    result: "i32",
  },

  zmq_poll: {
    parameters: [
      "buffer", // zmq_pollitem_t *items
      "i32", // int nitems
      "i64", // long timeout
    ],
    result: "i32",
  },
  zmq_proxy_steerable: {
    parameters: [
      "pointer", // void *frontend
      "pointer", // void *backend
      "pointer", // void *capture
      "pointer", // void *control
    ],
    result: "i32",
  },
  zmq_socket_monitor: {
    parameters: [
      "pointer", // void *socket
      "buffer", // const char *endpoint
      "i32", // int events
    ],
    result: "i32",
  },

  zmq_curve_keypair: {
    parameters: [
      "buffer", // char *z85_public_key (41 bytes)
      "buffer", // char *z85_secret_key (41 bytes)
    ],
    result: "i32",
  },
  zmq_curve_public: {
    parameters: [
      "buffer", // char *z85_public_key (41 bytes)
      "buffer", // const char *z85_secret_key
    ],
    result: "i32",
  },
  zmq_z85_encode: {
    parameters: [
      "buffer", // char *dest
      "buffer", // const uint8_t *data
      "usize", // size_t size
    ],
    result: "pointer", // char *, NULL on a bad size
  },
  zmq_z85_decode: {
    parameters: [
      "buffer", // uint8_t *dest
      "buffer", // const char *string
    ],
    result: "pointer", // uint8_t *, NULL on bad input
  },
} as const satisfies Record<string, SymbolSpec>;

/** The libc functions the poller thread and the loader need. */
export const libcSymbols = {
  poll: {
    parameters: [
      "buffer", // struct pollfd *fds
      "usize", // nfds_t nfds
      "i32", // int timeout
    ],
    result: "i32",
  },
  pipe: {
    parameters: [
      "buffer", // int pipefd[2]
    ],
    result: "i32",
  },
  read: {
    parameters: [
      "i32", // int fd
      "buffer", // void *buf
      "usize", // size_t count
    ],
    result: "isize",
  },
  write: {
    parameters: [
      "i32", // int fd
      "buffer", // const void *buf
      "usize", // size_t count
    ],
    result: "isize",
  },
  close: {
    parameters: [
      "i32", // int fd
    ],
    result: "i32",
  },
  memcpy: {
    parameters: [
      "buffer", // void *dest
      "pointer", // const void *src
      "usize", // size_t n
    ],
    result: "pointer",
  },
  // The same memcpy, writing into C memory (a context handle's record).
  memcpy_to_pointer: {
    name: "memcpy",
    parameters: [
      "pointer", // void *dest
      "buffer", // const void *src
      "usize", // size_t n
    ],
    result: "pointer",
  },
  // The same write, from C memory: reading through a pipe turns a bad address
  // into EFAULT instead of a crash (context handles from other threads).
  write_from_pointer: {
    name: "write",
    parameters: [
      "i32", // int fd
      "pointer", // const void *buf
      "usize", // size_t count
    ],
    result: "isize",
  },
  malloc: {
    parameters: [
      "usize", // size_t size
    ],
    result: "pointer", // void *
  },
  dlopen: {
    parameters: [
      "buffer", // const char *filename
      "i32", // int flags
    ],
    result: "pointer", // void *handle
  },
  dlerror: { parameters: [], result: "pointer" }, // char *
} as const satisfies Record<string, SymbolSpec>;

/** ppoll(2), where libc has it (Linux): a wait with a sub-millisecond timeout. */
export const ppollSymbols = {
  ppoll: {
    parameters: [
      "buffer", // struct pollfd *fds
      "usize", // nfds_t nfds
      "buffer", // const struct timespec *tmo_p
      "pointer", // const sigset_t *sigmask (NULL)
    ],
    result: "i32",
  },
} as const satisfies Record<string, SymbolSpec>;

/** The libzmq symbol table's type. */
export type ZmqSymbols = typeof zmqSymbols;
/** The libc symbol table's type. */
export type LibcSymbols = typeof libcSymbols;
/** The ppoll table's type. */
export type PpollSymbols = typeof ppollSymbols;
