import type { DuckDBConnection } from "@duckdb/node-api";

/**
 * How much WAL DuckDB lets grow before it checkpoints, by the kind of batch.
 *
 * Until a checkpoint, what the WAL holds also stays in DuckDB's memory
 * (`duckdb_memory()`'s IN_MEMORY_TABLE), and deletes and updates leave their
 * old rows there too. A bulk catch-up wants few checkpoints: one every 16 MB
 * of WAL (DuckDB's default) made its commits cost more than its inserts. A
 * service living on small batches wants them: at 256 MB, 16 waves of 1,000
 * files created, edited and deleted grew the writer's IN_MEMORY_TABLE from 11
 * to 52 MB and the process by 110 MB; at 16 MB it stayed between 21 and 32 MB
 * and the process flat. A checkpoint of small batches' WAL rewrites little.
 *
 * A bulk load keeps the bulk threshold for every batch, its last small one
 * too: a catch-up's last batch is whatever the parse threads had left (18 of
 * 20,000 files, say), and under the live threshold its commit checkpointed
 * the whole load's WAL inside the session, with the one DuckDB thread a bulk
 * load leaves it (1.0 s), where the writer's close does it after the sort of
 * the postings with every thread (0.6 s), and the sorted postings are not
 * written twice.
 */
export const BULK_CHECKPOINT_THRESHOLD = "256MiB";
export const LIVE_CHECKPOINT_THRESHOLD = "16MiB";
/** A batch of more files than this is a bulk one (a catch-up's group commit fills batches of up to batch.maxFiles). */
export const LIVE_BATCH_MAX_FILES = 64;

export class CheckpointPolicy {
  #current: string | undefined;

  /** Sets DuckDB's threshold for a batch of `files` files (in a bulk load: `bulk`), with a statement only when it changes. */
  async before(connection: DuckDBConnection, files: number, bulk = false): Promise<void> {
    const wanted = bulk || files > LIVE_BATCH_MAX_FILES ? BULK_CHECKPOINT_THRESHOLD : LIVE_CHECKPOINT_THRESHOLD;
    if (wanted === this.#current) return;
    await connection.run(`SET checkpoint_threshold = '${wanted}'`);
    this.#current = wanted;
  }
}
