import process from "node:process";
import type { HealthReport } from "../observe/health.ts";
import type { WatchEvent } from "./file-system-watcher.ts";
import type { SyncOrchestrator } from "./sync-orchestrator.ts";
import type { CacheStats } from "../index/bounded-cache.ts";

/** What the metrics and health checks read of the running service. */
export type RunningService = {
  orchestrator: SyncOrchestrator;
  /** Changes are queued, in flight, held or still settling in the debouncer. */
  busy: () => boolean;
  /** The SyncTaskQueue's bound. */
  queueBound: number;
  /** The design's caches (issue #11), as `status` shows them: the writer's diff states, the parse side's block keys. */
  caches: () => Promise<CacheFigures>;
};

export type CacheFigures = {
  diffState?: CacheStats | undefined;
  blockKeys?: CacheStats | undefined;
  hitRows?: CacheStats | undefined;
  fileMetadata?: CacheStats | undefined;
};

/** Watches the service from outside (metrics, health): told what the watcher and the scans do. */
export type ServiceObserver = {
  fileSystemEvents(events: readonly WatchEvent[]): void;
  /** A path's events settled into a sync task; `at` is when the first was seen. */
  settled(path: string, at: number): void;
  /** A full scan (catch-up, periodic) started or its files are all committed. */
  scan(phase: "started" | "ended"): void;
  /** Opens what it serves (the metrics port) once the service's parts exist. */
  start(service: RunningService): Promise<void>;
  health(): Promise<HealthReport>;
  close(): Promise<void>;
};

/** What the service logs beyond the domain events (the CLI passes its structured log). */
export type ServiceLog = {
  /** A failure the service survives; `context` says what was being done. */
  warn(error: unknown, context: string): void;
  /** Writes warnings held back for a summary. */
  flush(): void;
};

/** Without the CLI's log: one line on stderr, as before structured logs. */
export const stderrLog: ServiceLog = {
  warn: (error) => void process.stderr.write(`warning: ${error instanceof Error ? error.message : String(error)}\n`),
  flush: () => {},
};
