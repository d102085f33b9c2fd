import process from "node:process";
import { readFileStates, type Pools } from "../bulkheads/pools.ts";
import type { SyncConfiguration } from "../config/load-config.ts";
import type { WatchEvent } from "../pipeline/file-system-watcher.ts";
import type { SyncDomainEvent } from "../pipeline/sync-domain-event.ts";
import type { RunningService, ServiceObserver } from "../pipeline/service-hooks.ts";
import { checkHealth, type HealthReport, sample } from "./health.ts";
import type { Logger } from "./logger.ts";
import { MetricsServer } from "./metrics-server.ts";
import { SyncMetrics } from "./sync-metrics.ts";

/**
 * What watches the running service from outside: its metrics (always
 * counted, served when `metrics.port` is set), its health (on request and
 * every `health.intervalMs`, a change logged) and the metrics port.
 */
export class SyncServiceObserver implements ServiceObserver {
  readonly metrics: SyncMetrics;
  readonly #config: SyncConfiguration;
  readonly #pools: Pools;
  readonly #logger: Logger;
  #service: RunningService | undefined;
  #server: MetricsServer | undefined;
  #timer: ReturnType<typeof setInterval> | undefined;
  #lastHealthy = true;

  constructor(config: SyncConfiguration, pools: Pools, logger: Logger) {
    this.#config = config;
    this.#pools = pools;
    this.#logger = logger;
    this.metrics = new SyncMetrics({ intervalMs: config.metrics.intervalMs, processMetrics: config.metrics.port !== 0 });
  }

  /** The domain-event subscriber (metrics). */
  readonly onEvent = (event: SyncDomainEvent): void => this.metrics.onEvent(event);
  fileSystemEvents(events: readonly WatchEvent[]): void {
    this.metrics.fileSystemEvents(events);
  }
  settled(path: string, at: number): void {
    this.metrics.settled(path, at);
  }
  scan(phase: "started" | "ended"): void {
    this.metrics.scan(phase);
  }

  async start(service: RunningService): Promise<void> {
    this.#service = service;
    const { hashing, parsing, writing } = this.#pools;
    this.metrics.attach({ bulkheads: [hashing, parsing, writing], queue: () => service.orchestrator.stats, isIndexed: (path) => service.orchestrator.known.has(path), caches: service.caches });
    const { port } = this.#config.metrics;
    if (port !== 0) {
      this.#server = await MetricsServer.listen(port, this.metrics.registry, () => this.health()).catch((error: NodeJS.ErrnoException) => {
        throw new Error(`metrics.port ${port}: cannot listen on 127.0.0.1 (${error.code ?? error.message}); pick another port or set 0 to turn metrics off`, { cause: error });
      });
      this.#logger.info({ event: "MetricsListening", url: `http://127.0.0.1:${this.#server.port}/metrics` }, `metrics: http://127.0.0.1:${this.#server.port}/metrics and /healthz`);
    }
    this.#timer = setInterval(() => void this.#checkPeriodically(), this.#config.health.intervalMs);
    this.#timer.unref?.();
  }

  health(): Promise<HealthReport> {
    const service = this.#service;
    return checkHealth({
      graph: this.#config.graph,
      thresholds: this.#config.health,
      sampleFiles: async (n) => sample(await readFileStates(this.#pools), n),
      ...(service === undefined ? {} : {
        service: {
          busy: service.busy,
          queue: () => ({ depth: service.orchestrator.stats["queued"] ?? 0, bound: service.queueBound }),
          rssBytes: () => process.memoryUsage.rss(),
        },
      }),
    });
  }

  async close(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.metrics.close();
    await this.#server?.close();
  }

  async #checkPeriodically(): Promise<void> {
    const report = await this.health();
    if (report.healthy === this.#lastHealthy) return;
    this.#lastHealthy = report.healthy;
    const failing = report.checks.filter((c) => !c.healthy);
    // warn, not info: whoever saw the unhealthy line sees it end.
    if (report.healthy) this.#logger.warn({ event: "HealthChanged", healthy: true }, "health: healthy again");
    else this.#logger.error({ event: "HealthChanged", healthy: false, checks: failing }, `health: unhealthy: ${failing.map((c) => `${c.name}: ${c.detail}`).join("; ")}`);
  }
}
