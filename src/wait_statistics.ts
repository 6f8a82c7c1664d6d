/**
 * Where waits end, counted for the latency benchmark's breakdown (bench/):
 * operations that never waited, waits that ended within a brief wait on the
 * JavaScript thread, and waits handed to the poller thread, with how long
 * each poller-thread wake-up took to reach the JavaScript thread. Counting is
 * a few integer increments; nothing here is public API.
 *
 * @module
 */

/** Upper bounds (µs) of the wake-up histogram's buckets; the last is open. */
export const WAKE_BUCKETS_US = [10, 25, 50, 100, 250, 500, 1000, 5000, Infinity] as const;

/** The counters, shared by every socket and Poller of this thread. */
export class WaitStatistics {
  /** Operations that completed without waiting. */
  completedAtOnce = 0;
  /** Waits that ended within a brief wait. */
  brief = 0;
  /** Brief waits that ran out (the wait then went to the poller thread). */
  briefRanOut = 0;
  /** Waits that ended through the poller thread. */
  thread = 0;
  /** Poller-thread cycles, and per bucket how long their wake-ups took. */
  wakes = 0;
  wakeMicroseconds = 0;
  wakeHistogram: number[] = WAKE_BUCKETS_US.map(() => 0);

  /** A poller-thread cycle reached the JavaScript thread `milliseconds` after poll() returned. */
  threadWake(milliseconds: number): void {
    const us = milliseconds * 1000;
    this.wakes++;
    this.wakeMicroseconds += us;
    let bucket = 0;
    while (us >= WAKE_BUCKETS_US[bucket]) bucket++;
    this.wakeHistogram[bucket]++;
  }

  /** Starts counting afresh. */
  reset(): void {
    this.completedAtOnce =
      this.brief =
      this.briefRanOut =
      this.thread =
        0;
    this.wakes = this.wakeMicroseconds = 0;
    this.wakeHistogram.fill(0);
  }
}

/** This thread's counters. */
export const waitStatistics: WaitStatistics = new WaitStatistics();
