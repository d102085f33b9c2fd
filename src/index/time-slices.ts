import type { DuckDBConnection } from "@duckdb/node-api";
import { setImmediate } from "node:timers/promises";

/** How long a model load runs JS without letting the thread take a task in between. */
export const LOAD_SLICE_MS = 10;

/**
 * Long synchronous work in the thread that also answers searches (the
 * writer's search-model load, search-model.ts): `pause()` lets the event loop
 * run what arrived meanwhile, a search's task say, once `sliceMs` have passed
 * since the last pause. Loops call it every few thousand items: reading the
 * clock costs more than most of their steps.
 *
 * Measured on a 20,000-file index: without pauses the load held the thread
 * for up to 149 ms at a time (the vocabulary's strings, then the pages'),
 * and a search arriving at the end of a service's catch-up waited for it.
 */
export class TimeSlices {
  readonly #sliceMs: number;
  #since = performance.now();
  /** How many times it let the event loop run. */
  paused = 0;

  constructor(sliceMs = LOAD_SLICE_MS) {
    this.#sliceMs = sliceMs;
  }

  async pause(): Promise<void> {
    if (performance.now() - this.#since < this.#sliceMs) return;
    await setImmediate();
    this.paused++;
    this.#since = performance.now();
  }
}

/** Every 4,096th item of a loop: where it may pause. */
export const PAUSE_EVERY = 4096;

/**
 * A statement's columns as `getColumns()` gives them, converted one chunk
 * (2,048 rows) at a time with `slices` pausing in between: a whole result's
 * conversion of 74,574 terms was one stretch of about 60 ms.
 */
export async function columnsInSlices(
  connection: DuckDBConnection,
  sql: string,
  slices: TimeSlices,
): Promise<unknown[][]> {
  const result = await connection.run(sql);
  const columns: unknown[][] = Array.from({ length: result.columnCount }, () => []);
  for (let i = 0; i < result.chunkCount; i++) {
    const chunk = result.getChunk(i).getColumns();
    for (let c = 0; c < columns.length; c++) {
      const into = columns[c] as unknown[];
      for (const value of chunk[c] as unknown[]) into.push(value);
    }
    await slices.pause();
  }
  return columns;
}
