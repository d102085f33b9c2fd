import { Piscina } from "piscina";

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
};

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
  #completed = 0;
  #failed = 0;

  constructor(options: BulkheadOptions) {
    this.name = options.name;
    this.#capacity = options.threads + options.maxQueue;
    this.#options = options;
  }

  /** Threads start on the first task: a sync with nothing to hash or parse never pays for them. */
  #started(): Piscina {
    const options = this.#options;
    this.#pool ??= new Piscina({
      filename: new URL(`../workers/${options.worker}.worker${WORKER_EXTENSION}`, import.meta.url).href,
      minThreads: options.threads,
      maxThreads: options.threads,
      maxQueue: options.maxQueue,
      concurrentTasksPerWorker: options.concurrentTasksPerWorker ?? 1,
      idleTimeout: 60_000,
      workerData: options.workerData,
    });
    return this.#pool;
  }

  /**
   * Runs one task on the named export of the worker module. Waits while the
   * bulkhead is full rather than failing: the caller slows down instead of
   * piling up memory.
   */
  async run<T>(task: unknown, options: { name?: string; transferList?: ArrayBuffer[] } = {}): Promise<T> {
    while (this.#inFlight >= this.#capacity) {
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    }
    this.#inFlight++;
    try {
      const result = (await this.#started().run(task, {
        name: options.name ?? "default",
        transferList: options.transferList as never,
      })) as T;
      this.#completed++;
      return result;
    } catch (error) {
      this.#failed++;
      throw asError(error, `${this.name} worker`);
    } finally {
      this.#inFlight--;
      this.#waiting.shift()?.();
    }
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

/** Whatever a worker threw becomes an Error once, here at the thread boundary. */
function asError(value: unknown, where: string): Error {
  if (value instanceof Error) return value;
  return new Error(`${where} failed: ${typeof value === "string" ? value : JSON.stringify(value)}`);
}
