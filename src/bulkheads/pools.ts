import { Bulkhead } from "./bulkhead.ts";
import type { SyncConfiguration } from "../config/load-config.ts";
import type { GraphConfig } from "../logseq/types.ts";
import type { IndexedFileState } from "../index/index-writer.ts";
import { fileStatesFromJson } from "../index/file-states.ts";

/** The three bulkheads of the pipeline. */
export type Pools = {
  hashing: Bulkhead;
  parsing: Bulkhead;
  /** One thread, always: it owns the DuckDB file. */
  writing: Bulkhead;
  close(): Promise<void>;
};

/** Searches and status reads that may run in the writer thread beside its queued batches. */
const READ_ROOM = 8;

/** Starts the pools and opens the index in the writer thread. */
export async function createPools(config: SyncConfiguration, graph: GraphConfig): Promise<Pools> {
  // Deno analyses a CommonJS package's exports the first time it loads it;
  // when that first load happens inside a worker thread it deadlocks (every
  // fresh machine: an empty DENO_DIR). Loading DuckDB's client once on the
  // main thread first avoids it. Node needs no such thing and skips the cost.
  if ("Deno" in globalThis) await import("@duckdb/node-api");
  // Room for every batch the BatchProcessor lets wait (pools.writing.maxQueue,
  // its bound) plus reads: a search must reach the thread while batches wait
  // there, and the worker orders the writes itself.
  const room = config.pools.writing.maxQueue + READ_ROOM;
  const writing = new Bulkhead({ name: "writing", worker: "index-writer", threads: 1, maxQueue: room, concurrentTasksPerWorker: room });
  try {
    const { duckdbThreads, duckdbMemoryMb } = config.pools.writing;
    await writing.run(
      { database: config.database, graph, limits: { threads: duckdbThreads, memoryLimitMb: duckdbMemoryMb }, diffStateMaxBytes: config.cache.diffStateMaxBytes },
      { name: "open" },
    );
  } catch (error) {
    await writing.close();
    throw error;
  }
  const hashing = new Bulkhead({ name: "hashing", worker: "hash", ...config.pools.hashing });
  const parsing = new Bulkhead({ name: "parsing", worker: "parse", ...config.pools.parsing, workerData: { graph } });
  return {
    hashing,
    parsing,
    writing,
    async close() {
      await Promise.allSettled([hashing.close(), parsing.close()]);
      await writing.run(undefined, { name: "close" }).catch(() => {});
      await writing.close();
    },
  };
}

/** What the index knows of every file, for change detection. */
export async function readFileStates(pools: Pick<Pools, "writing">): Promise<IndexedFileState[]> {
  return fileStatesFromJson(await pools.writing.run<string>(undefined, { name: "fileStates" }));
}
