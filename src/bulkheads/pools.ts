import type { Piscina } from "piscina";
import { Bulkhead, startThreads } from "./bulkhead.ts";
import { ForegroundGate } from "./foreground-gate.ts";
import type { SyncConfiguration } from "../config/load-config.ts";
import type { GraphConfig } from "../logseq/types.ts";
import type { IndexedFileState } from "../index/index-writer.ts";
import { fileStampsFromJson, fileStatesFromJson, type FileRowSelection, type IndexedStamp } from "../index/file-states.ts";

/** The three bulkheads of the pipeline. */
export type Pools = {
  hashing: Bulkhead;
  parsing: Bulkhead;
  /** One thread, always: it owns the DuckDB file. */
  writing: Bulkhead;
  /** Raised for a foreground read (a search): the hashing and parsing threads wait meanwhile. */
  foreground: ForegroundGate;
  close(): Promise<void>;
};

/** config.schema.json's `pools.threadYoungGenerationMb` default (a test keeps them equal): the prestarted writer's, read before the config. */
export const DEFAULT_THREAD_YOUNG_GENERATION_MB = 3;

/** Searches and status reads that may run in the writer thread beside its queued batches. */
const READ_ROOM = 8;

/**
 * The writer's thread as `prestartWriter` starts it, with no config yet: its
 * piscina takes every task the bulkhead lets through at once (no bound here;
 * the writing bulkhead's capacity, from the config, is the bound).
 */
const PRESTARTED_WRITER = {
  worker: "index-writer", threads: 1, maxQueue: Number.MAX_SAFE_INTEGER, concurrentTasksPerWorker: Number.MAX_SAFE_INTEGER,
  maxYoungGenerationMb: DEFAULT_THREAD_YOUNG_GENERATION_MB,
};

let prestarted: { threads: Piscina; loaded: Promise<unknown> } | undefined;

/**
 * `run` starts the writer's thread first thing, before the CLI's own modules
 * load and the config is read: loading DuckDB's client there is the longest
 * step of a start (about 150 ms) and needs nothing from the config. The next
 * `createPools` adopts the thread; the index is opened only then, after the
 * graph checks and `--rebuild`. A process that never adopts it exits as usual.
 */
export function prestartWriter(): void {
  // Deno must load DuckDB's client on the main thread first (see createPools).
  if ("Deno" in globalThis || prestarted !== undefined) return;
  const threads = startThreads(PRESTARTED_WRITER);
  // Answered once the thread has loaded its module (piscina runs no task before).
  const loaded = threads.run(undefined, { name: "loaded" });
  loaded.catch(() => {});
  prestarted = { threads, loaded };
}

/**
 * Ends a prestarted writer thread that no `createPools` adopted (the command
 * stopped before: a bad config, a missing graph): once it has loaded its
 * module, as cutting it while DuckDB's addon loads aborts the process.
 */
export async function endUnadoptedWriter(): Promise<void> {
  const unadopted = prestarted;
  prestarted = undefined;
  if (unadopted === undefined) return;
  await unadopted.loaded.catch(() => {});
  await unadopted.threads.destroy();
}

/**
 * `parseAtOnce`: every file will be parsed (no index file yet: a first run,
 * `--rebuild`), so the parsing threads start now and load their modules
 * while the writer opens the index, instead of at the first file. A full
 * index of 1,000 files: session 0.72-0.84 s (median 0.745) instead of
 * 0.79-1.06 (0.84), 6 interleaved runs each. Not for a start on an index:
 * with threads it never used, a no-op catch-up of 20,000 files took a median
 * 0.52 s instead of 0.44-0.47.
 */
export type PoolOptions = { parseAtOnce?: boolean };

/**
 * Starts the pools and opens the index in the writer thread. `afterOpen`
 * queues tasks behind the open in the writer's own order, before this
 * thread hears that the open is done.
 */
export async function createPools(
  config: SyncConfiguration,
  graph: GraphConfig,
  afterOpen?: (writing: Bulkhead) => Promise<unknown> | void,
  options: PoolOptions = {},
): Promise<Pools> {
  // Deno analyses a CommonJS package's exports the first time it loads it;
  // when that first load happens inside a worker thread it deadlocks (every
  // fresh machine: an empty DENO_DIR). Loading DuckDB's client once on the
  // main thread first avoids it. Node needs no such thing and skips the cost.
  if ("Deno" in globalThis) await import("@duckdb/node-api");
  // Room for every batch the BatchProcessor lets wait (pools.writing.maxQueue,
  // its bound) plus reads: a search must reach the thread while batches wait
  // there, and the worker orders the writes itself.
  const room = config.pools.writing.maxQueue + READ_ROOM;
  const young = config.pools.threadYoungGenerationMb;
  // A prestarted writer runs with the default young generation: another value needs a thread of its own.
  if (young !== DEFAULT_THREAD_YOUNG_GENERATION_MB) await endUnadoptedWriter();
  const started = prestarted?.threads;
  prestarted = undefined;
  const writing = new Bulkhead({
    name: "writing", worker: "index-writer", threads: 1, maxQueue: room, concurrentTasksPerWorker: room, maxYoungGenerationMb: young,
    ...(started === undefined ? {} : { started }),
  });
  const foreground = new ForegroundGate();
  const hashing = new Bulkhead({ name: "hashing", worker: "hash", ...config.pools.hashing, maxYoungGenerationMb: young, workerData: { foreground: foreground.memory } });
  const parsing = new Bulkhead({
    name: "parsing", worker: "parse", ...config.pools.parsing, maxYoungGenerationMb: config.pools.parsing.youngGenerationMb, workerData: { graph, foreground: foreground.memory },
  });
  if (options.parseAtOnce === true) parsing.start();
  let queuedAfterOpen: Promise<unknown> | void = undefined;
  try {
    const { duckdbThreads, duckdbMemoryMb } = config.pools.writing;
    const opened = writing.run(
      { database: config.database, graph, limits: { threads: duckdbThreads, memoryLimitMb: duckdbMemoryMb }, diffStateMaxBytes: config.cache.diffStateMaxBytes, hitRowsMaxBytes: config.cache.hitRowsMaxBytes },
      { name: "open" },
    );
    queuedAfterOpen = afterOpen?.(writing);
    await opened;
  } catch (error) {
    // A task queued behind a failed open answers (with "not open") before the pool closes: an answer
    // reaching a closed pool is an uncaught piscina error ("Unexpected message from Worker"), exit 1
    // instead of the open's message (seen once in CI, broken-database.test.ts).
    await Promise.resolve(queuedAfterOpen).catch(() => {});
    await Promise.allSettled([writing.close(), hashing.close(), parsing.close()]);
    throw error;
  }
  return {
    hashing,
    parsing,
    writing,
    foreground,
    async close() {
      await Promise.allSettled([hashing.close(), parsing.close()]);
      await writing.run(undefined, { name: "close" }).catch(() => {});
      await writing.close();
    },
  };
}

/**
 * `run --once`: the pools, and every file's stamp read in the writer thread
 * right after the open. Asked for once the open is answered, the read waited
 * for this thread, busy scanning the folder: 15-28 ms of a 0.5 s no-op
 * catch-up of 20,000 files.
 */
export function createPoolsReadingStamps(
  config: SyncConfiguration,
  graph: GraphConfig,
  options: PoolOptions = {},
): { opening: Promise<Pools>; stamps: Promise<IndexedStamp[]> } {
  let read: Promise<IndexedStamp[]> = Promise.reject(new Error("the index was not opened"));
  read.catch(() => {});
  const opening = createPools(config, graph, (writing) => {
    read = readFileStamps({ writing });
    // A failed open fails this read too: the open's error is the one reported.
    read.catch(() => {});
    return read;
  }, options);
  return { opening, stamps: opening.then(() => read) };
}

/** What change detection needs of every indexed file (file-states.ts). */
export async function readFileStamps(pools: Pick<Pools, "writing">): Promise<IndexedStamp[]> {
  return fileStampsFromJson(await pools.writing.run<string>(undefined, { name: "fileStamps" }));
}

/** What the index knows of every file, of some paths, or of the files with a checksum. */
export async function readFileStates(pools: Pick<Pools, "writing">, select?: FileRowSelection): Promise<IndexedFileState[]> {
  return fileStatesFromJson(await pools.writing.run<string>(Array.isArray(select) ? [...select] : select, { name: "fileStates" }));
}
