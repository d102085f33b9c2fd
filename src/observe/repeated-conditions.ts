import type { Logger } from "pino";
import { type Clock, systemClock } from "../pipeline/clock.ts";

/** Occurrences of one condition in one sync logged one by one; more become one summary line. */
export const REPEAT_LIMIT = 3;

/** One occurrence: its JSON fields and its human line. */
export type Occurrence = { fields: Record<string, unknown>; msg: string };

/** Builds the one line that stands for `count` occurrences, given the first few. */
export type Summarise = (count: number, first: readonly Occurrence[]) => Occurrence;

type Condition = { count: number; first: Occurrence[]; summarise: Summarise; level: "warn" | "error" };

export type RepeatedConditionsOptions = {
  /** Written this long after the last occurrence (the sync went quiet)... */
  quietMs: number;
  /** ...or at the latest this long after the first one held back. */
  maxDelayMs: number;
  clock?: Clock;
};

/**
 * Holds warnings back and writes them per sync: a condition seen up to
 * REPEAT_LIMIT times as that many lines, more as one line with the count and
 * the first few (a graph with 2,000 page-name clashes or 500 unreadable files
 * gives one line, not thousands). A sync ends at SyncCompleted (`flush`) or,
 * in the service, when the events go quiet; memory per condition is bounded.
 */
export class RepeatedConditions {
  readonly #logger: Logger;
  readonly #options: RepeatedConditionsOptions;
  readonly #conditions = new Map<string, Condition>();
  readonly #clock: Clock;
  #quiet: unknown;
  #deadline: unknown;

  constructor(logger: Logger, options: RepeatedConditionsOptions) {
    this.#logger = logger;
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
  }

  /** Conditions raised with `latch` and not released: their later occurrences are counted, not written. */
  readonly #latched = new Map<string, number>();

  add(key: string, occurrence: Occurrence, summarise: Summarise, level: "warn" | "error" = "warn"): void {
    let condition = this.#conditions.get(key);
    if (condition === undefined) {
      condition = { count: 0, first: [], summarise, level };
      this.#conditions.set(key, condition);
    }
    condition.count++;
    if (condition.first.length < REPEAT_LIMIT) condition.first.push(occurrence);
    this.#schedule();
  }

  /**
   * A condition that holds until `release` (the index disk is full): one
   * error line for it, written like any held-back line, however many files
   * it fails and however many syncs it spans. Returns the occurrences so far.
   */
  latch(key: string, occurrence: Occurrence): number {
    const count = (this.#latched.get(key) ?? 0) + 1;
    this.#latched.set(key, count);
    if (count === 1) this.add(key, occurrence, (_count, first) => first[0] ?? occurrence, "error");
    return count;
  }

  /** The latched condition is over: its next occurrence is written again. Returns how many occurrences it had (0: none). */
  release(key: string): number {
    const count = this.#latched.get(key) ?? 0;
    this.#latched.delete(key);
    return count;
  }

  /** Writes what is held back. */
  flush(): void {
    this.#clearTimers();
    const conditions = [...this.#conditions.values()];
    this.#conditions.clear();
    for (const { count, first, summarise, level } of conditions) {
      const lines = count <= REPEAT_LIMIT ? first : [summarise(count, first)];
      for (const { fields, msg } of lines) this.#logger[level](fields, msg);
    }
  }

  #schedule(): void {
    if (this.#quiet !== undefined) this.#clock.clearTimeout(this.#quiet);
    this.#quiet = unref(this.#clock.setTimeout(() => this.flush(), this.#options.quietMs));
    this.#deadline ??= unref(this.#clock.setTimeout(() => this.flush(), this.#options.maxDelayMs));
  }

  #clearTimers(): void {
    if (this.#quiet !== undefined) this.#clock.clearTimeout(this.#quiet);
    if (this.#deadline !== undefined) this.#clock.clearTimeout(this.#deadline);
    this.#quiet = this.#deadline = undefined;
  }
}

/** Held-back lines never keep a finished process alive (its end flushes them). */
function unref(handle: unknown): unknown {
  (handle as { unref?: () => void } | null)?.unref?.();
  return handle;
}
