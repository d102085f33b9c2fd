import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { Bulkhead } from "../bulkheads/bulkhead.ts";
import type { SyncDomainEvent } from "../pipeline/sync-domain-event.ts";
import type { SyncEventKind } from "../pipeline/sync-event.ts";
import type { CacheFigures } from "../pipeline/service-hooks.ts";
import { registerCacheMetrics } from "./cache-metrics.ts";

/** The design's operations, as the index sees them: a path new to the index is a create. */
export type SyncOperation = "create" | "update" | "delete" | "rename";
const OPERATIONS: readonly SyncOperation[] = ["create", "update", "delete", "rename"];

/** What the metrics read from the running service on each scrape. */
export type MetricsSource = {
  bulkheads: readonly Bulkhead[];
  /** The SyncTaskQueue's counts (SyncOrchestrator.stats). */
  queue: () => { queued?: number; inFlight?: number };
  /** Whether the index holds a path (a failed sync of it counts as an update, else as a create). */
  isIndexed: (path: string) => boolean;
  /** The design's caches, as `status` shows them. */
  caches?: () => Promise<CacheFigures>;
};

/** A seen-but-not-committed change older than this no longer waits for its commit (e.g. it changed nothing). */
const SEEN_TTL_MS = 5 * 60_000;
const LATENCY_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/**
 * SyncMetrics: the service's Prometheus metrics, in a registry of its own
 * (prom-client's global one would mix with an embedding program's). A plain
 * domain-event subscriber (`onEvent`) plus hooks the service calls as the
 * watcher reports and scans run. Counters count committed files; rates are
 * sampled every `intervalMs`.
 */
export class SyncMetrics {
  readonly registry = new Registry();
  readonly onEvent: (event: SyncDomainEvent) => void;
  readonly #now: () => number;
  /** When each path's pending change was first seen: a watcher event's time, or its scan's start. */
  readonly #seen = new Map<string, number>();
  #scanStartedAt: number | undefined;
  #source: MetricsSource | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;

  readonly #latency: Histogram<"operation" | "source">;
  readonly #operations: Counter<"operation">;
  readonly #errors: Counter<"operation" | "status">;
  readonly #conflicts: Counter;
  readonly #fsEvents: Counter<"kind">;
  readonly #fsEventRate: Gauge;
  readonly #bulkheadRate: Gauge<"bulkhead">;
  /** Last sampled totals, for the rates. */
  #sampled = { at: 0, fsEvents: 0, tasks: new Map<string, number>() };
  #fsEventCount = 0;

  /**
   * `processMetrics`: Node's process metrics too (prom-client's defaults:
   * memory, CPU, GC, event-loop lag), for a service that serves its metrics.
   * Their event-loop lag samples the loop every 10 ms: an idle service
   * without a metrics port woke its main thread 100 times a second for
   * series nobody could read (about 1% of a core here, for weeks).
   */
  constructor(options: { intervalMs: number; processMetrics: boolean; now?: () => number }) {
    this.#now = options.now ?? Date.now;
    const registers = [this.registry];
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry, prefix: "sync_pipeline_" });
    this.#latency = new Histogram({
      name: "sync_pipeline_sync_latency_seconds",
      help: "From a change being seen (watcher event, or the start of the scan that found it) to its commit in the index.",
      labelNames: ["operation", "source"],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.#operations = new Counter({ name: "sync_pipeline_operations_total", help: "Files committed to the index, by operation.", labelNames: ["operation"], registers });
    this.#errors = new Counter({ name: "sync_pipeline_errors_total", help: "Files that failed or were skipped, by operation.", labelNames: ["operation", "status"], registers });
    this.#conflicts = new Counter({ name: "sync_pipeline_conflicts_total", help: "Page names found defined by more than one file.", registers });
    this.#fsEvents = new Counter({ name: "sync_pipeline_fs_events_total", help: "File-system events the watcher reported for graph files, by kind.", labelNames: ["kind"], registers });
    this.#fsEventRate = new Gauge({ name: "sync_pipeline_fs_events_per_second", help: "File-system events per second over the last metrics interval.", registers });
    this.#bulkheadRate = new Gauge({ name: "sync_pipeline_bulkhead_tasks_per_second", help: "Tasks each bulkhead finished per second over the last metrics interval.", labelNames: ["bulkhead"], registers });
    const source = () => this.#source;
    new Gauge({
      name: "sync_pipeline_bulkhead_pending",
      help: "Tasks running or waiting in each bulkhead (worker pool).",
      labelNames: ["bulkhead"],
      registers,
      collect() {
        for (const b of source()?.bulkheads ?? []) this.set({ bulkhead: b.name }, b.stats.pending);
      },
    });
    new Gauge({
      name: "sync_pipeline_bulkhead_threads",
      help: "Worker threads each bulkhead (worker pool) has running.",
      labelNames: ["bulkhead"],
      registers,
      collect() {
        for (const b of source()?.bulkheads ?? []) this.set({ bulkhead: b.name }, b.stats.threads);
      },
    });
    // The bulkheads count their own tasks; each scrape adds what they finished since the last one.
    const counted = new Map<string, number>();
    new Counter({
      name: "sync_pipeline_bulkhead_tasks_total",
      help: "Tasks each bulkhead (worker pool) has finished, by result.",
      labelNames: ["bulkhead", "result"],
      registers,
      collect() {
        for (const b of source()?.bulkheads ?? []) {
          for (const result of ["completed", "failed"] as const) {
            const key = `${b.name}/${result}`;
            const total = b.stats[result];
            this.inc({ bulkhead: b.name, result }, total - (counted.get(key) ?? 0));
            counted.set(key, total);
          }
        }
      },
    });
    new Gauge({
      name: "sync_pipeline_queue_depth",
      help: "SyncTaskQueue: paths waiting (state=queued) and being synced (state=in_flight).",
      labelNames: ["state"],
      registers,
      collect() {
        const queue = source()?.queue() ?? {};
        this.set({ state: "queued" }, queue.queued ?? 0);
        this.set({ state: "in_flight" }, queue.inFlight ?? 0);
      },
    });
    registerCacheMetrics(this.registry, () => source()?.caches);
    // Every series exists from the start at 0: rate() and increase() then see the first change.
    for (const operation of OPERATIONS) {
      this.#operations.inc({ operation }, 0);
      for (const source of ["event", "scan"]) this.#latency.zero({ operation, source });
      for (const status of ["failed", "skipped"]) this.#errors.inc({ operation, status }, 0);
    }
    for (const kind of ["create", "update", "delete"]) this.#fsEvents.inc({ kind }, 0);
    this.onEvent = (event) => this.#record(event);
    this.#timer = setInterval(() => this.#sample(), options.intervalMs);
    this.#timer.unref?.();
  }

  /** Starts reading the running service. */
  attach(source: MetricsSource): void {
    this.#source = source;
    this.#sample();
  }

  /** The watcher's raw events for graph files. */
  fileSystemEvents(events: readonly { kind: SyncEventKind }[]): void {
    for (const event of events) this.#fsEvents.inc({ kind: event.kind });
    this.#fsEventCount += events.length;
  }

  /** A path's events settled (debounced) into a sync task; `at` is when the first was seen. */
  settled(path: string, at: number): void {
    if (!this.#seen.has(path)) this.#seen.set(path, at);
  }

  /** A scan of the graph starts (catch-up, periodic) or is done: files it queues count from its start. */
  scan(phase: "started" | "ended"): void {
    this.#scanStartedAt = phase === "started" ? this.#now() : undefined;
  }

  close(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  #record(event: SyncDomainEvent): void {
    switch (event.type) {
      case "FileIndexed":
        this.#committed(event.path, event.change ?? "update");
        return;
      case "FileChanged":
        if (event.change === "delete") {
          this.#committed(event.path, "delete");
        } else if (event.change === "rename") {
          this.#committed(event.path, "rename");
          if (event.from !== undefined) this.#seen.delete(event.from);
        }
        return;
      case "FileSyncFailed":
        this.#seen.delete(event.path);
        this.#errors.inc({ operation: this.#source?.isIndexed(event.path) === true ? "update" : "create", status: event.status });
        return;
      case "ConflictDetected":
        this.#conflicts.inc();
        return;
      case "SyncStarted":
        this.#scanStartedAt = event.at;
        return;
      case "SyncCompleted":
        this.#scanStartedAt = undefined;
        return;
    }
  }

  #committed(path: string, operation: SyncOperation): void {
    this.#operations.inc({ operation });
    const seen = this.#seen.get(path);
    this.#seen.delete(path);
    const from = seen ?? this.#scanStartedAt;
    // A change found by an internal rescan (neither an event nor a scan we timed) has no start to measure from.
    if (from !== undefined) this.#latency.observe({ operation, source: seen !== undefined ? "event" : "scan" }, Math.max(0, this.#now() - from) / 1000);
  }

  #sample(): void {
    const now = this.#now();
    const seconds = (now - this.#sampled.at) / 1000;
    const tasks = new Map<string, number>();
    for (const b of this.#source?.bulkheads ?? []) tasks.set(b.name, b.stats.completed + b.stats.failed);
    if (this.#sampled.at > 0 && seconds > 0) {
      this.#fsEventRate.set((this.#fsEventCount - this.#sampled.fsEvents) / seconds);
      for (const [name, total] of tasks) this.#bulkheadRate.set({ bulkhead: name }, (total - (this.#sampled.tasks.get(name) ?? total)) / seconds);
    }
    this.#sampled = { at: now, fsEvents: this.#fsEventCount, tasks };
    for (const [path, at] of this.#seen) if (now - at > SEEN_TTL_MS) this.#seen.delete(path);
  }
}
