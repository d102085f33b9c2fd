import { Piscina } from "piscina";
import type { ResourceLimits } from "node:worker_threads";
import { workerExecArgv } from "./worker-exec-argv.ts";

export type BulkheadOptions = {
  /** For messages and metrics: "hashing", "parsing", "writing". */
  name: string;
  /** The worker module under src/workers, without extension: "hash", "parse", "index-writer". */
  worker: string;
  threads: number;
  /** Tasks that may wait for a thread; beyond that, `run` waits for room (backpressure). */
  maxQueue: number;
  /** Tasks one thread is given at once (default 1); the writer takes several and orders its writes itself. */
  concurrentTasksPerWorker?: number;
  workerData?: unknown;
  /**
   * A task running longer is aborted: piscina terminates its thread and
   * starts another, and the task fails alone (a parser stuck on one file).
   */
  taskTimeoutMs?: number;
  /**
   * V8 old-generation heap limit of each thread (worker `resourceLimits`):
   * a task that blows it kills only its thread. Node only: Deno's workers
   * ignore resourceLimits.
   */
  maxOldGenerationMb?: number;
  /** V8 young-generation size of each thread (worker `resourceLimits`; config `pools.threadYoungGenerationMb`). */
  maxYoungGenerationMb?: number;
  /**
   * Threads already started for this worker module (see `startThreads`):
   * the writer's start before the config is read. Its piscina bounds must
   * not be below this bulkhead's, which are the ones that hold.
   */
  started?: Piscina;
};

/**
 * `name`: the worker module's export that runs the task. `group`: the task is
 * a TaskGroup and the result a list of results, one for each task it ran
 * (task-groups.ts): the bulkhead's counts are theirs.
 */
export type RunOptions = { name?: string; transferList?: ArrayBuffer[]; group?: boolean };

/** What piscina needs to start a bulkhead's threads: none of it comes from the config for the writer. */
export type ThreadOptions = Pick<BulkheadOptions, "worker" | "threads" | "maxQueue" | "concurrentTasksPerWorker" | "workerData" | "maxOldGenerationMb" | "maxYoungGenerationMb">;

/** Runs `.ts` workers under Deno and from source, `.js` ones from the compiled output. */
const WORKER_EXTENSION = import.meta.url.endsWith(".ts") ? ".ts" : ".js";

/**
 * One isolated worker pool: its own threads, its own bounded queue. A flood
 * of work in one bulkhead (thousands of files to hash) cannot starve another
 * (the writer), and a crashed worker only fails its own task.
 */
export class Bulkhead {
  readonly name: string;
  readonly #options: BulkheadOptions;
  #pool: Piscina | undefined;
  readonly #capacity: number;
  #inFlight = 0;
  readonly #waiting: (() => void)[] = [];
  /** Tasks handed to piscina; with a task timeout, never more than the threads (see `run`). */
  #running = 0;
  readonly #turns: (() => void)[] = [];
  #completed = 0;
  #failed = 0;

  constructor(options: BulkheadOptions) {
    this.name = options.name;
    this.#capacity = options.threads + options.maxQueue;
    this.#options = options;
    this.#pool = options.started;
  }

  /** Threads start on the first task: a sync with nothing to hash or parse never pays for them. */
  #started(): Piscina {
    this.#pool ??= startThreads(this.#options);
    return this.#pool;
  }

  /**
   * Runs one task on the named export of the worker module. Waits while the
   * bulkhead is full rather than failing: the caller slows down instead of
   * piling up memory.
   */
  async run<T>(task: unknown, options: RunOptions = {}): Promise<T> {
    while (this.#inFlight >= this.#capacity) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
    this.#inFlight++;
    const timeoutMs = this.#options.taskTimeoutMs;
    let signal: AbortSignal | undefined;
    try {
      // A timed task is handed to piscina only when a thread is free: piscina's
      // clock (the AbortSignal) would otherwise also run while it waits in
      // piscina's queue, and a long queue would time out healthy tasks.
      if (timeoutMs !== undefined) {
        while (this.#running >= this.#options.threads) await new Promise<void>((resolve) => this.#turns.push(resolve));
      }
      this.#running++;
      try {
        signal = timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs);
        const result = (await this.#started().run(task, {
          name: options.name ?? "default",
          transferList: options.transferList as never,
          ...(signal === undefined ? {} : { signal }),
        })) as T;
        // A group (task-groups.ts) counts as the tasks it ran.
        this.#completed += options.group === true && Array.isArray(result) ? result.length : 1;
        return result;
      } finally {
        this.#running--;
        this.#turns.shift()?.();
      }
    } catch (error) {
      this.#failed += options.group === true ? (task as { tasks: unknown[] }).tasks.length : 1;
      if (signal?.aborted) throw new Error(`${this.name} task timed out after ${timeoutMs} ms (pools.${this.name}.taskTimeoutMs); its thread was replaced`);
      if ((error as { code?: unknown })?.code === "ERR_WORKER_OUT_OF_MEMORY") {
        throw new Error(`${this.name} worker ran out of memory (pools.${this.name}.maxOldGenerationMb = ${this.#options.maxOldGenerationMb}); its thread was replaced`, { cause: error });
      }
      throw asError(error, `${this.name} worker`);
    } finally {
      this.#inFlight--;
      this.#waiting.shift()?.();
    }
  }

  /**
   * Starts its threads now if they are not running yet. Threads otherwise
   * start at the first task: a service that caught up through other pools
   * (a full index reads and parses in one task) made its first live edit
   * wait 35-40 ms for the hashing thread to start.
   */
  start(): void {
    this.#started();
  }

  /** The V8 limits its threads run under (started or not). */
  get resourceLimits(): ResourceLimits {
    return resourceLimits(this.#options);
  }

  /** Tasks running or queued in this bulkhead. */
  get pending(): number {
    return this.#inFlight;
  }

  get stats(): { name: string; pending: number; completed: number; failed: number; threads: number } {
    return { name: this.name, pending: this.#inFlight, completed: this.#completed, failed: this.#failed, threads: this.#pool?.threads.length ?? 0 };
  }

  async close(): Promise<void> {
    await this.#pool?.destroy();
  }
}

/**
 * Starts a bulkhead's threads now; each loads its worker module at once
 * (piscina preloads it), before any task arrives.
 */
export function startThreads(options: ThreadOptions): Piscina {
  return new Piscina({
    filename: new URL(`../workers/${options.worker}.worker${WORKER_EXTENSION}`, import.meta.url).href,
    minThreads: options.threads,
    maxThreads: options.threads,
    maxQueue: options.maxQueue,
    concurrentTasksPerWorker: options.concurrentTasksPerWorker ?? 1,
    idleTimeout: 60_000,
    workerData: options.workerData,
    resourceLimits: resourceLimits(options),
    ...execArgvOption(),
  });
}

function execArgvOption(): { execArgv?: string[] } {
  if (WORKER_EXEC_ARGV === null) WORKER_EXEC_ARGV = workerExecArgv();
  return WORKER_EXEC_ARGV === undefined ? {} : { execArgv: WORKER_EXEC_ARGV };
}

/** Worked out once, at the first pool's start (worker-exec-argv.ts). */
let WORKER_EXEC_ARGV: string[] | undefined | null = null;

/** The worker `resourceLimits` of a bulkhead's threads: V8's own default for each limit not given. */
export function resourceLimits(options: Pick<ThreadOptions, "maxOldGenerationMb" | "maxYoungGenerationMb">): ResourceLimits {
  return {
    ...(options.maxOldGenerationMb === undefined ? {} : { maxOldGenerationSizeMb: options.maxOldGenerationMb }),
    ...(options.maxYoungGenerationMb === undefined ? {} : { maxYoungGenerationSizeMb: options.maxYoungGenerationMb }),
  };
}

/** Whatever a worker threw becomes an Error once, here at the thread boundary. */
function asError(value: unknown, where: string): Error {
  if (value instanceof Error) return value;
  return new Error(`${where} failed: ${typeof value === "string" ? value : JSON.stringify(value)}`);
}
