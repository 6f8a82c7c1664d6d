/**
 * The async iteration zeromq.js gives sockets and observers.
 *
 * @module
 */

interface Receiver {
  readonly closed: boolean;
  receive(): Promise<unknown>;
}

/**
 * The async iterator zeromq.js gives sockets and observers: it ends when the
 * object is closed (an EAGAIN from a receive cancelled by close ends it too).
 */
export function asyncIterator<T>(this: Receiver): AsyncIterableIterator<T> {
  const iterator: AsyncIterableIterator<T> = {
    next: async (): Promise<IteratorResult<T, undefined>> => {
      if (this.closed) return { done: true, value: undefined };
      try {
        return { value: await this.receive() as T, done: false };
      } catch (error) {
        if (this.closed && (error as { code?: unknown }).code === "EAGAIN") {
          return { done: true, value: undefined };
        }
        throw error;
      }
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}
