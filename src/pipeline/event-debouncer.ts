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
  /**
   * When the path's file was last modified, on the clock's time line (epoch
   * ms for the system clock); undefined when unknown (gone, unreadable).
   * Given, quiet time counts from the file's last change instead of from the
   * event's arrival: the watcher reports a change up to ~50 ms after it
   * happened (@parcel/watcher batches events for 50 ms), and that lag was
   * counted as if the file had still been changing. See `quietSince`.
   */
  lastModified?: (path: string) => number | undefined;
};

/** How long a settled path's modification time is remembered (see `#seenAtSettle`): the watcher's late batches come within ~50 ms. */
const RECENTLY_SETTLED_MS = 1000;

type PendingPath = {
  /** Net change so far; `at` is when the first pending event was seen. */
  event: SyncEvent;
  /** `clock.now()` when the first pending event was pushed: starts the max-wait. */
  firstSeen: number;
  /** `clock.now()` when the latest event was pushed. */
  lastSeen: number;
  /** The quiet time counts from here: the file's last known change. */
  quietSince: number;
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
 *
 * With `lastModified`, "quiet" means the file has not changed for the delay:
 * it counts from the file's modification time rather than from the event's
 * arrival (see `quietSince`), and when the delay is up the file is asked
 * again, so a write whose event is still on its way keeps the path waiting.
 */
export class EventDebouncer {
  #clock: Clock;
  #lastModified: ((path: string) => number | undefined) | undefined;
  #delayMs: (path: string) => number;
  #maxWaitMs: number;
  #onSettled: (event: SyncEvent) => void;
  #signal: AbortSignal | undefined;
  /** Insertion order is first-seen order, which `flush` keeps. */
  #pending = new Map<string, PendingPath>();
  /** Paths settled in the last RECENTLY_SETTLED_MS with the modification time seen then, oldest first. */
  #settled = new Map<string, { modified: number; at: number }>();

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
    this.#lastModified = options.lastModified;
    this.#signal?.addEventListener("abort", () => this.clear(), { once: true });
  }

  /** Number of paths waiting to settle. */
  get pending(): number {
    return this.#pending.size;
  }

  push(event: SyncEvent): void {
    if (this.#signal?.aborted) return;
    const delay = this.#delayMs(event.path);
    if (!(delay >= 0) || delay === Infinity) {
      throw new RangeError(`delayMs(${JSON.stringify(event.path)}) must be a finite number >= 0, got ${delay}`);
    }
    const now = this.#clock.now();
    const entry = this.#pending.get(event.path);
    if (entry) {
      this.#clock.clearTimeout(entry.timer);
      const kind = coalesceKinds(entry.event.kind, event.kind);
      if (kind === null) {
        this.#pending.delete(event.path);
        return;
      }
      entry.event = { ...entry.event, kind };
      entry.quietSince = this.#quietSince(event.path, now, entry.lastSeen);
      entry.lastSeen = now;
      entry.timer = this.#schedule(event.path, Math.min(entry.quietSince + delay, entry.firstSeen + this.#maxWaitMs) - now);
    } else {
      const quietSince = this.#quietSince(event.path, now, undefined);
      const timer = this.#schedule(event.path, Math.min(quietSince + delay - now, this.#maxWaitMs));
      this.#pending.set(event.path, { event: { ...event }, firstSeen: now, lastSeen: now, quietSince, timer });
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
    this.#settled.clear();
  }

  #schedule(path: string, ms: number): unknown {
    return this.#clock.setTimeout(() => this.#due(path), Math.max(0, ms));
  }

  /**
   * When the path last changed, as far as we know: its modification time,
   * unless that is in the future (a clock ahead of ours, a network share), and
   * never before the previous pending event arrived (that event says the
   * file was still changing then, whatever the time stamp says: `cp -p`
   * writes the content, then sets an old mtime). The event's arrival when
   * there is no usable time stamp: none given, the file is gone, or a whole
   * second, which is how filesystems with coarse time stamps (FAT, HFS+,
   * some network shares) round it down, up to a second before the write.
   */
  #quietSince(path: string, now: number, previousEvent: number | undefined): number {
    const modified = this.#modified(path, now);
    if (modified === undefined || this.#seenAtSettle(path, modified, now)) return now;
    return Math.max(modified, previousEvent ?? -Infinity);
  }

  /**
   * Whether `path` settled a moment ago with this modification time or a
   * newer one: the event is a late report of writes its sync reads anyway
   * (the watcher delivers one save's truncate and write in two batches 50 ms
   * apart), not a new change. Settled at once, it would overtake that sync
   * in flight: a concurrentModification conflict, the edit kept out under
   * `index`. So it waits its quiet time from its arrival, as before mtimes.
   */
  #seenAtSettle(path: string, modified: number, now: number): boolean {
    for (const [settled, { at }] of this.#settled) {
      if (now - at <= RECENTLY_SETTLED_MS) break;
      this.#settled.delete(settled);
    }
    const settled = this.#settled.get(path);
    return settled !== undefined && modified <= settled.modified;
  }

  /** The path's usable modification time; undefined when there is none (a time stamp ahead of `now` is none). */
  #modified(path: string, now: number): number | undefined {
    const modified = this.#lastModified?.(path);
    if (modified === undefined || !Number.isFinite(modified) || modified % 1000 === 0 || modified > now) return undefined;
    return modified;
  }

  /** The delay is up: settle, unless the file changed again since and its event has not arrived yet. */
  #due(path: string): void {
    const entry = this.#pending.get(path);
    if (!entry) return;
    const now = this.#clock.now();
    const modified = this.#modified(path, now);
    const cap = entry.firstSeen + this.#maxWaitMs;
    if (modified !== undefined && modified > entry.quietSince && now < cap) {
      entry.quietSince = modified;
      entry.timer = this.#schedule(path, Math.min(modified + this.#delayMs(path), cap) - now);
      return;
    }
    if (modified !== undefined) {
      this.#settled.delete(path);
      this.#settled.set(path, { modified, at: now });
    }
    this.#settle(path);
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
