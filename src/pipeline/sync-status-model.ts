import type { SyncDomainEvent } from "./sync-domain-event.ts";

/**
 * The service's state, as `status` reports it. Checked in this order, the
 * first that holds wins:
 * - `paused`: PauseSyncOperations was accepted and not yet resumed (events are
 *   still collected; nothing is written).
 * - `catchingUp`: the startup catch-up (scan of the whole graph and the writes
 *   it causes) has not finished.
 * - `degraded`: the latest attempt to commit to the index failed (until a
 *   batch commits again), or the watcher reported an error (events may have
 *   been lost; a rescan is queued) in the last DEGRADED_WATCHER_MS.
 * - `watching`: caught up, and changes are being worked on: events settling,
 *   tasks queued or in flight, deletes held for move pairing, folders to
 *   rescan, scans running, or writes not yet committed.
 * - `idle`: caught up and nothing at all pending: the index matches every
 *   change seen.
 */
export const SyncState = {
  catchingUp: "catchingUp",
  watching: "watching",
  idle: "idle",
  paused: "paused",
  degraded: "degraded",
} as const;
export type SyncState = (typeof SyncState)[keyof typeof SyncState];

/** A watcher error keeps the state `degraded` this long (its rescan usually ends well within it). */
export const DEGRADED_WATCHER_MS = 60_000;
/** Recent throughput is measured over this window. */
export const THROUGHPUT_WINDOW_MS = 60_000;
/** Failures kept for `recentFailures`: a service runs for weeks. */
export const RECENT_FAILURES = 20;
/** The prefix of a FileSyncFailed reason when the index write itself failed (not the file). */
export const INDEX_WRITE_FAILED = "index write failed";

/** One bulkhead's load: tasks running in its threads and tasks waiting for one. */
export type BulkheadLoad = { inFlight: number; queueDepth: number };

/** What the pipeline has not done yet, read from cheap counters at the moment of asking. */
export type PendingOperations = {
  /** Queued tasks by the kind of change (a burst on one path is one task). */
  create: number;
  update: number;
  delete: number;
  /** Tasks being worked on (hashing, parsing, waiting for the batch). */
  inFlight: number;
  /** Paths whose events are still settling in the debouncer. */
  settling: number;
  /** Deletes held back a moment, waiting for a create with the same content (a move). */
  heldDeletes: number;
  /** Folders to rescan because their events did not fit the bounded queues. */
  dirtyFolders: number;
  /** Folder scans running. */
  scans: number;
  /** Writes not yet committed: in the batch being filled or being written. */
  batched: number;
};

/** The live counters the model reads when asked; the pipeline owns them. */
export type SyncStatusProbe = {
  phase(): "starting" | "catchingUp" | "caughtUp" | "stopping";
  paused(): boolean;
  pending(): PendingOperations;
  bulkheads(): Record<"hashing" | "parsing" | "writing", BulkheadLoad>;
};

export type SyncFailure = { path: string; status: string; reason: string; at: string; batchId?: string };

/** SyncStatusResponse: GetSyncStatus's answer, from the read model alone (no database access). */
export type SyncStatusResponse = {
  state: SyncState;
  /** Why the state is `degraded` (empty otherwise). */
  degradedReasons: string[];
  /** When a batch last committed (ISO time), or null when none has since the service started. */
  lastSyncAt: string | null;
  pending: PendingOperations;
  bulkheads: Record<"hashing" | "parsing" | "writing", BulkheadLoad>;
  /** Files whose sync failed or was skipped since the service started, and the latest of them. */
  failedFiles: number;
  recentFailures: SyncFailure[];
  /** Since the service started. */
  totals: { created: number; updated: number; deleted: number; renamed: number; failed: number; skipped: number; conflicts: number; batches: number };
  /** Files finished (indexed, deleted, moved, failed) per second over the last minute (or since start, if shorter). */
  throughput: { filesPerSecond: number; windowSeconds: number };
};

/**
 * The read model behind GetSyncStatus (CQRS): kept up to date by the domain
 * events it subscribes to, plus a few counters read when asked. Answering
 * from it touches neither the writer's queue nor the database, so `status`
 * never waits behind a catch-up's writes.
 */
export class SyncStatusModel {
  readonly #probe: SyncStatusProbe;
  readonly #now: () => number;
  readonly #started: number;
  #lastCommitAt: number | null = null;
  #writeFailing = false;
  #watcherErrorAt: number | null = null;
  #failedFiles = 0;
  readonly #recentFailures: SyncFailure[] = [];
  readonly #totals = { created: 0, updated: 0, deleted: 0, renamed: 0, failed: 0, skipped: 0, conflicts: 0, batches: 0 };
  #lastBatchId: string | undefined;
  /** Files finished per second, in a ring of one-second slots covering the throughput window. */
  readonly #slots = new Array<number>(THROUGHPUT_WINDOW_MS / 1000).fill(0);
  #slotSecond = 0;

  constructor(probe: SyncStatusProbe, options: { now?: () => number } = {}) {
    this.#probe = probe;
    this.#now = options.now ?? Date.now;
    this.#started = this.#now();
    this.#slotSecond = Math.floor(this.#started / 1000);
  }

  /** The bus subscriber. */
  readonly apply = (event: SyncDomainEvent): void => {
    switch (event.type) {
      case "FileIndexed":
        this.#committed(event.batchId);
        this.#totals[event.change === "update" ? "updated" : "created"]++;
        return;
      case "FileChanged":
        this.#committed(event.batchId);
        if (event.change === "delete") this.#totals.deleted++;
        else if (event.change === "rename") this.#totals.renamed++;
        else this.#totals[event.change === "update" ? "updated" : "created"]++;
        return;
      case "FileSyncFailed": {
        const writeFailed = event.reason.startsWith(INDEX_WRITE_FAILED);
        if (writeFailed) this.#writeFailing = true;
        else if (event.batchId !== undefined) this.#committed(event.batchId);
        else this.#count();
        this.#failedFiles++;
        this.#totals[event.status]++;
        const failure: SyncFailure = { path: event.path, status: event.status, reason: event.reason, at: new Date(this.#now()).toISOString() };
        if (event.batchId !== undefined) failure.batchId = event.batchId;
        this.#recentFailures.push(failure);
        if (this.#recentFailures.length > RECENT_FAILURES) this.#recentFailures.shift();
        return;
      }
      case "ConflictDetected":
        this.#totals.conflicts++;
        return;
      // A retry is not an outcome: the file's FileIndexed or FileSyncFailed follows.
      case "FileSyncRetried":
      case "SyncStarted":
      case "SyncCompleted":
        return;
      default: {
        const never: never = event;
        throw new TypeError(`unknown domain event ${JSON.stringify(never)}`);
      }
    }
  };

  /** The watcher reported an error: events may have been lost (the service queues a full rescan). */
  watcherFailed(): void {
    this.#watcherErrorAt = this.#now();
  }

  snapshot(): SyncStatusResponse {
    const now = this.#now();
    const pending = this.#probe.pending();
    const degradedReasons: string[] = [];
    if (this.#writeFailing) degradedReasons.push("the latest index write failed");
    if (this.#watcherErrorAt !== null && now - this.#watcherErrorAt < DEGRADED_WATCHER_MS) {
      degradedReasons.push(`the watcher reported an error ${Math.round((now - this.#watcherErrorAt) / 1000)} s ago; a full rescan is queued`);
    }
    const windowSeconds = Math.max(1, Math.min(THROUGHPUT_WINDOW_MS / 1000, Math.ceil((now - this.#started) / 1000)));
    this.#advance(now);
    const finished = this.#slots.reduce((sum, n) => sum + n, 0);
    return {
      state: this.#state(pending, degradedReasons.length > 0),
      degradedReasons,
      lastSyncAt: this.#lastCommitAt === null ? null : new Date(this.#lastCommitAt).toISOString(),
      pending,
      bulkheads: this.#probe.bulkheads(),
      failedFiles: this.#failedFiles,
      recentFailures: [...this.#recentFailures],
      totals: { ...this.#totals },
      throughput: { filesPerSecond: Math.round((finished / windowSeconds) * 10) / 10, windowSeconds },
    };
  }

  #state(pending: PendingOperations, degraded: boolean): SyncState {
    if (this.#probe.paused()) return SyncState.paused;
    const phase = this.#probe.phase();
    if (phase === "starting" || phase === "catchingUp") return SyncState.catchingUp;
    if (degraded) return SyncState.degraded;
    const busy = Object.values(pending).some((n) => n > 0);
    return busy ? SyncState.watching : SyncState.idle;
  }

  #committed(batchId: string | undefined): void {
    this.#lastCommitAt = this.#now();
    this.#writeFailing = false;
    if (batchId !== undefined && batchId !== this.#lastBatchId) {
      this.#lastBatchId = batchId;
      this.#totals.batches++;
    }
    this.#count();
  }

  #count(): void {
    const now = this.#now();
    this.#advance(now);
    const slot = Math.floor(now / 1000) % this.#slots.length;
    this.#slots[slot] = (this.#slots[slot] ?? 0) + 1;
  }

  /** Clears the slots of the seconds that passed since the last event. */
  #advance(now: number): void {
    const second = Math.floor(now / 1000);
    const passed = Math.min(this.#slots.length, second - this.#slotSecond);
    for (let i = 1; i <= passed; i++) this.#slots[(this.#slotSecond + i) % this.#slots.length] = 0;
    if (second > this.#slotSecond) this.#slotSecond = second;
  }
}

/**
 * One bulkhead's load from its `pending` count (tasks running or queued) and
 * the tasks it runs at once: the first `slots` are in flight, the rest wait.
 */
export function bulkheadLoad(pending: number, slots: number): BulkheadLoad {
  const inFlight = Math.min(pending, slots);
  return { inFlight, queueDepth: pending - inFlight };
}

/** How long `status` waits for fresh index counts before answering with the latest ones. */
export const INDEX_COUNTS_WAIT_MS = 200;

/**
 * The index counts for `status` without stalling behind writes: one read at
 * a time; an answer waits at most INDEX_COUNTS_WAIT_MS for it, else takes the
 * latest counts and says how old they are. Only the very first call waits for
 * its read (there is nothing older to give).
 */
export function indexCountsReader<T>(read: () => Promise<T>, now: () => number = Date.now): () => Promise<{ status: T; ageMs: number }> {
  let latest: { status: T; at: number } | undefined;
  let reading: Promise<void> | undefined;
  return async () => {
    const started = now();
    reading ??= read()
      .then((status) => void (latest = { status, at: now() }))
      .finally(() => (reading = undefined));
    if (latest === undefined) await reading;
    else {
      let timer: ReturnType<typeof setTimeout> | undefined;
      // A failed read leaves the latest counts standing; it is tried again on the next call.
      await Promise.race([reading.catch(() => {}), new Promise<void>((resolve) => (timer = setTimeout(resolve, INDEX_COUNTS_WAIT_MS)))]);
      clearTimeout(timer);
    }
    const counts = latest as { status: T; at: number };
    // Read during this call: fresh (0), else as old as that read.
    return { status: counts.status, ageMs: counts.at >= started ? 0 : now() - counts.at };
  };
}
