import assert from "node:assert/strict";
import { readdir, rename, rm } from "node:fs/promises";
import { type AddressInfo, createServer } from "node:net";
import { join } from "node:path";
import { test } from "node:test";
import { makeSandbox, pollUntil, runCli, ServiceProcess, status, writePage } from "../service/service-harness.ts";
import { freePort, parsePrometheusText, type Sample, valueOf } from "./prometheus-text.ts";
import { defaultParsingThreads } from "../../src/config/load-config.ts";

async function scrape(port: number): Promise<Sample[]> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
  return parsePrometheusText(await response.text());
}

const OPERATIONS = ["create", "update", "delete", "rename"] as const;
const counts = (samples: Sample[]) => ({
  operations: Object.fromEntries(OPERATIONS.map((op) => [op, valueOf(samples, "sync_pipeline_operations_total", { operation: op })])),
  fromEvents: Object.fromEntries(OPERATIONS.map((op) => [op, valueOf(samples, "sync_pipeline_sync_latency_seconds_count", { operation: op, source: "event" })])),
  fromScans: Object.fromEntries(OPERATIONS.map((op) => [op, valueOf(samples, "sync_pipeline_sync_latency_seconds_count", { operation: op, source: "scan" })])),
  errors: samples.filter((s) => s.name === "sync_pipeline_errors_total").reduce((sum, s) => sum + s.value, 0),
  fsEvents: samples.filter((s) => s.name === "sync_pipeline_fs_events_total").reduce((sum, s) => sum + s.value, 0),
});

test("the metrics port serves Prometheus text; a create, an update, a delete and a move move the counters by exactly one each; skipped files by their operation", async (t) => {
  const port = await freePort();
  const sandbox = await makeSandbox({ strategy: "realtime", logLevel: "warn", metrics: { port, intervalMs: 200 } });
  await writePage(sandbox, "pages/ant.md", "- ant\n");
  await writePage(sandbox, "pages/bee.md", "- bee\n");
  const service = new ServiceProcess(sandbox.configPath);
  t.after(async () => {
    service.kill();
    await sandbox.cleanup();
  });
  await service.ready();

  const first = await scrape(port);
  // The catch-up: two new files, timed from the start of its scan.
  assert.deepEqual(counts(first), {
    operations: { create: 2, update: 0, delete: 0, rename: 0 },
    fromEvents: { create: 0, update: 0, delete: 0, rename: 0 },
    fromScans: { create: 2, update: 0, delete: 0, rename: 0 },
    errors: 0,
    fsEvents: 0,
  });
  for (const bulkhead of ["hashing", "parsing", "writing"]) assert.equal(valueOf(first, "sync_pipeline_bulkhead_pending", { bulkhead }), 0);
  // New files with no move possible are read, checksummed and parsed by one parsing task each (file-sync.ts).
  assert.equal(valueOf(first, "sync_pipeline_bulkhead_tasks_total", { bulkhead: "hashing", result: "completed" }), 0);
  assert.equal(valueOf(first, "sync_pipeline_bulkhead_tasks_total", { bulkhead: "parsing", result: "completed" }), 2);
  assert.ok(valueOf(first, "sync_pipeline_bulkhead_tasks_total", { bulkhead: "writing", result: "completed" }) >= 2);
  // The hashing thread ran no task yet, and is running: an edit does not wait for a thread to start (Bulkhead.start).
  assert.deepEqual(["hashing", "parsing", "writing"].map((bulkhead) => valueOf(first, "sync_pipeline_bulkhead_threads", { bulkhead })), [1, defaultParsingThreads(), 1]);
  assert.equal(valueOf(first, "sync_pipeline_queue_depth", { state: "queued" }), 0);
  assert.ok(valueOf(first, "sync_pipeline_process_resident_memory_bytes") > 0);

  await writePage(sandbox, "pages/cat.md", "- cat\n");
  await writePage(sandbox, "pages/ant.md", "- ant, edited\n");
  await rm(join(sandbox.graph, "pages/bee.md"));
  await pollUntil(async () => {
    const { operations } = counts(await scrape(port));
    return operations["create"] === 3 && operations["update"] === 1 && operations["delete"] === 1;
  }, "three changes committed", 30_000);
  await pollUntil(async () => (await status(sandbox)).service?.["queued"] === 0, "queue empty");

  const second = counts(await scrape(port));
  assert.deepEqual({ ...second, fsEvents: undefined }, {
    operations: { create: 3, update: 1, delete: 1, rename: 0 },
    fromEvents: { create: 1, update: 1, delete: 1, rename: 0 },
    fromScans: { create: 2, update: 0, delete: 0, rename: 0 },
    errors: 0,
    fsEvents: undefined,
  });
  // The watcher may report a write as more than one event; each change gave at least one.
  assert.ok(second.fsEvents >= 3, `fs events: ${second.fsEvents}`);

  // A move is one rename, not a delete and a create.
  await rename(join(sandbox.graph, "pages/cat.md"), join(sandbox.graph, "pages/cat-moved.md"));
  await pollUntil(async () => counts(await scrape(port)).operations["rename"] === 1, "the move committed", 30_000);
  await pollUntil(async () => (await status(sandbox)).service?.["queued"] === 0, "queue empty");
  const third = counts(await scrape(port));
  assert.deepEqual([third.operations, third.fromEvents], [
    { create: 3, update: 1, delete: 1, rename: 1 },
    { create: 1, update: 1, delete: 1, rename: 1 },
  ]);

  // Files skipped (binary content) count as errors under the operation the index saw: a path it did not hold is
  // a create, one it held an update.
  await writePage(sandbox, "pages/blob.md", "binary\u0000content");
  await writePage(sandbox, "pages/ant.md", "now\u0000binary");
  await pollUntil(async () => counts(await scrape(port)).errors === 2, "two skipped files", 30_000);
  const skipped = await scrape(port);
  assert.deepEqual(
    Object.fromEntries(OPERATIONS.flatMap((op) => ["failed", "skipped"].map((st) => [`${op}/${st}`, valueOf(skipped, "sync_pipeline_errors_total", { operation: op, status: st })]))),
    {
      "create/failed": 0, "create/skipped": 1, "update/failed": 0, "update/skipped": 1,
      "delete/failed": 0, "delete/skipped": 0, "rename/failed": 0, "rename/skipped": 0,
    },
  );

  const health = await fetch(`http://127.0.0.1:${port}/healthz`);
  assert.equal(health.status, 200);
  assert.equal(((await health.json()) as { healthy: boolean }).healthy, true);
  assert.equal((await fetch(`http://127.0.0.1:${port}/other`)).status, 404);
  assert.equal(await service.stop("SIGTERM"), 0, service.stderr);
  // The port is closed with the service.
  await assert.rejects(fetch(`http://127.0.0.1:${port}/metrics`));
});

test("a metrics port already taken stops the service at start with exit 3, naming the key", async (t) => {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
  const port = (taken.address() as AddressInfo).port;
  const sandbox = await makeSandbox({ strategy: "realtime", logLevel: "warn", metrics: { port } });
  t.after(async () => {
    taken.close();
    await sandbox.cleanup();
  });
  const refused = await runCli(["run", "--config", sandbox.configPath]);
  assert.equal(refused.code, 3, refused.stderr);
  assert.equal(refused.stderr, `sync-pipeline: metrics.port ${port}: cannot listen on 127.0.0.1 (EADDRINUSE); pick another port or set 0 to turn metrics off\n`);
  assert.deepEqual(await readdir(sandbox.dir), ["config.json", "graph", "index.duckdb"], "the control socket is gone");
});
