import { lstatSync } from "node:fs";
import { join } from "node:path";

/**
 * @parcel/watcher hands over at once an event that comes 500 ms or more
 * after its previous callback, and holds any other for 50 ms to gather
 * more (measured on Linux: files written 1,000 or 600 ms apart were
 * reported after 0.3-1.1 ms, written 400, 200 or 100 ms apart after
 * 50.6-50.8 ms). Every save of a page being edited, a save or two a
 * second, so reached the debouncer 50 ms late, and its quiet time
 * (debounce.markdownMs) began only then: a third of an idle edit's way to
 * being searchable (about 200 ms).
 */
export const WATCHER_HOLD_MS = 50;

/**
 * Above this many events in one callback (a checkout, a sync client's
 * burst), no file is stat'ed for its age: a burst settles on its own
 * schedule, and a stat each would cost the main thread.
 */
export const AGED_EVENTS_MAX = 64;

/**
 * How long ago `path` was last written, as its mtime says, at most
 * WATCHER_HOLD_MS: the part of its debounce already spent while the
 * watcher held the event. Capped because an mtime can be anything (set by
 * `touch -d`, an unzip, a sync client keeping the remote's); a file whose
 * mtime is ahead of the clock, or that cannot be stat'ed, gets none.
 */
export function heldFor(root: string, path: string, now = Date.now()): number {
  let mtimeMs: number;
  try {
    mtimeMs = lstatSync(join(root, path)).mtimeMs;
  } catch {
    return 0;
  }
  return Math.min(WATCHER_HOLD_MS, Math.max(0, now - mtimeMs));
}
