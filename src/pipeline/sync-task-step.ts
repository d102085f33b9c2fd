import type { FileWrite } from "../index/index-batch.ts";
import type { ConflictManager } from "./conflict-manager.ts";
import { checkRead, MAX_REREADS, syncFile, TransientReadError, type FileSyncContext } from "./file-sync.ts";
import { graphEntryKind } from "./graph-entry.ts";
import { sameFileRow, type IndexView } from "./index-view.ts";
import type { MovePairing } from "./move-pairing.ts";
import { SyncEventKind } from "./sync-event.ts";
import { priorityClass, SyncPriority } from "./sync-priority-calculator.ts";
import type { SyncTask } from "./sync-task-queue.ts";
import type { TaskDeferral } from "./task-deferral.ts";

/** What a SyncTaskStep works with: the orchestrator's parts (sync-orchestrator.ts). */
export type SyncTaskStepParts = {
  graphRoot: string;
  view: IndexView;
  moves: MovePairing;
  conflicts: ConflictManager;
  deferred: TaskDeferral;
  /** Paths to re-parse even if their checksum is unchanged; shared with the scans that fill it. */
  forced: Set<string>;
  /** How a file is read: for an event's path, and for a path a scan listed (moves only from the files it found gone). */
  files: { event: FileSyncContext; scanned: FileSyncContext };
  /** A one-shot sync (SyncOrchestratorOptions.oneShot): every read is written and counted. */
  oneShot: boolean;
  stopping: () => boolean;
  /** Puts a task back in the queue (a file that changed while it was read). */
  requeue: (task: SyncTask) => void;
  /** Whether tasks wait in the queue behind this one. */
  queued: () => boolean;
  /** Into the index view as pending, and into the batch being filled. */
  add: (write: FileWrite, options: { now?: boolean; urgent?: boolean }) => Promise<void>;
};

/**
 * One SyncTask taken from the queue, the step every sync shares (the
 * service's edits and scans, `run --once`): its path walked by the graph's
 * rules, the file read and checksummed and, when new, parsed (file-sync.ts),
 * a read that a change overtook done again, the conflict rules asked, and
 * the write handed to the batch. A file that cannot be read now is put
 * aside (TaskDeferral): a retry, or its folder's circuit breaker.
 */
export class SyncTaskStep {
  readonly #parts: SyncTaskStepParts;
  /** Paths re-queued because they changed while being read, with how often in a row. */
  readonly #rereads = new Map<string, number>();
  #reading = 0;

  constructor(parts: SyncTaskStepParts) {
    this.#parts = parts;
  }

  /** Files being read and checksummed (or parsed) now: creates that may still claim a held delete (MovePairing). */
  get reading(): number {
    return this.#reading;
  }

  async run(task: SyncTask): Promise<void> {
    const { path } = task;
    const { conflicts, deferred, view, moves } = this.#parts;
    if (deferred.breaker.isOpen && !this.#parts.stopping()) return deferred.park(task);
    // Held by an open conflict: no change of it is applied until `resolve` decides.
    if (conflicts.isHeld(path)) return void this.#rereads.delete(path);
    const force = this.#parts.forced.delete(path);
    // The same rule as the scan: a link is a (skipped) entry, a path through a linked folder is not in the graph.
    // "none": gone, or is the whole graph folder gone (unmounted, renamed)? Only the first is a delete.
    const walk = async (): Promise<"present" | "done"> => {
      let kind: ReturnType<typeof graphEntryKind>;
      try {
        kind = graphEntryKind(this.#parts.graphRoot, path);
      } catch (error) {
        // The way to the file cannot be walked (EACCES, EIO): the folder's trouble, not this file's?
        if ((await deferred.breaker.reachable()) || this.#parts.stopping()) throw error;
        deferred.park(task, force);
        return "done";
      }
      if (kind !== "none") return "present";
      if (!(await deferred.breaker.reachable()) && !this.#parts.stopping()) deferred.park(task, force);
      else await this.#missing(path);
      return "done";
    };
    // An event's path is walked now. A path a scan listed as a graph file was walked by the same rules a
    // moment ago: it is walked again only if its read finds nothing there (20,000 files: 0.2 s less of the
    // main thread's CPU).
    const walkFirst = task.kind === SyncEventKind.delete || priorityClass(task.priority) === SyncPriority.interactive;
    if (walkFirst && (await walk()) === "done") return;
    moves.forget(path);
    const holds = conflicts.holdsOf(path);
    this.#reading++;
    let write: FileWrite;
    try {
      const known = await view.latest(path);
      conflicts.readStarted(path);
      write = await syncFile(walkFirst ? this.#parts.files.event : this.#parts.files.scanned, path, known, { force });
      deferred.readDone(path);
    } catch (error) {
      if (!(error instanceof TransientReadError)) throw error;
      // Gone since the scan, or only between an editor's write and its rename (then retried as any read)?
      if (!walkFirst && error.code === "ENOENT" && (await walk()) === "done") return;
      // Not this file but the whole folder: wait for the breaker, not for a retry.
      if (!(await deferred.breaker.reachable()) && !this.#parts.stopping()) return deferred.park(task, force);
      if (deferred.retryLater(task, error, force)) return;
      write = error.write;
    } finally {
      this.#reading--;
    }
    // Held while it was read (a concurrent change under manual), even if resolved since: drop the read.
    if (conflicts.isHeld(path) || conflicts.holdsOf(path) !== holds) return void this.#rereads.delete(path);
    if (write.op === "rename") moves.claim(write.from);
    // Changed since it was read (file-sync.ts checkRead): sync it again as a
    // task of its own, run once this one is done, instead of writing it. A
    // file rewritten faster than it can be read gets its last consistent read
    // written after a few tries, rather than keeping a consumer busy forever.
    // The conflict is recorded once per run of re-reads.
    const checked = await checkRead(this.#parts.graphRoot, conflicts, path, write, !this.#rereads.has(path));
    if (checked === "skip") return;
    if (checked === "changed") {
      const rereads = (this.#rereads.get(path) ?? 0) + 1;
      if (rereads <= MAX_REREADS) {
        this.#rereads.set(path, rereads);
        if (force) this.#parts.forced.add(path);
        this.#parts.requeue({ ...task, kind: SyncEventKind.update });
        return;
      }
    }
    this.#rereads.delete(path);
    const latest = await view.latest(path);
    if (write.op === "metadata" && !this.#parts.oneShot && sameFileRow(latest, write.file)) return;
    if ((await conflicts.check(path, latest, write)) === "skip") return;
    // An edit with nothing queued behind it: no point waiting for the batch window. With a catch-up queued
    // behind it, it still goes at the window's end, not once the catch-up has filled the batch.
    const interactive = priorityClass(task.priority) === SyncPriority.interactive;
    await this.#parts.add(write, { now: interactive && !this.#parts.queued(), urgent: interactive });
  }

  async #missing(path: string): Promise<void> {
    this.#rereads.delete(path);
    this.#parts.deferred.readDone(path);
    return this.#parts.moves.missing(path);
  }
}
