import type { SyncConfiguration } from "../config/load-config.ts";
import { type BreakerState, FileSystemBreaker } from "./circuit-breaker.ts";
import type { Clock } from "./clock.ts";
import type { TransientReadError } from "./file-sync.ts";
import { RetryManager } from "./retry-manager.ts";
import type { SyncEventListener } from "./sync-domain-event.ts";
import type { SyncTask } from "./sync-task-queue.ts";

/** What TaskDeferral needs of the orchestrator that owns the queue. */
export type DeferralHooks = {
  /** Puts a task back in line (its delay is over, or the folder is back). */
  requeue: (task: SyncTask) => void;
  /** Makes the path's next sync re-parse it (the deferred task was a forced one). */
  force: (path: string) => void;
  /** The graph folder is reachable again, after the parked tasks were requeued: a full catch-up is due. */
  reachableAgain: () => void;
  emit: SyncEventListener;
};

/**
 * TaskDeferral: the tasks the orchestrator cannot work on now, kept off the
 * queue so no consumer waits for them. A file read that failed transiently
 * waits for its next attempt (RetryManager); a task whose graph folder cannot
 * be reached is parked, the latest per path, until the circuit breaker
 * closes (FileSystemBreaker), and then runs before a full catch-up scan.
 */
export class TaskDeferral {
  readonly breaker: FileSystemBreaker;
  readonly #retries: RetryManager;
  readonly #parked = new Map<string, SyncTask>();
  readonly #hooks: DeferralHooks;
  #closing = false;

  constructor(config: Pick<SyncConfiguration, "graph" | "retry" | "breaker">, clock: Clock, hooks: DeferralHooks) {
    this.#hooks = hooks;
    this.#retries = new RetryManager(config.retry, clock);
    this.breaker = new FileSystemBreaker(config.graph, config.breaker, () => this.#breakerClosed(), clock);
  }

  get breakerState(): BreakerState {
    return this.breaker.state;
  }

  /** Files waiting for their next read attempt. */
  get retrying(): number {
    return this.#retries.pending;
  }

  /** Tasks waiting for the graph folder. */
  get parked(): number {
    return this.#parked.size;
  }

  /** Keeps a task for when the breaker closes (the latest per path), instead of reading a folder that is not there. */
  park(task: SyncTask, force = false): void {
    if (force) this.#hooks.force(task.path);
    this.#parked.set(task.path, task);
  }

  /** The path was read, or is gone: its next failure counts afresh. */
  readDone(path: string): void {
    this.#retries.forget(path);
  }

  /**
   * Puts a transiently unreadable file aside for a later attempt, so its
   * consumer goes on with other files. False when the attempts are used up
   * (or the orchestrator is closing): then its `failed` row is written.
   */
  retryLater(task: SyncTask, error: TransientReadError, force: boolean): boolean {
    if (this.#closing) return false;
    const attempt = this.#retries.attempts(task.path) + 1;
    const delayMs = this.#retries.retry(task.path, () => {
      if (force) this.#hooks.force(task.path);
      this.#hooks.requeue(task);
    });
    if (delayMs === undefined) {
      if (error.write.op === "metadata") error.write.file.error = `${error.message} (${attempt} attempts)`;
      return false;
    }
    this.#hooks.emit({ type: "FileSyncRetried", path: task.path, attempt, delayMs, reason: error.message });
    return true;
  }

  /**
   * Closing: parked tasks wait for a folder that is not there (the next
   * start's catch-up scan takes them); files waiting for a retry get one
   * last attempt now.
   */
  close(): void {
    this.#closing = true;
    this.breaker.close();
    this.#parked.clear();
    this.#retries.fireAll();
  }

  /** The graph folder is back: run what was parked, then a full catch-up scan for what no event told us. */
  #breakerClosed(): void {
    if (this.#closing) return;
    const parked = [...this.#parked.values()];
    this.#parked.clear();
    for (const task of parked) this.#hooks.requeue(task);
    this.#hooks.reachableAgain();
  }
}
