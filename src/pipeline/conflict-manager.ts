import { statSync } from "node:fs";
import { join } from "node:path";
import type { Pools } from "../bulkheads/pools.ts";
import type { SyncConfiguration } from "../config/load-config.ts";
import type { BatchResult, FileWrite } from "../index/index-batch.ts";
import type { IndexedFileState } from "../index/index-writer.ts";
import type { SyncDomainEvent, SyncEventListener } from "./sync-domain-event.ts";
import type { ConflictStrategy, ConflictType, DetectedConflict, ResolutionStrategy, SyncConflict } from "./conflict-types.ts";

/** What a sync does with a file's change once a conflict is detected on it. */
export type ConflictDecision = "apply" | "skip";

/**
 * A change counts as written after a read began when the file's mtime is
 * later than this much before the read's start: the kernel stamps files
 * from a coarse clock (an mtime 4 ms before the `Date.now()` of a read that
 * began before the write was measured).
 */
const MTIME_SLACK_MS = 10;

/** Reasons of a read refused for lack of rights (hash.worker.ts writes `cannot read: <code> ...`). */
const PERMISSION_REASON = /^cannot read: (EACCES|EPERM)\b/;

/**
 * ConflictManager: detects conflicts on the main thread, records them
 * through the writer (one `conflicts` row, or the open/kept one they
 * repeat), publishes ConflictDetected, and tells the sync whether to apply
 * the file's change under the type's strategy. It holds the paths of open
 * (manual) conflicts: no change of theirs is applied until `resolve`.
 */
export class ConflictManager {
  readonly #pools: Pick<Pools, "writing">;
  readonly #strategies: SyncConfiguration["conflicts"];
  readonly #emit: SyncEventListener;
  /** Paths held by an open conflict, with its id (0 while its row is being recorded). */
  readonly #held = new Map<string, number>();
  /** How many times each path came to be held by a recorded conflict (see `holdsOf`). */
  readonly #holdsBegun = new Map<string, number>();
  /** Paths in flight that a concurrentModification was recorded for. */
  readonly #overtaken = new Set<string>();
  /** Paths whose sync in flight has begun to read the file, with when it began (wall clock, as mtimes are). */
  readonly #reading = new Map<string, number>();
  /** Paths resolved for the file system: their next sync is applied without a new conflict. */
  readonly #bypass = new Set<string>();
  /** Paths resolved for the index against a change with no key: the checksum of the bytes kept out. */
  readonly #kept = new Map<string, string>();
  /**
   * Paths whose conflict is being recorded under index, with how many: a
   * write of them checked meanwhile was read before the bytes kept out were
   * checksummed, so it is the change kept out (or older), never an edit made
   * after the decision.
   */
  readonly #deciding = new Map<string, number>();
  readonly #graphRoot: string;

  private constructor(pools: Pick<Pools, "writing">, config: SyncConfiguration, emit: SyncEventListener) {
    this.#pools = pools;
    this.#strategies = config.conflicts;
    this.#graphRoot = config.graph;
    this.#emit = emit;
  }

  /** Loads the open conflicts (their paths stay held across restarts) and the kept-out decisions. */
  static async start(pools: Pick<Pools, "writing">, config: SyncConfiguration, emit: SyncEventListener): Promise<ConflictManager> {
    const manager = new ConflictManager(pools, config, emit);
    /** The conflict behind each kept entry (the latest per path). */
    const keptBy = new Map<string, SyncConflict>();
    for (const conflict of await pools.writing.run<SyncConflict[]>(undefined, { name: "liveConflicts" })) {
      if (conflict.status === "open") manager.#hold(conflict);
      else if (manager.#keep(conflict)) keptBy.set(conflict.paths[0] ?? "", conflict);
    }
    // A kept-out decision is spent once a later edit of the path was written (its row is newer than the decision),
    // as after a later `resolve --strategy filesystem` of the path.
    for (const [path, conflict] of keptBy) {
      const indexedAt = await pools.writing.run<number | null>(path, { name: "indexedAt" });
      if (indexedAt !== null && indexedAt > Date.parse(conflict.resolvedAt ?? "")) manager.#kept.delete(path);
    }
    return manager;
  }

  strategy(type: ConflictType): ConflictStrategy {
    return this.#strategies[type].strategy;
  }

  isHeld(path: string): boolean {
    return this.#held.has(path);
  }

  /**
   * A count that changes whenever a recorded conflict starts holding `path`.
   * A sync compares it before and after its read: a read that a hold
   * overtook is dropped even when the conflict was resolved before the read
   * ended. That read is stale (resolving syncs the path again), and checking
   * it against the file would record the change that caused the conflict a
   * second time, as modifiedDuringSync.
   */
  holdsOf(path: string): number {
    return this.#holdsBegun.get(path) ?? 0;
  }

  list(options: { all?: boolean } = {}): Promise<SyncConflict[]> {
    return this.#pools.writing.run<SyncConflict[]>(options, { name: "conflicts" });
  }

  /**
   * (b) and (d), once a file was read consistently: its read bytes differ
   * from the indexed ones at the same size and mtime (index corruption), or
   * it newly may not be read (permission). Anything else applies.
   */
  async check(path: string, known: IndexedFileState | undefined, write: FileWrite): Promise<ConflictDecision> {
    if (write.op === "delete" || write.op === "rename" || this.#bypass.delete(path)) return "apply";
    if (this.#deciding.has(path)) return "skip";
    const file = write.file;
    const kept = this.#kept.get(path);
    if (kept !== undefined) {
      // The bytes a user kept out (resolve --strategy index): still those, still kept out. Anything else is
      // an edit made after the decision, newer than it: applied, and the decision is spent.
      if (file.checksum === kept && known?.checksum !== kept) return "skip";
      this.#kept.delete(path);
    }
    if (write.op === "index" && known !== undefined && (known.status === "indexed" || known.status === "warning") &&
      known.checksum !== null && known.checksum !== file.checksum && known.size === file.size && known.mtime === file.mtime) {
      const details = { size: file.size, mtime: file.mtime, indexedChecksum: known.checksum, diskChecksum: file.checksum };
      // Keyed by the bytes found: a later pass finding the same bytes repeats this conflict (kept open, or kept index).
      return this.detect({ type: "indexCorruption", paths: [path], details, key: file.checksum ?? "" });
    }
    // A transition only: a file still unreadable for the same reason on the next sync is the same conflict
    // (its row says so under filesystem; the key finds it when it was kept open, or kept as indexed).
    if (file.status === "failed" && PERMISSION_REASON.test(file.error ?? "") && !(known?.status === "failed" && known.error === file.error)) {
      return this.detect({ type: "permissionDenied", paths: [path], details: { reason: file.error }, key: file.error ?? "" });
    }
    return "apply";
  }

  /** (a): the file changed between its read and the commit. "apply" means: read it again, as before. */
  modifiedDuringSync(path: string, read: FileWrite): Promise<ConflictDecision> {
    const details = read.op === "delete" ? {} : { read: { size: read.file.size, mtime: read.file.mtime, checksum: read.file.checksum } };
    return this.detect({ type: "modifiedDuringSync", paths: [path], details });
  }

  /** (c): a change of `path` settled while its sync was in flight. */
  concurrentModification(path: string, at: number): Promise<ConflictDecision> {
    return this.detect({ type: "concurrentModification", paths: [path], details: { changedAt: new Date(at).toISOString() } });
  }

  /** A sync of `path` begins to read the file: a change written from now on overtakes that read. */
  readStarted(path: string, at: number = Date.now()): void {
    this.#reading.set(path, at);
  }

  /**
   * A change of `path` settled (before its task is queued). A change written
   * after the sync in flight began to read the file (its mtime says so; a
   * file gone from disk always) is a concurrent modification: recorded
   * once per sync in flight (a burst of events during one read is one
   * conflict), and under manual the path is held at once, synchronously, so
   * the task queued next is not applied. The late events of a write made
   * before the read began (the watcher's 50 ms hold, the debounce, a large
   * write settling in parts) overtake nothing: that read sees the write.
   */
  changeSettled(path: string, at: number): void {
    const since = this.#reading.get(path);
    if (since === undefined || this.isHeld(path) || this.#overtaken.has(path) || !this.#writtenSince(path, since)) return;
    this.#overtaken.add(path);
    void this.concurrentModification(path, at).catch(() => {});
  }

  /** The path's sync in flight is over: a change settling from now on overtakes nothing. */
  syncEnded(path: string): void {
    this.#overtaken.delete(path);
    this.#reading.delete(path);
  }

  #writtenSince(path: string, since: number): boolean {
    try {
      return statSync(join(this.#graphRoot, path)).mtimeMs + MTIME_SLACK_MS > since;
    } catch {
      return true;
    }
  }

  /**
   * Records a conflict under its type's strategy (or finds the one it
   * repeats) and decides. Under manual the path is held at once, before the
   * row is written, so a task that runs meanwhile is not applied either.
   * Under index, a conflict with no key records the checksum of the bytes on
   * disk (details.kept), kept out from then on as after `resolve --strategy
   * index`; a write checked meanwhile is not applied (see #deciding). Not a
   * hold: a held path's tasks are dropped, and an edit made after the
   * checksum would be lost with them.
   */
  async detect(found: Omit<DetectedConflict, "strategy" | "resolution">): Promise<ConflictDecision> {
    const strategy = this.strategy(found.type);
    const path = found.paths[0] ?? "";
    const provisional = strategy === "manual" && !this.#held.has(path);
    if (provisional) this.#held.set(path, 0);
    const deciding = strategy === "index" && found.key === undefined;
    if (deciding) this.#deciding.set(path, (this.#deciding.get(path) ?? 0) + 1);
    let recorded: { conflict: SyncConflict; repeated: boolean };
    try {
      const resolution = strategy === "timestamp" ? await this.#newerSide(found) : undefined;
      recorded = await this.#pools.writing.run(
        { ...found, strategy, ...(resolution === undefined ? {} : { resolution }), graphRoot: this.#graphRoot },
        { name: "recordConflict" },
      );
      if (deciding) this.#keep(recorded.conflict);
    } catch (error) {
      if (provisional) this.#held.delete(path);
      throw error;
    } finally {
      if (deciding) this.#undecide(path);
    }
    const { conflict, repeated } = recorded;
    if (!repeated) this.#emit(conflictEvent(conflict));
    if (conflict.status === "open") {
      this.#hold(conflict);
      return "skip";
    }
    if (provisional) this.#held.delete(path);
    return conflict.resolution === "index" ? "skip" : "apply";
  }

  #undecide(path: string): void {
    const left = (this.#deciding.get(path) ?? 1) - 1;
    if (left === 0) this.#deciding.delete(path);
    else this.#deciding.set(path, left);
  }

  /**
   * A batch committed: its open page-name claims (manual) hold their
   * newcomers; its released paths (their name lost its owner, and the writer
   * closed their conflicts) are held no more. Returns those, to sync again.
   */
  clashesCommitted(result: BatchResult): string[] {
    for (const clash of result.pageNameClashes) if (clash.status === "open") this.#setHeld(clash.paths[0] ?? "", clash.id);
    for (const path of result.released ?? []) this.#held.delete(path);
    return result.released ?? [];
  }

  /**
   * ResolveSyncConflict: marks the conflict resolved and releases its paths.
   * With `filesystem` the caller syncs them again; their next sync is
   * applied without being taken for the same conflict again.
   */
  async resolve(id: number, strategy: ResolutionStrategy): Promise<SyncConflict> {
    const conflict = await this.#pools.writing.run<SyncConflict>({ id, strategy, graphRoot: this.#graphRoot }, { name: "resolveConflict" });
    for (const path of conflict.paths) {
      if (this.#held.get(path) === id) this.#held.delete(path);
      if (strategy === "filesystem") this.#bypass.add(path);
    }
    this.#keep(conflict);
    return conflict;
  }

  /**
   * The timestamp strategy: which side is newer, per type. Only index
   * corruption has two times to compare (the file's mtime, equal to the
   * indexed one, against when its row was written: an mtime later than
   * that is a file from a clock ahead, or written after us, so it wins).
   * Elsewhere "newer" is settled by the type itself: a change seen during
   * or after a read is the newest side (filesystem), and an unreadable file
   * has nothing newer to offer than what the index holds (index).
   */
  async #newerSide(found: Omit<DetectedConflict, "strategy">): Promise<ResolutionStrategy> {
    switch (found.type) {
      case "modifiedDuringSync":
      case "concurrentModification":
      case "pageNameClash":
        return "filesystem";
      case "permissionDenied":
        return "index";
      case "indexCorruption": {
        const indexedAt = await this.#pools.writing.run<number | null>(found.paths[0] ?? "", { name: "indexedAt" });
        const mtime = Number(found.details["mtime"]);
        return indexedAt !== null && mtime > indexedAt ? "filesystem" : "index";
      }
    }
  }

  /**
   * A conflict resolved for the index that recorded the bytes it kept out
   * (see withKept in conflict-store.ts). The latest wins. True when it keeps bytes out.
   */
  #keep(conflict: SyncConflict): boolean {
    const kept = conflict.details["kept"];
    const path = conflict.paths[0] ?? "";
    if (conflict.resolution === "index" && typeof kept === "string") {
      this.#kept.set(path, kept);
      return true;
    }
    // A later decision on the path for the file (or one that found the file gone) replaces the kept one.
    if (conflict.type === "modifiedDuringSync" || conflict.type === "concurrentModification") this.#kept.delete(path);
    return false;
  }

  #hold(conflict: SyncConflict): void {
    // A held page-name claim holds the newcomer only (paths[0]): the owner's edits go on being applied.
    const paths = conflict.type === "pageNameClash" ? conflict.paths.slice(0, 1) : conflict.paths;
    for (const path of paths) this.#setHeld(path, conflict.id);
  }

  #setHeld(path: string, id: number): void {
    if (this.#held.get(path) !== id) this.#holdsBegun.set(path, this.holdsOf(path) + 1);
    this.#held.set(path, id);
  }
}

export function conflictEvent(conflict: SyncConflict): SyncDomainEvent {
  return {
    type: "ConflictDetected", id: conflict.id, conflict: conflict.type, paths: conflict.paths, strategy: conflict.strategy, status: conflict.status,
    ...(conflict.resolution !== null && conflict.resolution !== conflict.strategy ? { resolution: conflict.resolution } : {}),
  };
}

/** A clash recorded by the writer: applied (both files indexed and flagged), or a held claim (index, manual: open). */
export function clashEvent(clash: BatchResult["pageNameClashes"][number]): Extract<SyncDomainEvent, { type: "ConflictDetected" }> {
  return {
    type: "ConflictDetected", id: clash.id, conflict: "pageNameClash", paths: clash.paths, strategy: clash.strategy ?? "filesystem",
    status: clash.status ?? "resolved", name: clash.name,
  };
}
