/**
 * What bench/run.ts has to say besides figures: progress on stderr, and the
 * notes (problems, skipped columns) the report lists at its end.
 *
 * @module
 */

/** Progress, on stderr (stdout carries the report). */
export const log = (s: string) => console.error(s);

/** Problems and decisions the report lists under "Notes and problems". */
export const notes: string[] = [];
