import type { DuckDBConnection } from "@duckdb/node-api";

/** How far `withMemoryRoom` raises DuckDB's memory limit for work that does not fit: 8 x the configured limit (1 GB at the default 128 MB). */
export const OUT_OF_MEMORY_GROWTH = 8;

/**
 * Runs `attempt` (one transaction that rolls itself back when it fails)
 * under DuckDB's configured `memory_limit`; when DuckDB cannot fit it, again
 * with the limit doubled, up to OUT_OF_MEMORY_GROWTH times the configured
 * one, and sets the limit back after it. A 70,000-block page of 6 MB
 * rewritten whole needs more than 160 MB: its batch failed with "Out of
 * Memory Error", and the page was recorded `failed` and not read again until
 * it changed (IndexWriter.apply).
 */
export async function withMemoryRoom<T>(connection: DuckDBConnection, configuredMb: number, attempt: () => Promise<T>): Promise<T> {
  let limitMb = configuredMb;
  try {
    for (;;) {
      try {
        return await attempt();
      } catch (error) {
        if (!isOutOfMemory(error) || limitMb * 2 > configuredMb * OUT_OF_MEMORY_GROWTH) throw error;
        limitMb *= 2;
        await connection.run(`SET memory_limit = '${limitMb}MB'`);
      }
    }
  } finally {
    if (limitMb !== configuredMb) await connection.run(`SET memory_limit = '${configuredMb}MB'`).catch(() => {});
  }
}

/** DuckDB could not fit a statement in its memory limit. */
function isOutOfMemory(error: unknown): boolean {
  return error instanceof Error && /^Out of Memory Error/m.test(error.message);
}
