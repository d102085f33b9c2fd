import type { SyncEvent } from "./sync-event.ts";

/** Why a path is being synced, most urgent first. */
export const SyncPriority = {
  /** A user's edit seen by the watcher: someone may be searching for it right now. */
  interactive: "interactive",
  /** Bulk work from a scan (startup, resume, overflow rescan). */
  catchUp: "catchUp",
  /** Background re-checks of paths believed to be in sync. */
  verify: "verify",
} as const;
export type SyncPriority = (typeof SyncPriority)[keyof typeof SyncPriority];

/**
 * Width of one class's band of priority numbers. Event times (`at`, epoch ms
 * today about 2^41) stay far below half of it, so no age or bonus can lift a
 * task into the next class, and the largest value (3 bands) stays a safe integer.
 */
const CLASS_BAND = 2 ** 50;

/**
 * Head start given to today's journal within its class: it is treated as if
 * seen this much earlier. Today's journal is where Logseq users type most and
 * what they search first, so after a restart catch-up reaches it early; but
 * the bonus is small, so it only jumps ahead of work from the last half minute,
 * never starves older work, and never crosses classes.
 */
export const TODAY_JOURNAL_HEAD_START_MS = 30_000;

export type SyncPriorityContext = {
  /**
   * Graph-relative path of today's journal without its extension, e.g.
   * `journals/2024_01_15` (see `todayJournalStem`). Omit to favour nothing.
   */
  todayJournal?: string;
};

/**
 * The `SyncTaskQueue` priority (higher is taken first) for syncing `event`
 * for `source`: any interactive task outranks any catch-up task, which
 * outranks any verify task; within a class the older event (smaller `at`)
 * goes first.
 */
export function syncPriority(
  source: SyncPriority,
  event: Pick<SyncEvent, "path" | "at">,
  context: SyncPriorityContext = {},
): number {
  const { at } = event;
  if (!(at >= 0 && at < CLASS_BAND / 2)) {
    throw new RangeError(`event.at must be a number in [0, 2^49), got ${at}`);
  }
  const bonus = isTodayJournal(event.path, context.todayJournal) ? TODAY_JOURNAL_HEAD_START_MS : 0;
  return classRank(source) * CLASS_BAND - at + bonus;
}

/** The class a number from `syncPriority` was computed for (for logs and metrics). */
export function priorityClass(priority: number): SyncPriority {
  const rank = Math.round(priority / CLASS_BAND);
  if (rank >= 3) return SyncPriority.interactive;
  return rank === 2 ? SyncPriority.catchUp : SyncPriority.verify;
}

/**
 * `journals/yyyy_MM_dd` for `date` in local time: Logseq's default
 * `:journal/file-name-format`, which is the only one `GraphConfig` knows of.
 */
export function todayJournalStem(journalsDirectory: string, date: Date): string {
  const y = String(date.getFullYear()).padStart(4, "0");
  const m = String(date.getMonth() + 1).padStart(2, "0");
  const d = String(date.getDate()).padStart(2, "0");
  const dir = journalsDirectory.replace(/^\/+|\/+$/g, "");
  return `${dir === "" ? "" : dir + "/"}${y}_${m}_${d}`;
}

function isTodayJournal(path: string, stem: string | undefined): boolean {
  if (stem === undefined) return false;
  const dot = path.lastIndexOf(".");
  return dot > path.lastIndexOf("/") && path.slice(0, dot) === stem;
}

function classRank(source: SyncPriority): number {
  switch (source) {
    case SyncPriority.interactive:
      return 3;
    case SyncPriority.catchUp:
      return 2;
    case SyncPriority.verify:
      return 1;
    default: {
      const unknown: never = source;
      throw new TypeError(`unknown SyncPriority: ${String(unknown)}`);
    }
  }
}
