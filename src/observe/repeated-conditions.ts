import type { Logger } from "pino";

/** Occurrences of one condition in one sync logged one by one; more become one summary line. */
export const REPEAT_LIMIT = 3;

/** One occurrence: its JSON fields and its human line. */
export type Occurrence = { fields: Record<string, unknown>; msg: string };

/** Builds the one line that stands for `count` occurrences, given the first few. */
export type Summarise = (count: number, first: readonly Occurrence[]) => Occurrence;

type Condition = { count: number; first: Occurrence[]; summarise: Summarise };

export type RepeatedConditionsOptions = {
  /** Written this long after the last occurrence (the sync went quiet)... */
  quietMs: number;
  /** ...or at the latest this long after the first one held back. */
  maxDelayMs: number;
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
  #quiet: ReturnType<typeof setTimeout> | undefined;
  #deadline: ReturnType<typeof setTimeout> | undefined;

  constructor(logger: Logger, options: RepeatedConditionsOptions) {
    this.#logger = logger;
    this.#options = options;
  }

  add(key: string, occurrence: Occurrence, summarise: Summarise): void {
    let condition = this.#conditions.get(key);
    if (condition === undefined) {
      condition = { count: 0, first: [], summarise };
      this.#conditions.set(key, condition);
    }
    condition.count++;
    if (condition.first.length < REPEAT_LIMIT) condition.first.push(occurrence);
    this.#schedule();
  }

  /** Writes what is held back. */
  flush(): void {
    this.#clearTimers();
    const conditions = [...this.#conditions.values()];
    this.#conditions.clear();
    for (const { count, first, summarise } of conditions) {
      const lines = count <= REPEAT_LIMIT ? first : [summarise(count, first)];
      for (const { fields, msg } of lines) this.#logger.warn(fields, msg);
    }
  }

  #schedule(): void {
    if (this.#quiet !== undefined) clearTimeout(this.#quiet);
    // unref: held-back lines never keep a finished process alive (close flushes them).
    this.#quiet = setTimeout(() => this.flush(), this.#options.quietMs);
    this.#quiet.unref?.();
    if (this.#deadline === undefined) {
      this.#deadline = setTimeout(() => this.flush(), this.#options.maxDelayMs);
      this.#deadline.unref?.();
    }
  }

  #clearTimers(): void {
    if (this.#quiet !== undefined) clearTimeout(this.#quiet);
    if (this.#deadline !== undefined) clearTimeout(this.#deadline);
    this.#quiet = this.#deadline = undefined;
  }
}
