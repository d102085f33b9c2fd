import assert from "node:assert/strict";
import { test } from "node:test";
import pino from "pino";
import { parseConfig } from "../../src/config/load-config.ts";
import type { Pools } from "../../src/bulkheads/pools.ts";
import { SyncServiceObserver } from "../../src/observe/service-observer.ts";

/**
 * Node's process metrics (prom-client's defaults) come only with a metrics
 * port: their event-loop lag samples the loop every 10 ms, and an idle
 * service without a port woke 100 times a second for series nobody could
 * read (940 event-loop wakeups in 5 s, 0.34 s of CPU in 20 s on 200 files;
 * 63 and 0.01 s without them).
 */
async function seriesOf(metrics: Record<string, unknown>): Promise<string[]> {
  const observer = new SyncServiceObserver(parseConfig({ graph: "graph", database: "index.duckdb", metrics }, "/tmp/config.json"), {} as Pools, pino({ level: "silent" }));
  try {
    return (await observer.metrics.registry.getMetricsAsJSON()).map((metric) => metric.name);
  } finally {
    observer.metrics.close();
  }
}

test("the service's own series are always counted; Node's process metrics (event-loop lag, memory, GC) only when a metrics port serves them", async () => {
  const off = await seriesOf({});
  const on = await seriesOf({ port: 9 });
  const own = ["sync_pipeline_operations_total", "sync_pipeline_sync_latency_seconds", "sync_pipeline_queue_depth"];
  for (const name of own) assert.ok(off.includes(name) && on.includes(name), name);
  assert.ok(on.includes("sync_pipeline_nodejs_eventloop_lag_seconds"));
  assert.ok(on.includes("sync_pipeline_process_resident_memory_bytes"));
  assert.deepEqual(off.filter((name) => /^sync_pipeline_(nodejs|process)_/.test(name)), []);
  assert.deepEqual(on.filter((name) => !off.includes(name)).every((name) => /^sync_pipeline_(nodejs|process)_/.test(name)), true);
});
