import { type Clock, systemClock } from "./clock.ts";
import { coalesceKinds, type SyncEvent } from "./sync-event.ts";

export type EventDebouncerOptions = {
  clock?: Clock;
  /** Quiet time a path needs before it counts as settled (may vary by file type or size). */
  delayMs: (path: string) => number;
  /** Upper bound on how long a path's first pending event may be held back. */
  maxWaitMs: number;
  /** Called once per settled path with the net change. Must not throw. */
  onSettled: (event: SyncEvent) => void;
  /** Aborting drops everything pending and ignores later pushes. */
  signal?: AbortSignal;
};

type PendingPath = {
  /** Net change so far; `at` is when the first pending event was seen. */
  event: SyncEvent;
  /** `clock.now()` when the first pending event was pushed: starts the max-wait. */
  firstSeen: number;
  timer: unknown;
};

/**
 * Per-path debouncer in the style of Deno std's `async/debounce.ts`
 * (`flush`/`clear`/`pending`, AbortSignal), keyed by path: every push restarts
 * that path's timer, so a file being saved repeatedly is emitted once it goes
 * quiet, but never later than `maxWaitMs` after its first pending event, so a
 * file rewritten continuously (a log, a sync tool) still gets indexed.
 *
 * Events for one path are coalesced into their net change (see
 * `coalesceKinds`); a create followed by a delete emits nothing.
 */
export class EventDebouncer {
  #clock: Clock;
  #delayMs: (path: string) => number;
  #maxWaitMs: number;
  #onSettled: (event: SyncEvent) => void;
  #signal: AbortSignal | undefined;
  /** Insertion order is first-seen order, which `flush` keeps. */
  #pending = new Map<string, PendingPath>();

  constructor(options: EventDebouncerOptions) {
    const { maxWaitMs } = options;
    if (!(maxWaitMs >= 0) || maxWaitMs === Infinity) {
      throw new RangeError(`maxWaitMs must be a finite number >= 0, got ${maxWaitMs}`);
    }
    this.#clock = options.clock ?? systemClock;
    this.#delayMs = options.delayMs;
    this.#maxWaitMs = maxWaitMs;
    this.#onSettled = options.onSettled;
    this.#signal = options.signal;
    this.#signal?.addEventListener("abort", () => this.clear(), { once: true });
  }

  /** Number of paths waiting to settle. */
  get pending(): number {
    return this.#pending.size;
  }

  /**
   * `quietForMs`: how long the path had already been quiet when its event
   * arrived (the watcher held the event back, watcher-hold.ts): the delay
   * counts from the write, not from the event's arrival.
   */
  push(event: SyncEvent, quietForMs = 0): void {
    if (this.#signal?.aborted) return;
    const delay = this.#delayMs(event.path);
    if (!(delay >= 0) || delay === Infinity) {
      throw new RangeError(`delayMs(${JSON.stringify(event.path)}) must be a finite number >= 0, got ${delay}`);
    }
    const now = this.#clock.now();
    const wait = Math.max(0, delay - Math.max(0, quietForMs));
    const entry = this.#pending.get(event.path);
    if (entry) {
      this.#clock.clearTimeout(entry.timer);
      const kind = coalesceKinds(entry.event.kind, event.kind);
      if (kind === null) {
        this.#pending.delete(event.path);
        return;
      }
      entry.event = { ...entry.event, kind };
      entry.timer = this.#schedule(event.path, Math.min(wait, entry.firstSeen + this.#maxWaitMs - now));
    } else {
      const timer = this.#schedule(event.path, Math.min(wait, this.#maxWaitMs));
      this.#pending.set(event.path, { event: { ...event }, firstSeen: now, timer });
    }
  }

  /** Emits every pending path now, oldest first. */
  flush(): void {
    for (const path of [...this.#pending.keys()]) this.#settle(path);
  }

  /** Drops every pending path without emitting. */
  clear(): void {
    for (const entry of this.#pending.values()) this.#clock.clearTimeout(entry.timer);
    this.#pending.clear();
  }

  #schedule(path: string, ms: number): unknown {
    return this.#clock.setTimeout(() => this.#settle(path), Math.max(0, ms));
  }

  #settle(path: string): void {
    const entry = this.#pending.get(path);
    if (!entry) return;
    this.#clock.clearTimeout(entry.timer);
    // Removed before the callback so a push from inside it starts a fresh entry.
    this.#pending.delete(path);
    this.#onSettled(entry.event);
  }
}
