import process from "node:process";
import type { ControlApi, ControlResult } from "../control/control-api.ts";
import { ControlServer } from "../control/control-server.ts";
import { controlSocketPath, prepareSocketFolder } from "../control/control-socket-path.ts";
import { type Clock, systemClock } from "./clock.ts";
import { EventRouter } from "./event-router.ts";
import { FileSystemWatcher } from "./file-system-watcher.ts";
import { SyncPriority } from "./sync-priority-calculator.ts";
import { startIndexFormat, type SyncSessionContext } from "./sync-session.ts";
import { SyncOrchestrator } from "./sync-orchestrator.ts";
import { prefixCovers } from "./sync-task-queue.ts";

/** Paths queued before folders get marked dirty instead: bounds memory under an event storm (e.g. a git checkout). */
const MAX_QUEUED = 10_000;
/** Paths held by the debouncer before events mark their folder dirty instead. */
const MAX_DEBOUNCED = 10_000;

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
export async function runService(context: SyncSessionContext, options: { clock?: Clock } = {}): Promise<number> {
  const { config, graph, pools } = context;
  const clock = options.clock ?? systemClock;
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

  const api: ControlApi = {
    search: (query) => pools.writing.run(query, { name: "search" }),
    status: async () => {
      const status = await pools.writing.run<ControlResult<"status">>(undefined, { name: "status" });
      return { ...status, service: { state, pid: process.pid, strategy: config.strategy, ...orchestrator.stats, synced: orchestrator.summary } };
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
    if (config.strategy !== "batch") {
      router = new EventRouter({
        root: config.graph,
        graph,
        debounce: d,
        clock,
        maxPending: MAX_DEBOUNCED,
        knownSize: (path) => orchestrator.known.get(path)?.size,
        hasIndexedUnder: (folder) => [...orchestrator.known.keys()].some((path) => prefixCovers(folder, path) && path !== folder),
        onSettled: (event) => orchestrator.submit(event.path, event.kind, event.at),
        scanFolder: (folder) => void orchestrator.scan(folder, SyncPriority.interactive).catch(warn),
        markDirty: (folder) => orchestrator.markDirty(folder),
      });
      const eventRouter = router;
      watcher = await FileSystemWatcher.start({
        root: config.graph,
        graph,
        onEvents: (events) => eventRouter.route(events),
        // The watcher may have lost events: rescan everything once the queue drains.
        onError: (error) => {
          warn(error);
          orchestrator.markDirty("");
        },
      });
    }

    const catchUp = (async () => {
      state = "catchingUp";
      const { force, format } = await startIndexFormat(pools, graph, orchestrator.known.size);
      const scanned = await orchestrator.scan("", SyncPriority.catchUp, { force });
      await orchestrator.whenIdle();
      if ((state as ServiceState) === "stopping") return;
      if (force) await pools.writing.run({ index_format: format }, { name: "setState" });
      await recordSync();
      state = "watching";
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
      warn(error);
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
    await recordSync();
    return signal === "error" ? 3 : 0;
  } finally {
    for (const timer of timers) clock.clearTimeout(timer);
    await watcher?.close().catch(() => {});
    await control.close();
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }

  /** Runs `task` every `ms` after the previous run finished (a slow scan never overlaps itself). */
  function every(ms: number, task: () => Promise<unknown>): void {
    const schedule = () => {
      timers.push(clock.setTimeout(() => {
        if (state !== "watching") return;
        void task().then(() => orchestrator.whenIdle()).then(recordSync).catch(warn).finally(schedule);
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

  function warn(error: unknown): void {
    if (config.logLevel !== "silent") process.stderr.write(`warning: ${error instanceof Error ? error.message : String(error)}\n`);
  }
}
