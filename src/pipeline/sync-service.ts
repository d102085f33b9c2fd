import process from "node:process";
import type { ControlApi, PauseResult } from "../control/control-api.ts";
import type { IndexStatus } from "../index/status.ts";
import { ControlServer } from "../control/control-server.ts";
import { isUnwritable } from "./batch-processor.ts";
import { controlSocketPath, prepareSocketFolder } from "../control/control-socket-path.ts";
import { type Clock, systemClock } from "./clock.ts";
import { EventRouter } from "./event-router.ts";
import { FileSystemWatcher } from "./file-system-watcher.ts";
import { type ServiceLog, type ServiceObserver, stderrLog } from "./service-hooks.ts";
import { SyncPriority } from "./sync-priority-calculator.ts";
import { startBulkLoad, startIndexFormat, type SyncSessionContext } from "./sync-session.ts";
import { SyncOrchestrator } from "./sync-orchestrator.ts";
import { prefixCovers } from "./sync-task-queue.ts";
import { SyncEventBus } from "./sync-event-bus.ts";
import { indexCountsReader, SyncStatusModel, bulkheadLoad } from "./sync-status-model.ts";
import { poolAccess, verifyAndRepair, verifyIndex } from "../index/verify.ts";

/** Paths queued before folders get marked dirty instead: bounds memory under an event storm (e.g. a git checkout). */
const MAX_QUEUED = 10_000;
/** Paths held by the debouncer before events mark their folder dirty instead. */
const MAX_DEBOUNCED = 10_000;
/** Longest a search waits for a live edit being written, to answer with it (BatchProcessor.liveWritten). */
const LIVE_EDIT_WAIT_MS = 250;
/** A batch of watcher events naming more files than this is not read ahead (a bulk change: its batches come soon enough). */
const PREFETCH_MAX_PATHS = 4;
/** Nor is a file larger than this (a large page has its diff cache entry, or its read would take longer than a debounce). */
const PREFETCH_MAX_BYTES = 256 * 1024;

type ServiceState = "starting" | "catchingUp" | "watching" | "stopping";

/**
 * The long-running service (`sync-pipeline run` without `--once`).
 *
 * Startup: subscribe to the watcher first, then catch up with a size+mtime
 * scan of the whole graph whose files go through the same queue at catch-up
 * priority, so events seen meanwhile are not lost (the queue deduplicates
 * them) and a user's edit is taken before the remaining catch-up files. We
 * chose this over `writeSnapshot`/`getEventsSince`: the scan is as cheap for
 * a graph of this size, and the snapshot diff compares mtimes only anyway.
 *
 * Strategies: `realtime` = events (plus the scans that close the watcher's
 * gaps); `batch` = a periodic size+mtime scan, no watcher; `hybrid` = events,
 * the periodic scan and a periodic checksum verification of every file.
 *
 * SIGINT/SIGTERM: stop the watcher, flush the debouncer, finish queued and
 * in-flight work, commit every batch, close the control socket, exit 0.
 */
export async function runService(context: SyncSessionContext, options: { clock?: Clock; bus?: SyncEventBus; log?: ServiceLog; observer?: ServiceObserver } = {}): Promise<number> {
  // Everything the orchestrator publishes goes through one bus: the caller's listener, the read model and `events` streams subscribe.
  const bus = options.bus ?? new SyncEventBus();
  if (options.bus === undefined && context.onEvent !== undefined) bus.subscribe(context.onEvent);
  context = { ...context, onEvent: bus.publish };
  const { config, graph, pools } = context;
  const clock = options.clock ?? systemClock;
  const log = options.log ?? stderrLog;
  const observer = options.observer;
  let state: ServiceState = "starting";
  const started = performance.now();
  const d = config.debounce;
  let router: EventRouter | undefined;
  const orchestrator = await SyncOrchestrator.start(context, {
    clock,
    consumers: 4 * (config.pools.hashing.threads + config.pools.parsing.threads) + 4,
    maxQueued: MAX_QUEUED,
    pairWindowMs: Math.max(d.markdownMs, d.orgMs) + 100,
    maxPairWaitMs: Math.max(d.maxWaitMs, 1000),
    upstreamBusy: () => (router?.pending ?? 0) > 0,
  });

  /** Index-counts reads of `status` on the writer right now (0 or 1). */
  let countsReading = 0;
  const model = new SyncStatusModel({
    phase: () => (state === "watching" ? "caughtUp" : state),
    paused: () => orchestrator.paused,
    pending: () => ({ ...orchestrator.pendingOperations(), settling: router?.pending ?? 0 }),
    bulkheads: () => ({
      hashing: bulkheadLoad(pools.hashing.pending, config.pools.hashing.threads),
      parsing: bulkheadLoad(pools.parsing.pending, config.pools.parsing.threads),
      // One thread that applies one batch at a time. Searches and other reads run beside it and count
      // here too, except status's own index-counts read: an idle service must not show itself busy.
      writing: bulkheadLoad(pools.writing.pending - countsReading, 1),
    }),
  });
  bus.subscribe(model.apply);
  const indexCounts = indexCountsReader(async () => {
    countsReading++;
    try {
      return await pools.writing.run<IndexStatus>(undefined, { name: "status" });
    } finally {
      countsReading--;
    }
  });
  await indexCounts(); // the first counts, read while the writer is idle: later answers never wait for them
  // Someone waits for these answers: the parse and hash threads step aside meanwhile (foreground-gate.ts).
  const foreground = <T>(name: string, query: unknown): Promise<T> => pools.foreground.hold(() => pools.writing.run<T>(query, { name }));
  const pauseResult = (): PauseResult => ({ paused: orchestrator.paused, pending: model.snapshot().pending });
  const api: ControlApi = {
    search: (query) => orchestrator.liveWritten(LIVE_EDIT_WAIT_MS).then(() => foreground("search", query)),
    searchPages: (query) => orchestrator.liveWritten(LIVE_EDIT_WAIT_MS).then(() => foreground("searchPages", query)),
    getPage: (query) => foreground("getPage", query),
    getBlock: (query) => foreground("getBlock", query),
    backlinks: (query) => foreground("backlinks", query),
    tasks: (query) => foreground("tasks", query),
    // GetSyncStatus: the read model, plus index counts that are never waited for behind the writer's queue.
    status: async () => {
      const { status, ageMs } = await indexCounts();
      const service = {
        state, pid: process.pid, strategy: config.strategy, breaker: orchestrator.breakerState, ...orchestrator.stats, synced: orchestrator.summary,
        foreground: pools.foreground.stats(),
      };
      // The writer's figures, with the main thread's caches beside its own.
      const writes = status.writes && { ...status.writes, blockKeyCache: orchestrator.blockKeyCacheStats, fileMetadataCache: orchestrator.known.cacheStats() };
      return { ...status, ...(writes && { writes }), indexCountsAgeMs: ageMs, service, sync: model.snapshot() };
    },
    pause: async () => {
      if (state === "stopping") throw new Error("the service is stopping");
      await orchestrator.pause();
      return pauseResult();
    },
    resume: async () => {
      orchestrator.resume();
      return pauseResult();
    },
    events: (_params, listener) => bus.subscribe(listener),
    health: () => observer?.health() ?? Promise.reject(new Error("this service checks no health")),
    // Once the queued work is written; the repair's sync is a verification scan (every file re-read, disagreeing rows re-parsed).
    verify: async ({ repair }) => {
      await orchestrator.whenIdle();
      const access = poolAccess(pools, async () => {
        const { queued } = await orchestrator.scan("", SyncPriority.catchUp, { verify: true });
        await orchestrator.whenIdle();
        return queued;
      });
      return repair ? verifyAndRepair(config, graph, access) : (await verifyIndex(config, graph, access)).report;
    },
    conflicts: (params) => orchestrator.conflicts.list(params),
    resolve: (params) => orchestrator.resolveConflict(params.id, params.strategy),
  };
  const socketPath = controlSocketPath(config.database);
  // Refused (a file in the way, another service): stop what started, leave the path as it is.
  const control = await prepareSocketFolder(socketPath, config.database)
    .then(() => ControlServer.listen(socketPath, api))
    .catch(async (error: unknown) => {
      await orchestrator.close();
      throw error;
    });

  let stop!: (signal: string) => void;
  const stopped = new Promise<string>((resolve) => (stop = resolve));
  const onSignal = (signal: NodeJS.Signals) => stop(signal);
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);

  let watcher: FileSystemWatcher | undefined;
  const timers: unknown[] = [];
  try {
    await observer?.start({
      orchestrator,
      busy: () => !orchestrator.idle || (router?.pending ?? 0) > 0,
      queueBound: MAX_QUEUED,
      caches: async () => {
        const writes = (await indexCounts()).status.writes;
        return { diffState: writes?.diffStateCache, blockKeys: orchestrator.blockKeyCacheStats, hitRows: writes?.hitRowCache, fileMetadata: orchestrator.known.cacheStats() };
      },
    });
    if (config.strategy !== "batch") {
      router = new EventRouter({
        root: config.graph,
        graph,
        debounce: d,
        clock,
        maxPending: MAX_DEBOUNCED,
        knownSize: (path) => orchestrator.known.sizeOf(path),
        hasIndexedUnder: (folder) => [...orchestrator.known.paths()].some((path) => prefixCovers(folder, path) && path !== folder),
        onSettled: (event) => {
          observer?.settled(event.path, event.at);
          orchestrator.submit(event.path, event.kind, event.at);
        },
        scanFolder: (folder) => void orchestrator.scan(folder, SyncPriority.interactive).catch((error) => log.warn(error, `scanning ${folder}`)),
        markDirty: (folder) => orchestrator.markDirty(folder),
        // While a change settles the writer is idle: it reads the page's indexed side of the block diff ahead
        // (IndexWriter.prefetchDiffStates), once per page until a batch writes it. Only for a few indexed pages
        // of an ordinary size at a time: a bulk change's batches come soon enough and read their pages anyway.
        onChanging: (paths) => {
          if (paths.length > PREFETCH_MAX_PATHS) return;
          const pages = paths.filter((path) => (orchestrator.known.sizeOf(path) ?? Infinity) <= PREFETCH_MAX_BYTES);
          if (pages.length > 0) void pools.writing.run(pages, { name: "prefetchDiff" }).catch(() => {});
        },
      });
      const eventRouter = router;
      watcher = await FileSystemWatcher.start({
        root: config.graph,
        graph,
        onEvents: (events) => {
          observer?.fileSystemEvents(events);
          eventRouter.route(events);
        },
        // The watcher may have lost events: rescan everything once the queue drains.
        onError: (error) => {
          log.warn(error, "watcher");
          model.watcherFailed();
          orchestrator.markDirty("");
        },
      });
    }

    const catchUp = (async () => {
      state = "catchingUp";
      const { force, format } = await startIndexFormat(pools, graph, orchestrator.known.size);
      // Every file written whole, as `run --once` does it: unsorted postings until the catch-up's end, and DuckDB
      // keeps to the cores the parse threads leave it (startBulkLoad).
      if (force || orchestrator.known.size === 0) await startBulkLoad(pools, config);
      observer?.scan("started");
      const scanned = await orchestrator.scan("", SyncPriority.catchUp, { force });
      // The start-up catch-up is a sync like `run --once`'s: subscribers (log, metrics, `events`) see it begin and end.
      bus.publish({ type: "SyncStarted", files: scanned.files, unchanged: scanned.files - scanned.queued, at: Date.now() });
      await orchestrator.whenIdle();
      observer?.scan("ended");
      if ((state as ServiceState) === "stopping") return;
      bus.publish({
        type: "SyncCompleted",
        summary: { ...orchestrator.summary, files: scanned.files, unchanged: scanned.files - scanned.queued, durationMs: Math.round(performance.now() - started) },
      });
      if (force) await pools.writing.run({ index_format: format }, { name: "setState" });
      await recordSync();
      await pools.writing.run(undefined, { name: "clusterPostings" });
      // The search model is loaded before the service reports it is watching, not at the first search: that
      // search ranks in memory, and the first edits refresh the model instead of sharing both cores with its
      // load (search-model-cache.ts). Edits made meanwhile are applied; the load pauses for them.
      // Asked first, so its snapshot is taken before the checkpoint, and read beside it (a read transaction
      // does not hold a checkpoint up): 20,000 files, 0.6 s of checkpoint then 1.0 s of load became 1.25 s.
      const warm = pools.writing.run(undefined, { name: "warmSearch" });
      // The catch-up's WAL into the file now, or the first edit's commit would do it (IndexWriter.checkpoint).
      await Promise.all([warm, pools.writing.run(undefined, { name: "checkpoint" })]);
      // Every thread an edit needs running before the service says it is watching (Bulkhead.start).
      pools.hashing.start();
      pools.parsing.start();
      state = "watching";
      // The catch-up's repeated warnings as one summary each, before the line that says it is done.
      log.flush();
      const seconds = ((performance.now() - started) / 1000).toFixed(2);
      process.stdout.write(
        config.strategy === "batch"
          ? `Caught up: ${scanned.files} files in ${seconds} s; scanning ${config.graph} every ${config.verify.scanIntervalMs / 1000} s. Stop with Ctrl-C.\n`
          : `Caught up: ${scanned.files} files in ${seconds} s; watching ${config.graph} (${config.strategy}). Stop with Ctrl-C.\n`,
      );
      if (config.strategy !== "realtime") {
        every(config.verify.scanIntervalMs, () => orchestrator.scan("", SyncPriority.catchUp));
      }
      if (config.strategy === "hybrid") {
        every(config.verify.checksumIntervalMs, () => orchestrator.scan("", SyncPriority.verify, { verify: true }));
      }
    })();
    catchUp.catch((error) => {
      log.warn(error, "catch-up");
      stop("error");
    });

    const signal = await stopped;
    state = "stopping";
    if (signal !== "error") process.stderr.write(`${signal}: finishing in-flight work...\n`);
    for (const timer of timers) clock.clearTimeout(timer);
    await watcher?.close();
    watcher = undefined;
    router?.flush();
    await orchestrator.close();
    router?.close();
    await catchUp.catch(() => {});
    // A database that cannot be written (a full disk) was reported once already and keeps its last committed
    // batch: stopping then is no failure, and the raw error of this last write would be a second report.
    await recordSync().catch((error: Error) => {
      if (!isUnwritable(error)) throw error;
    });
    log.flush();
    return signal === "error" ? 3 : 0;
  } finally {
    for (const timer of timers) clock.clearTimeout(timer);
    await watcher?.close().catch(() => {});
    await observer?.close();
    await control.close();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }

  /** Runs `task` every `ms` after the previous run finished (a slow scan never overlaps itself). */
  function every(ms: number, task: () => Promise<unknown>): void {
    const schedule = () => {
      timers.push(clock.setTimeout(() => {
        if (state !== "watching") return;
        observer?.scan("started");
        void task().then(() => orchestrator.whenIdle()).then(recordSync).catch((error) => log.warn(error, "periodic scan")).finally(() => {
          observer?.scan("ended");
          schedule();
        });
      }, ms));
    };
    schedule();
  }

  async function recordSync(): Promise<void> {
    const { problems, ...summary } = orchestrator.summary;
    const state = {
      last_sync_at: new Date().toISOString(),
      last_sync_summary: JSON.stringify({ ...summary, problems: problems.length }),
    };
    await pools.writing.run(state, { name: "setState" });
  }
}
