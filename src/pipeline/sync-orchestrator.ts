import type { BatchResult, FileWrite } from "../index/index-batch.ts";
import type { IndexedFileState } from "../index/index-writer.ts";
import { readFileStates } from "../bulkheads/pools.ts";
import { applyBatch } from "../bulkheads/apply-batch.ts";
import { BatchProcessor } from "./batch-processor.ts";
import { recordCommitted, recordFailed, type BatchOutcomeTarget } from "./batch-outcome.ts";
import { type Clock, systemClock } from "./clock.ts";
import { scanDirectory } from "./directory-scan.ts";
import { contentDisagrees, detectChanges } from "./file-change-detector.ts";
import type { FileSnapshot } from "./file-snapshot.ts";
import type { IndexedStamp } from "../index/file-states.ts";
import { MovePairing } from "./move-pairing.ts";
import { Signal } from "./signal.ts";
import { IndexView } from "./index-view.ts";
import type { FileSyncContext } from "./file-sync.ts";
import { BlockKeyCache } from "./block-key-cache.ts";
import type { CacheStats } from "../index/bounded-cache.ts";
import type { BreakerState } from "./circuit-breaker.ts";
import { TaskDeferral } from "./task-deferral.ts";
import type { SyncBatchId, SyncEventListener } from "./sync-domain-event.ts";
import { SyncEventKind } from "./sync-event.ts";
import { priorityClass, SyncPriority, syncPriority, todayJournalStem } from "./sync-priority-calculator.ts";
import type { SyncSessionContext } from "./sync-session.ts";
import type { PendingOperations } from "./sync-status-model.ts";
import { ConflictManager } from "./conflict-manager.ts";
import type { ResolutionStrategy, SyncConflict } from "./conflict-types.ts";
import { emptySummary, type SyncSummary } from "./sync-summary.ts";
import { parentFolder, SyncTaskQueue, type SyncTask } from "./sync-task-queue.ts";
import { SyncTaskStep } from "./sync-task-step.ts";

export type SyncOrchestratorOptions = {
  clock?: Clock;
  /** Tasks worked on at once. Few, so a user's edit never queues behind hundreds of catch-up files in the pools. */
  consumers: number;
  /** Most paths queued (SyncTaskQueue maxSize); beyond it, folders are marked dirty and rescanned. */
  maxQueued: number;
  /** How long a vanished file's delete is held back, waiting for a create with its content (a move). */
  pairWindowMs: number;
  /** Upper bound on that hold while creates are still being worked on. */
  maxPairWaitMs: number;
  /** True while changes not yet in the queue may still arrive (e.g. events in the debouncer). */
  upstreamBusy?: () => boolean;
  /**
   * A one-shot sync (`run --once`, sync-session.ts) rather than a service:
   * - its scan registered every indexed file gone from disk, so only those
   *   can be a new file's move, also for a file synced again after a
   *   page-name claim was released (the service looks for an event's move
   *   among the indexed files of that content: a create's event may come
   *   before the delete's);
   * - it reads each file once, so it keeps no rows after their commit (no
   *   file-metadata cache);
   * - each file it read is written and counted, even when its row would not
   *   change (a file still unreadable): the run reports its own failures;
   * - its summary keeps every problem (a service keeps the latest 100).
   */
  oneShot?: boolean;
};

/** Where the orchestrator starts from: every row of the index (the service), or `run --once`'s stamps and the rows of the files it will read or delete. */
export type OrchestratorStart = { stamps: readonly IndexedStamp[]; rows: Iterable<IndexedFileState> };

/** A scan's work (file-change-detector.ts ChangeSet): files to read (`repair`: re-parse them), and indexed paths gone from disk. */
export type ScanWork = { toCheck: readonly FileSnapshot[]; repair: ReadonlySet<string>; vanished: readonly { path: string }[] };

/**
 * SyncOrchestrator: the main-thread owner of the SyncTaskQueue. A fixed
 * number of consumers take tasks (highest priority first), work out each
 * file's SyncOperation through the bulkheads (SyncTaskStep, sync-task-step.ts),
 * and hand the writes to one shared BatchProcessor. It keeps what the index holds per path
 * (updated as batches commit) and the latest write not yet committed per
 * path: a task compares the file with what the index *will* hold, so a fast
 * revert is not mistaken for "unchanged" while the edit's write is still
 * pending (issue #13 row 1). It pairs deletes with creates of the same
 * content into moves, and turns folder scans into queued tasks without
 * flooding the queue, so interactive tasks always find room and go first.
 */
export class SyncOrchestrator {
  readonly queue: SyncTaskQueue;
  /** What the index holds and will hold per path. */
  readonly #view: IndexView;
  /** Everything this orchestrator wrote since it started. */
  readonly summary: SyncSummary = emptySummary();
  readonly #context: SyncSessionContext;
  readonly #options: SyncOrchestratorOptions;
  readonly #clock: Clock;
  readonly #emit: SyncEventListener;
  readonly #batches: BatchProcessor;
  /** Where a batch's outcome is recorded (batch-outcome.ts). */
  readonly #outcomes: BatchOutcomeTarget;
  readonly #fileContext: FileSyncContext;
  /** One task's work: walk, read, re-read, conflicts, into the batch. */
  readonly #step: SyncTaskStep;
  readonly #moves: MovePairing;
  /** Paths to re-parse even if their checksum is unchanged (index format changed). */
  readonly #forced = new Set<string>();
  /** Tasks off the queue: files waiting for a retry, and tasks parked while the circuit breaker keeps the graph folder closed. */
  readonly #deferred: TaskDeferral;
  readonly #wake = new Signal();
  readonly #room = new Signal();
  readonly #idle = new Signal();
  readonly #consumers: Promise<void>[];
  readonly conflicts: ConflictManager;
  #feeders = 0;
  #stopping = false;
  #stopped = false;
  #rescanning = false;
  /** PauseSyncOperations: consumers take no task and held deletes stay held; the queue keeps collecting. */
  #paused = false;

  private constructor(context: SyncSessionContext, known: IndexedFileState[] | OrchestratorStart, options: SyncOrchestratorOptions, conflicts: ConflictManager) {
    this.#context = context;
    this.conflicts = conflicts;
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#emit = context.onEvent ?? (() => {});
    const viewOptions = {
      maxBytes: options.oneShot === true ? 0 : context.config.cache.fileMetadataMaxBytes,
      reads: { rows: (paths?: readonly string[]) => readFileStates(context.pools, paths), withChecksum: (checksum: string) => readFileStates(context.pools, { checksum }) },
    };
    this.#view = Array.isArray(known) ? new IndexView(known, viewOptions) : IndexView.fromStamps(known.stamps, known.rows, viewOptions);
    this.#outcomes = { view: this.#view, summary: this.summary, emit: this.#emit, oneShot: options.oneShot === true };
    this.#deferred = new TaskDeferral(context.config, this.#clock, {
      requeue: (task) => this.#push(task, priorityClass(task.priority)),
      force: (path) => this.#forced.add(path),
      reachableAgain: () => this.markDirty(""),
      emit: this.#emit,
    });
    this.queue = new SyncTaskQueue({ maxSize: options.maxQueued });
    this.queue.on("drain", () => this.#rescanDirtySoon());
    const { config, pools } = context;
    this.#moves = new MovePairing({
      clock: this.#clock,
      graphRoot: config.graph,
      view: this.#view,
      pairWindowMs: options.pairWindowMs,
      maxPairWaitMs: options.maxPairWaitMs,
      paused: () => this.#paused,
      busy: () => this.#step.reading > 0 || this.queue.size > 0 || (options.upstreamBusy?.() ?? false),
      // A delete goes at the window's end even during a catch-up, as an edit does (`urgent`).
      writeDelete: (path) => this.#add({ op: "delete", path }, { urgent: true }),
      changed: () => this.#idle.notify(),
    });
    this.#fileContext = {
      graphRoot: config.graph,
      maxFileSizeBytes: config.maxFileSizeBytes,
      pools,
      claimMove: (checksum) => this.#moves.claimMove(checksum, { vanishedOnly: options.oneShot === true }),
      mayMove: () => this.#moves.mayMove,
      blockKeys: new BlockKeyCache(config.cache.blockKeysMaxBytes),
    };
    this.#step = new SyncTaskStep({
      graphRoot: config.graph,
      view: this.#view,
      moves: this.#moves,
      conflicts,
      deferred: this.#deferred,
      forced: this.#forced,
      files: {
        event: this.#fileContext,
        // A catch-up of 3,000 identical files (empty journals) compared each new one with every indexed one of its
        // content, through the index-wide lookup an event's create needs: 26.8 s instead of 0.9.
        scanned: { ...this.#fileContext, claimMove: (checksum) => this.#moves.claimMove(checksum, { vanishedOnly: true }) },
      },
      oneShot: options.oneShot === true,
      stopping: () => this.#stopping,
      requeue: (task) => this.#push(task, priorityClass(task.priority)),
      queued: () => this.queue.size > 0,
      add: (write, addOptions) => this.#add(write, addOptions),
    });
    this.#batches = new BatchProcessor({
      ...config.batch,
      maxInFlight: config.pools.writing.maxQueue,
      write: (batch) => applyBatch(pools.writing, { ...batch, pageNameClash: config.conflicts.pageNameClash.strategy }),
      onCommitted: (writes, result, batchId) => this.#committed(writes, result, batchId),
      // Tasks queued, being read or parsed, or a scan feeding the queue: a catch-up's batches fill to half the
      // limits before they go (an edit's batch goes at once: `urgent`).
      moreComing: () => this.queue.size > 0 || this.queue.inFlightCount > 0 || this.#feeders > 0,
      // `idle` counts the writes of batches being written: it may turn true only now.
      onSettled: () => this.#idle.notify(),
      onFailed: (write, error, recorded, batchId) => recordFailed(this.#outcomes, write, error, recorded, batchId),
    });
    this.#consumers = Array.from({ length: Math.max(1, options.consumers) }, () => this.#consume());
  }

  /** Loads what the index holds (unless `from` says it) and starts the consumers. */
  static async start(context: SyncSessionContext, options: SyncOrchestratorOptions, from?: OrchestratorStart): Promise<SyncOrchestrator> {
    const known = from ?? (await readFileStates(context.pools));
    const conflicts = await ConflictManager.start(context.pools, context.config, context.onEvent ?? (() => {}));
    return new SyncOrchestrator(context, known, options, conflicts);
  }

  /** Queues a settled watcher event at interactive priority (or marks its folder dirty when the queue is full). */
  submit(path: string, kind: SyncEventKind, at: number): void {
    if (this.#stopped) return;
    // Registered now, not when the task runs, so a create of the same content
    // settling right after it (a rename) finds it however the tasks are ordered.
    if (kind === SyncEventKind.delete) this.#moves.register(path);
    // Before the task is queued: under manual the path is held at once, so that task is not applied.
    this.conflicts.changeSettled(path, at);
    this.#push({ path, kind, at, priority: this.#priority(SyncPriority.interactive, path, at) }, SyncPriority.interactive);
  }

  /**
   * Scans a folder (`""` = the whole graph) and queues what differs from the
   * index. `verify` queues every file so its checksum is recomputed; `force`
   * re-parses every file (the index format changed).
   */
  async scan(folder: string, source: SyncPriority, options: { force?: boolean; verify?: boolean } = {}): Promise<{ files: number; queued: number }> {
    // The folder is unreachable: the catch-up scan when the breaker closes covers this one.
    if (this.#deferred.breaker.isOpen) return { files: 0, queued: 0 };
    this.#feeders++;
    try {
      const disk = await this.#deferred.breaker.run(() => scanDirectory(this.#context.config.graph, this.#context.graph, folder));
      const all = options.force === true || options.verify === true;
      const changes = detectChanges(disk, await this.#view.states(), {
        disagrees: contentDisagrees,
        force: all,
        maxFileSizeBytes: this.#context.config.maxFileSizeBytes,
        pageNameClash: this.#context.config.conflicts.pageNameClash.strategy,
        ...(folder === "" ? {} : { under: folder }),
      });
      // Verification looks at what the database holds, not at what this process
      // believes it wrote: a files row whose content rows disagree is re-parsed.
      if (options.verify) {
        for (const state of await readFileStates(this.#context.pools)) {
          if (contentDisagrees(state) && !this.#view.isPending(state.path) && disk.files.has(state.path)) this.#forced.add(state.path);
        }
      }
      await this.#queueWork(changes, source, options.force === true);
      return { files: disk.files.size, queued: changes.toCheck.length + changes.vanished.length };
    } finally {
      this.#feeders--;
      this.#idle.notify();
    }
  }

  /** A scan whose folder walk and change detection the caller did (`run --once`, from its stamps): queued as `scan` queues. */
  async queueScanned(work: ScanWork, source: SyncPriority, options: { force?: boolean } = {}): Promise<void> {
    this.#feeders++;
    try {
      await this.#queueWork(work, source, options.force === true);
    } finally {
      this.#feeders--;
      this.#idle.notify();
    }
  }

  async #queueWork(work: ScanWork, source: SyncPriority, force: boolean): Promise<void> {
    for (const path of work.repair) this.#forced.add(path);
    // Vanished files first, so creates queued below can claim their content as moves.
    for (const v of work.vanished) this.#moves.register(v.path, "checksum" in v ? (v as IndexedFileState) : undefined);
    const at = this.#clock.now();
    const todayJournal = this.#todayJournal();
    for (const s of work.toCheck) {
      if (this.#stopping) break;
      if (force) this.#forced.add(s.path);
      const kind = this.#view.willHold(s.path) ? SyncEventKind.update : SyncEventKind.create;
      await this.#feed({ path: s.path, kind, at, priority: syncPriority(source, { path: s.path, at }, { todayJournal }) }, source);
    }
    for (const v of work.vanished) {
      if (this.#stopping) break;
      await this.#feed({ path: v.path, kind: SyncEventKind.delete, at, priority: syncPriority(source, { path: v.path, at }, { todayJournal }) }, source);
    }
  }

  /**
   * ResolveSyncConflict in the service: records the decision, and with
   * `filesystem` syncs the conflict's paths again now (re-parsing them, as a
   * corrupt row's size and mtime match the file's).
   */
  async resolveConflict(id: number, strategy: ResolutionStrategy): Promise<SyncConflict> {
    const conflict = await this.conflicts.resolve(id, strategy);
    if (strategy === "filesystem") for (const path of conflict.paths) this.#syncAgain(path);
    return conflict;
  }

  /** Marks a folder for a catch-up rescan (e.g. events were lost); it runs once the queue drains. */
  markDirty(folder: string): void {
    this.queue.markDirtyPrefix(folder);
    if (this.queue.size === 0) this.#rescanDirtySoon();
  }

  /**
   * True when nothing is queued, in flight, held, being scanned or due for a
   * rescan (a dirty folder: its rescan starts once the queue drains), and
   * every write is committed.
   */
  get idle(): boolean {
    return this.#nothingToRead && this.#batches.pending === 0;
  }

  /** Nothing queued, in flight, held, being scanned, due for a rescan or retrying: no write is on its way to the batches. */
  get #nothingToRead(): boolean {
    return this.queue.size === 0 && this.queue.inFlightCount === 0 && this.#moves.held === 0 && this.#feeders === 0 &&
      !this.#rescanning && this.queue.dirtyPrefixes().length === 0 && this.#deferred.retrying === 0;
  }

  /** Resolves once the live edits being written are committed, at most `maxWaitMs` later (BatchProcessor.liveWritten). */
  liveWritten = (maxWaitMs: number): Promise<void> => this.#batches.liveWritten(maxWaitMs);

  /** Resolves once the orchestrator is idle and every write so far is committed. */
  async whenIdle(): Promise<void> {
    for (;;) {
      // Once no write is on its way, the batch being filled goes now: it waited for its window (`batch.windowMs`,
      // up to a minute) with nothing more to come, and `run --once` with it.
      if (this.#nothingToRead) {
        await this.#batches.flush();
        if (this.idle) return;
      }
      await this.#idle.wait();
    }
  }

  /** What the index holds per path, as of the last committed batch: paths and sizes, and rows through its cache. */
  get known(): IndexView {
    return this.#view;
  }

  /** Why the index could not be written (a full disk), once a batch found it so. */
  get unwritable(): Error | undefined {
    return this.#batches.unwritable;
  }

  /** The file-system circuit breaker's state, for `status`. */
  get breakerState(): BreakerState {
    return this.#deferred.breakerState;
  }

  get stats(): Record<string, number> {
    return {
      queued: this.queue.size,
      inFlight: this.queue.inFlightCount,
      heldDeletes: this.#moves.held,
      dirtyFolders: this.queue.dirtyPrefixes().length,
      scans: this.#feeders,
      retrying: this.#deferred.retrying,
      parked: this.#deferred.parked,
      known: this.#view.size,
    };
  }

  /** The parse side's cache of large files' block keys (block-key-cache.ts), for `status`. */
  get blockKeyCacheStats(): CacheStats | undefined {
    return this.#fileContext.blockKeys?.stats();
  }

  /** What is not done yet, by kind, from the queue's and the batch's counters (for the status read model). */
  pendingOperations(): Omit<PendingOperations, "settling"> {
    return {
      ...this.queue.countByKind(),
      inFlight: this.queue.inFlightCount,
      heldDeletes: this.#moves.held,
      dirtyFolders: this.queue.dirtyPrefixes().length,
      scans: this.#feeders + (this.#rescanning && this.#feeders === 0 ? 1 : 0),
      batched: this.#batches.pending,
    };
  }

  get paused(): boolean {
    return this.#paused;
  }

  /**
   * PauseSyncOperations: stop taking tasks, let the ones in flight finish and
   * commit, then resolve. From then on nothing is written until `resume`:
   * new changes still queue (coalesced per path, and bounded: past maxQueued
   * their folders are marked dirty, as in any event storm) and deletes stay
   * held.
   */
  async pause(): Promise<void> {
    this.#paused = true;
    while (this.queue.inFlightCount > 0) await this.#idle.wait();
    await this.#batches.flush();
  }

  /** ResumeSyncOperations: the consumers apply everything collected while paused. */
  resume(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#wake.notify();
    // Folders marked dirty while paused are rescanned once the queue drains; with nothing queued, now.
    if (this.queue.size === 0) this.#rescanDirtySoon();
  }

  /** Stops taking new scan work, finishes every queued task, writes held deletes and commits every batch. */
  async close(): Promise<void> {
    // Stopping applies what a pause collected: nothing is lost.
    this.#paused = false;
    this.#wake.notify();
    this.#stopping = true;
    this.#deferred.close();
    this.#room.notify();
    while (this.queue.size > 0 || this.queue.inFlightCount > 0 || this.#feeders > 0) await this.#idle.wait();
    this.#stopped = true;
    this.#wake.notify();
    await Promise.all(this.#consumers);
    this.#moves.releaseAll();
    await this.#batches.flush();
  }

  async #consume(): Promise<void> {
    for (;;) {
      if (this.#paused) {
        await this.#wake.wait();
        continue;
      }
      const task = this.queue.take();
      if (task === undefined) {
        if (this.#stopped) return;
        await this.#wake.wait();
        continue;
      }
      this.#room.notify();
      try {
        await this.#step.run(task);
      } catch (error) {
        this.summary.failed++;
        this.#emit({ type: "FileSyncFailed", path: task.path, status: "failed", reason: (error as Error).message ?? String(error) });
      } finally {
        this.queue.done(task.path);
        this.conflicts.syncEnded(task.path);
        this.#idle.notify();
      }
    }
  }

  /** Into the index view as pending, and into the batch being filled. */
  async #add(write: FileWrite, options: { now?: boolean; urgent?: boolean } = {}): Promise<void> {
    this.#view.pend(write);
    await this.#batches.add(write, options);
  }

  /** Interactive tasks go straight in; scan tasks wait so the queue keeps room (and order) for edits. */
  async #feed(task: SyncTask, source: SyncPriority): Promise<void> {
    if (source !== SyncPriority.interactive) {
      const window = Math.max(4, this.#options.consumers * 2);
      while (this.queue.size >= window && !this.#stopping) await this.#room.wait();
      if (this.#stopping) return;
    }
    this.#push(task, source);
  }

  #push(task: SyncTask, _source: SyncPriority): void {
    if (!this.queue.pushOrMarkDirty(task) && this.queue.size === 0) this.#rescanDirtySoon();
    // One task: one consumer. Any consumer not waiting takes a task before it would wait.
    this.#wake.notifyOne();
  }

  #priority(source: SyncPriority, path: string, at: number): number {
    return syncPriority(source, { path, at }, { todayJournal: this.#todayJournal() });
  }

  #todayJournal(): string {
    return todayJournalStem(this.#context.graph.journalsDirectory, new Date());
  }

  #rescanDirtySoon(): void {
    if (this.#rescanning || this.#stopping || this.queue.dirtyPrefixes().length === 0) return;
    this.#rescanning = true;
    this.#clock.setTimeout(async () => {
      try {
        for (const folder of this.queue.takeDirtyPrefixes()) await this.scan(folder, SyncPriority.catchUp);
      } catch (error) {
        this.#emit({ type: "FileSyncFailed", path: "", status: "failed", reason: `rescan failed: ${(error as Error).message}` });
      } finally {
        this.#rescanning = false;
        // Folders marked dirty during this rescan: their queue drain may have come and gone (nothing was queued).
        if (this.queue.size === 0) this.#rescanDirtySoon();
        this.#idle.notify();
      }
    }, 0);
  }

  #committed(writes: FileWrite[], result: BatchResult, batchId: SyncBatchId): void {
    recordCommitted(this.#outcomes, writes, result, batchId);
    // Held page-name claims whose name lost its owner: synced again now, to claim it.
    for (const path of this.conflicts.clashesCommitted(result)) this.#syncAgain(path);
    this.#idle.notify();
  }

  /** Re-parses a path now, whatever its size and mtime say. */
  #syncAgain(path: string): void {
    this.#forced.add(path);
    this.submit(path, SyncEventKind.update, this.#clock.now());
  }
}
