// cockatiel's backoff module alone: its package entry loads every policy, 21-34 ms of each run's start (8.6 ms this way).
import { ExponentialBackoff } from "cockatiel/dist/backoff/ExponentialBackoff.js";
import type { IBackoff } from "cockatiel/dist/backoff/Backoff.js";
import { type Clock, systemClock } from "./clock.ts";

/** `retry` in the config: how often and how patiently a transient read failure is retried. */
export type RetryOptions = {
  /** Reads of one file in all, the first included; after the last one fails the file is recorded `failed`. */
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
};

/**
 * Error codes of a read that may well succeed if tried again: a file held
 * open or locked (EBUSY, EAGAIN), the process out of descriptors (EMFILE,
 * ENFILE), permissions being changed (EACCES, EPERM), a file replaced
 * between its event and its read (ENOENT), a network mount that stops
 * answering (ETIMEDOUT, EIO).
 */
const TRANSIENT_CODES = new Set(["EBUSY", "EAGAIN", "EMFILE", "ENFILE", "EACCES", "EPERM", "ENOENT", "ETIMEDOUT", "EIO"]);

export function isTransientCode(code: string | undefined): boolean {
  return code !== undefined && TRANSIENT_CODES.has(code);
}

type Scheduled = { backoff: IBackoff<unknown> | undefined; attempts: number; timer: unknown; again: (() => void) | undefined };

/**
 * RetryManager: per-path attempt counts and exponential backoff with jitter
 * (cockatiel's ExponentialBackoff, decorrelated jitter). It does not loop
 * around the read as cockatiel's `retry` policy would: a retried file waits
 * here, on a timer, off the task queue, and its consumer goes on with other
 * files. When the delay is over, `again` puts the file back in line.
 */
export class RetryManager {
  readonly #options: RetryOptions;
  readonly #clock: Clock;
  readonly #paths = new Map<string, Scheduled>();
  #waiting = 0;
  #fired: (() => void)[] = [];

  constructor(options: RetryOptions, clock: Clock = systemClock) {
    if (options.maxAttempts < 1) throw new RangeError(`maxAttempts must be at least 1, got ${options.maxAttempts}`);
    this.#options = options;
    this.#clock = clock;
  }

  /**
   * A read of `path` failed transiently: schedules `again` after the next
   * backoff delay and returns that delay, or returns undefined when the
   * attempts are used up (the caller records the failure; counting restarts).
   */
  retry(path: string, again: () => void): number | undefined {
    const entry = this.#paths.get(path) ?? { backoff: undefined, attempts: 0, timer: undefined, again: undefined };
    entry.attempts++;
    if (entry.attempts >= this.#options.maxAttempts) {
      this.forget(path);
      return undefined;
    }
    if (entry.timer !== undefined) this.#clock.clearTimeout(entry.timer);
    else this.#waiting++;
    entry.backoff = entry.backoff === undefined
      ? new ExponentialBackoff({ initialDelay: this.#options.initialDelayMs, maxDelay: this.#options.maxDelayMs }).next()
      : entry.backoff.next(undefined);
    const delay = Math.min(Math.round(entry.backoff.duration), this.#options.maxDelayMs);
    entry.again = again;
    entry.timer = this.#clock.setTimeout(() => this.#fire(path), delay);
    this.#paths.set(path, entry);
    return delay;
  }

  /** Attempts made so far for `path` (0 when it is not being retried). */
  attempts(path: string): number {
    return this.#paths.get(path)?.attempts ?? 0;
  }

  /** The path was read (or is gone): its next failure starts counting afresh. */
  forget(path: string): void {
    const entry = this.#paths.get(path);
    if (entry === undefined) return;
    if (entry.timer !== undefined) {
      this.#clock.clearTimeout(entry.timer);
      this.#waiting--;
    }
    this.#paths.delete(path);
  }

  /** Files waiting for their next attempt. */
  get pending(): number {
    return this.#waiting;
  }

  /** Resolves when the next waiting file is put back in line. */
  whenFired(): Promise<void> {
    return new Promise((resolve) => this.#fired.push(resolve));
  }

  /** Puts every waiting file back in line now (shutdown: one last attempt each, no more waiting). */
  fireAll(): void {
    for (const [path, entry] of [...this.#paths]) if (entry.timer !== undefined) this.#fire(path);
  }

  #fire(path: string): void {
    const entry = this.#paths.get(path);
    if (entry === undefined || entry.timer === undefined) return;
    this.#clock.clearTimeout(entry.timer);
    entry.timer = undefined;
    this.#waiting--;
    const again = entry.again;
    entry.again = undefined;
    again?.();
    const fired = this.#fired;
    this.#fired = [];
    for (const resolve of fired) resolve();
  }
}
