import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import { CircuitBreakerPolicy, CircuitState, ConsecutiveBreaker, circuitBreaker, handleAll } from "cockatiel";
import { type Clock, systemClock } from "./clock.ts";

/** `breaker` in the config. */
export type BreakerOptions = {
  /** Failed accesses to the graph folder in a row that open the breaker. */
  threshold: number;
  /** How long the breaker stays open before a probe (half-open). */
  halfOpenAfterMs: number;
};

export const BreakerState = { closed: "closed", open: "open", halfOpen: "halfOpen" } as const;
export type BreakerState = (typeof BreakerState)[keyof typeof BreakerState];

/**
 * The circuit breaker guarding file-system access (cockatiel's, with a
 * ConsecutiveBreaker). It counts accesses to the graph folder itself: a scan
 * of it, or the check made when a file cannot be read or seems gone. A
 * single unreadable file is the RetryManager's business; a folder that went
 * away (unmounted, renamed, permissions changed) fails every access, and
 * after `threshold` of them in a row the breaker opens: the orchestrator
 * stops reading and keeps the events it gets for later. While open, a probe
 * of the folder runs every `halfOpenAfterMs` (half-open); when one succeeds
 * the breaker closes and `onClosed` runs (a full catch-up scan).
 *
 * Its main job is to keep "the folder is gone" from looking like "every file
 * was deleted": without it, a task for a file under a vanished root writes
 * a delete.
 */
export class FileSystemBreaker {
  readonly #root: string;
  readonly #policy: CircuitBreakerPolicy;
  readonly #clock: Clock;
  readonly #halfOpenAfterMs: number;
  #probe: unknown;
  #closed = false;

  constructor(root: string, options: BreakerOptions, onClosed: () => void, clock: Clock = systemClock) {
    this.#root = root;
    this.#clock = clock;
    this.#halfOpenAfterMs = options.halfOpenAfterMs;
    // cockatiel's ConsecutiveBreaker opens after `threshold` failures in a row.
    this.#policy = circuitBreaker(handleAll, { halfOpenAfter: options.halfOpenAfterMs, breaker: new ConsecutiveBreaker(options.threshold) });
    this.#policy.onBreak(() => this.#scheduleProbe());
    this.#policy.onReset(() => {
      if (this.#probe !== undefined) this.#clock.clearTimeout(this.#probe);
      this.#probe = undefined;
      onClosed();
    });
  }

  get state(): BreakerState {
    switch (this.#policy.state) {
      case CircuitState.Closed:
        return BreakerState.closed;
      case CircuitState.HalfOpen:
        return BreakerState.halfOpen;
      case CircuitState.Open:
      case CircuitState.Isolated:
        return BreakerState.open;
    }
  }

  /** True while reads are refused. */
  get isOpen(): boolean {
    return this.state !== BreakerState.closed;
  }

  /** Runs an access to the graph folder (a scan) through the breaker: its failure counts. */
  run<T>(access: () => Promise<T>): Promise<T> {
    return this.#policy.execute(access);
  }

  /**
   * Whether the graph folder can be listed and entered, checked through the
   * breaker (a "no" counts as a failure; while open, the answer is "no"
   * without touching the disk).
   */
  async reachable(): Promise<boolean> {
    try {
      await this.#policy.execute(() => probeFolder(this.#root));
      return true;
    } catch {
      return false;
    }
  }

  close(): void {
    this.#closed = true;
    if (this.#probe !== undefined) this.#clock.clearTimeout(this.#probe);
    this.#probe = undefined;
  }

  /** Nothing may come to try the folder while the breaker is open (reads are parked): probe it ourselves. */
  #scheduleProbe(): void {
    if (this.#closed) return;
    if (this.#probe !== undefined) this.#clock.clearTimeout(this.#probe);
    this.#probe = this.#clock.setTimeout(() => {
      this.#probe = undefined;
      // A failed probe opens the breaker again (onBreak schedules the next one).
      void this.reachable().then((ok) => {
        if (!ok && this.#policy.state !== CircuitState.Closed && this.#probe === undefined) this.#scheduleProbe();
      });
    }, this.#halfOpenAfterMs + 1);
  }
}

/**
 * Throws unless `root` is a folder this process may list and enter. Off the
 * main thread (fs/promises): a network mount that stops answering hangs the
 * call, and a hung probe must not hang the service's loop (status, events,
 * the control socket) with it. cockatiel lets one half-open call through at
 * a time, so a hung probe holds one libuv thread, not one per interval.
 */
async function probeFolder(root: string): Promise<void> {
  if (!(await stat(root)).isDirectory()) throw new Error(`graph folder ${root} is not a folder`);
  await access(root, constants.R_OK | constants.X_OK);
}
