import type { Bulkhead } from "./bulkhead.ts";

/**
 * Hands a bulkhead its small tasks in groups: every task asked for in one
 * turn of the event loop, up to `maxGroup`, goes to a worker as one piscina
 * task (a TaskGroup), whose export runs them in order (`groupExport`, see
 * parse.worker.ts `readAndParseGroup`). One piscina task per file cost every
 * file a message each way, a worker woken from its wait and a context
 * switch on the main thread: on 2 cores the parse threads idled half of a
 * full index. Full index of 20,000 files (`run --once`, three runs each,
 * interleaved): 9.2 -> 7.2 s, session 7.6 -> 5.7 s, CPU 16.9 -> 13.1 s.
 *
 * A worker answers the tasks it finished within `budgetMs` (at least one);
 * the rest are handed over again, so a group of large files holds a thread
 * (and counts against the bulkhead's per-task timeout) for the budget and
 * one file's time at most. A group that fails as a whole (a crashed or
 * timed-out thread) rejects each of its tasks: the caller retries them one
 * by one, and the culprit then fails alone.
 */
export class TaskGroups<T, R> {
  readonly #bulkhead: Bulkhead;
  readonly #groupExport: string;
  readonly #maxGroup: number;
  readonly #budgetMs: number;
  #waiting: Asked<T, R>[] = [];
  #scheduled = false;

  constructor(bulkhead: Bulkhead, groupExport: string, options: TaskGroupOptions) {
    this.#bulkhead = bulkhead;
    this.#groupExport = groupExport;
    this.#maxGroup = options.maxGroup;
    this.#budgetMs = options.budgetMs;
  }

  run(task: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#waiting.push({ task, resolve, reject });
      if (this.#waiting.length >= this.#maxGroup) this.#send(this.#waiting.splice(0, this.#maxGroup));
      else if (!this.#scheduled) {
        this.#scheduled = true;
        // After this turn's I/O callbacks: the tasks their continuations ask for join the group.
        setImmediate(() => {
          this.#scheduled = false;
          while (this.#waiting.length > 0) this.#send(this.#waiting.splice(0, this.#maxGroup));
        });
      }
    });
  }

  #send(group: Asked<T, R>[]): void {
    const task: TaskGroup<T> = { tasks: group.map((asked) => asked.task), budgetMs: this.#budgetMs };
    this.#bulkhead.run<R[]>(task, { name: this.#groupExport, group: true }).then(
      (results) => {
        results.forEach((result, i) => group[i]?.resolve(result));
        if (results.length === 0) throw new Error(`${this.#groupExport} answered none of ${group.length} tasks`);
        if (results.length < group.length) this.#send(group.slice(results.length));
      },
    ).catch((error: unknown) => {
      for (const asked of group) asked.reject(error);
    });
  }
}

/** What a group's worker export takes: run `tasks` in order, answer the results of those done once `budgetMs` has passed (at least one). */
export type TaskGroup<T> = { tasks: T[]; budgetMs: number };

export type TaskGroupOptions = { maxGroup: number; budgetMs: number };

/** A group's worker side: `run` on each task in order until the group's budget has passed (at least one task); their results. */
export function runGroup<T, R>(group: TaskGroup<T>, run: (task: T) => R): R[] {
  const until = performance.now() + group.budgetMs;
  const results: R[] = [];
  for (const task of group.tasks) {
    results.push(run(task));
    if (performance.now() > until) break;
  }
  return results;
}

type Asked<T, R> = { task: T; resolve: (result: R) => void; reject: (error: unknown) => void };

/** The groups of one bulkhead and export: a test that swaps a pool's bulkhead gets groups of the new one. */
const groupsByBulkhead = new WeakMap<Bulkhead, Map<string, TaskGroups<unknown, unknown>>>();

export function taskGroups<T, R>(bulkhead: Bulkhead, groupExport: string, options: TaskGroupOptions): TaskGroups<T, R> {
  let byExport = groupsByBulkhead.get(bulkhead);
  if (byExport === undefined) groupsByBulkhead.set(bulkhead, (byExport = new Map()));
  let groups = byExport.get(groupExport);
  if (groups === undefined) byExport.set(groupExport, (groups = new TaskGroups(bulkhead, groupExport, options)));
  return groups as TaskGroups<T, R>;
}
