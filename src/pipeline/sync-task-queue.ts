import { EventEmitter } from "node:events";
import { coalesceKinds, SyncEventKind } from "./sync-event.ts";

/** One path waiting to be synced. */
export type SyncTask = {
  /** Graph-relative, `/`-separated. */
  path: string;
  kind: SyncEventKind;
  /** Higher is taken first; see `syncPriority`. Ties go first-queued-first. */
  priority: number;
  /** When the oldest change folded into this task was seen. */
  at: number;
};

export type SyncTaskQueueOptions = {
  /** Most paths queued (not counting those in flight). */
  maxSize: number;
  /** Most folders remembered by `markDirtyPrefix` before they merge upwards. Default 64. */
  maxDirtyPrefixes?: number;
};

export type SyncTaskQueueEvents = {
  /** The queue just reached `maxSize`: stop pushing until `drain`. */
  needsDrain: [];
  /** The queue just became empty (tasks may still be in flight). */
  drain: [];
};

/** Thrown by `push` when a new path does not fit; callers branch on `code`. */
export class QueueFull extends Error {
  readonly code = "QUEUE_FULL" as const;
  readonly maxSize: number;
  constructor(maxSize: number, path: string) {
    super(`sync task queue is full (maxSize ${maxSize}); cannot queue ${JSON.stringify(path)}`);
    this.name = "QueueFull";
    this.maxSize = maxSize;
  }
}

type Queued = { task: SyncTask; order: number };
/** Stale once its `queued` left the queue or got a higher priority (and a newer entry). */
type HeapEntry = { priority: number; queued: Queued };

/**
 * Bounded priority queue of per-path sync tasks (piscina-style backpressure:
 * a named error when full, `needsDrain`/`drain` events).
 *
 * - One task per path: a newer event for a queued path folds into it, keeping
 *   the higher priority and the older `at`.
 * - At most one task per path in flight: events for a path arriving between
 *   `take()` and `done(path)` wait, and become takeable on `done`.
 * - Event storms: `pushOrMarkDirty` records the folder of a path that does not
 *   fit instead of queueing it, so memory stays bounded by `maxSize` tasks
 *   plus `maxDirtyPrefixes` folders; the caller rescans `takeDirtyPrefixes()`.
 */
export class SyncTaskQueue extends EventEmitter<SyncTaskQueueEvents> {
  readonly maxSize: number;
  #maxDirty: number;
  #queued = new Map<string, Queued>();
  /** Newer tasks for paths in flight; counted in `size`. */
  #waiting = new Map<string, SyncTask>();
  #inFlight = new Set<string>();
  /** Max-heap with lazy deletion: `take` skips stale entries. */
  #heap: HeapEntry[] = [];
  #seq = 0;
  #dirty = new Set<string>();

  constructor(options: SyncTaskQueueOptions) {
    super();
    const { maxSize, maxDirtyPrefixes = 64 } = options;
    for (const [name, n] of [["maxSize", maxSize], ["maxDirtyPrefixes", maxDirtyPrefixes]] as const) {
      if (!Number.isSafeInteger(n) || n < 1) throw new RangeError(`${name} must be an integer >= 1, got ${n}`);
    }
    this.maxSize = maxSize;
    this.#maxDirty = maxDirtyPrefixes;
  }

  /** Paths queued or waiting for their in-flight task to finish. */
  get size(): number { return this.#queued.size + this.#waiting.size; }
  get inFlightCount(): number { return this.#inFlight.size; }
  /** True while the queue is at its bound. */
  get needsDrain(): boolean { return this.size >= this.maxSize; }

  /** Queues `task`, or throws `QueueFull` if it is for a new path and the queue is full. */
  push(task: SyncTask): void {
    if (!this.tryPush(task)) throw new QueueFull(this.maxSize, task.path);
  }

  /** Like `push`, but returns false instead of throwing when full. */
  tryPush(task: SyncTask): boolean {
    validate(task);
    const wasFull = this.needsDrain;
    const { path } = task;
    const inFlight = this.#inFlight.has(path);
    const queued = this.#queued.get(path);
    const prev = inFlight ? this.#waiting.get(path) : queued?.task;
    if (!prev && wasFull) return false;
    const next = prev ? supersede(prev, task) : { ...task };
    if (inFlight) this.#waiting.set(path, next);
    else if (!queued) this.#enqueue(next);
    else {
      const raised = next.priority > queued.task.priority;
      queued.task = next;
      if (raised) this.#heapPush({ priority: next.priority, queued });
    }
    if (!wasFull && this.needsDrain) this.emit("needsDrain");
    return true;
  }

  /** `tryPush`, or when full, marks the task's folder for a later rescan. True if queued. */
  pushOrMarkDirty(task: SyncTask): boolean {
    if (this.tryPush(task)) return true;
    this.markDirtyPrefix(parentFolder(task.path));
    return false;
  }

  /** True while a task for `path` was taken and not yet done. */
  isInFlight(path: string): boolean {
    return this.#inFlight.has(path);
  }

  /** The highest-priority task whose path is not in flight, now marked in flight. */
  take(): SyncTask | undefined {
    for (let top = this.#heapPop(); top; top = this.#heapPop()) {
      const { task } = top.queued;
      if (this.#queued.get(task.path) !== top.queued || task.priority !== top.priority) continue;
      this.#queued.delete(task.path);
      this.#inFlight.add(task.path);
      if (this.size === 0) this.emit("drain");
      return task;
    }
    return undefined;
  }

  /** Queued tasks (not those in flight) by kind, for status: one pass, no copies. */
  countByKind(): Record<SyncEventKind, number> {
    const counts: Record<SyncEventKind, number> = { create: 0, update: 0, delete: 0 };
    for (const { task } of this.#queued.values()) counts[task.kind]++;
    for (const task of this.#waiting.values()) counts[task.kind]++;
    return counts;
  }

  /** Releases `path` after its task finished (or failed); a task that arrived meanwhile becomes takeable. */
  done(path: string): void {
    if (!this.#inFlight.delete(path)) throw new RangeError(`done(${JSON.stringify(path)}): no task for that path is in flight`);
    const next = this.#waiting.get(path);
    if (next) {
      this.#waiting.delete(path);
      this.#enqueue(next);
    }
  }

  /**
   * Records that everything under `folder` (graph-relative, `""` = whole
   * graph) must be rescanned, for changes that were not queued. The rescan must
   * also find deletions. Folders merge into their parents beyond `maxDirtyPrefixes`.
   */
  markDirtyPrefix(folder: string): void {
    const prefix = folder.replace(/^\/+|\/+$/g, "");
    for (const d of this.#dirty) if (prefixCovers(d, prefix)) return;
    for (const d of this.#dirty) if (prefixCovers(prefix, d)) this.#dirty.delete(d);
    this.#dirty.add(prefix);
    // Merging the deepest folder into its parent loses the least precision; each
    // step shortens a prefix, so this ends at worst with "" (the whole graph).
    while (this.#dirty.size > this.#maxDirty) {
      const deepest = [...this.#dirty].reduce((a, b) => (depth(b) > depth(a) || (depth(b) === depth(a) && b > a) ? b : a));
      this.#dirty.delete(deepest);
      this.markDirtyPrefix(parentFolder(deepest));
    }
  }

  /** Folders awaiting a rescan, sorted. */
  dirtyPrefixes(): string[] {
    return [...this.#dirty].sort();
  }

  /** `dirtyPrefixes()`, forgetting them: the caller now owns the rescan. */
  takeDirtyPrefixes(): string[] {
    const prefixes = this.dirtyPrefixes();
    this.#dirty.clear();
    return prefixes;
  }

  #enqueue(task: SyncTask): void {
    const queued = { task, order: ++this.#seq };
    this.#queued.set(task.path, queued);
    this.#heapPush({ priority: task.priority, queued });
  }

  /** `entry` must be current (not stale). */
  #heapPush(entry: HeapEntry): void {
    const heap = this.#heap;
    if (heap.length >= 2 * this.#queued.size + 64) {
      // Mostly superseded entries: rebuild from the live ones (which include
      // `entry`) so memory stays bounded. A sorted array is a valid heap.
      const live = [...this.#queued.values()].map((queued) => ({ priority: queued.task.priority, queued }));
      this.#heap = live.sort((a, b) => (before(a, b) ? -1 : 1));
      return;
    }
    heap.push(entry);
    for (let i = heap.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  #heapPop(): HeapEntry | undefined {
    const heap = this.#heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length === 0 || !last) return top;
    heap[0] = last;
    for (let i = 0, best = 0; ; i = best) {
      for (const c of [2 * i + 1, 2 * i + 2]) if (c < heap.length && before(heap[c]!, heap[best]!)) best = c;
      if (best === i) return top;
      [heap[i], heap[best]] = [heap[best]!, heap[i]!];
    }
  }
}

/** Whether `path` (a file or folder) lies within the folder `prefix` (`""` covers all). */
export function prefixCovers(prefix: string, path: string): boolean {
  return prefix === "" || path === prefix || path.startsWith(prefix + "/");
}

/** The folder holding `path`, `""` for the graph root. */
export function parentFolder(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "" : path.slice(0, slash);
}

const depth = (prefix: string) => (prefix === "" ? 0 : prefix.split("/").length);

function before(a: HeapEntry, b: HeapEntry): boolean {
  return a.priority !== b.priority ? a.priority > b.priority : a.queued.order < b.queued.order;
}

/**
 * The queued task `prev` updated by the newer `next`. Unlike the debouncer, a
 * create-then-delete is kept as a delete rather than dropped: deleting a path
 * the index lacks is cheap and idempotent, while dropping it would leave a
 * stale row if the "create" was really an editor's atomic replace.
 */
function supersede(prev: SyncTask, next: SyncTask): SyncTask {
  return {
    path: prev.path,
    kind: coalesceKinds(prev.kind, next.kind) ?? SyncEventKind.delete,
    priority: Math.max(prev.priority, next.priority),
    at: Math.min(prev.at, next.at),
  };
}

function validate(task: SyncTask): void {
  if (typeof task.path !== "string" || task.path === "") throw new TypeError("task.path must be a non-empty string");
  if (!Number.isFinite(task.priority)) throw new RangeError(`task.priority must be finite, got ${task.priority}`);
  if (!Number.isFinite(task.at)) throw new RangeError(`task.at must be finite, got ${task.at}`);
}
