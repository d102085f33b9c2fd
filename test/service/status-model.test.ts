import assert from "node:assert/strict";
import { test } from "node:test";
import { generateGraph } from "../../bench/generate-graph.ts";
import { controlSocketPath } from "../../src/control/control-socket-path.ts";
import type { ServiceStatus } from "../../src/control/control-api.ts";
import type { SyncStatusResponse } from "../../src/pipeline/sync-status-model.ts";
import { RawConnection } from "../control/raw-connection.ts";
import { makeSandbox, pollUntil, runCli, ServiceProcess, status as serviceStatus, writePage } from "./service-harness.ts";

type Status = ServiceStatus & { sync: SyncStatusResponse };

async function status(configPath: string): Promise<Status> {
  return (await serviceStatus({ configPath })) as unknown as Status;
}

async function textStatus(configPath: string): Promise<string> {
  const r = await runCli(["status", "--config", configPath]);
  assert.equal(r.code, 0, `status failed: ${r.stderr}`);
  return r.stdout;
}

const IDLE_PENDING = { create: 0, update: 0, delete: 0, inFlight: 0, settling: 0, heldDeletes: 0, dirtyFolders: 0, scans: 0, batched: 0 };

test("status while catching up a big graph answers from the read model, without waiting for the writer", async (t) => {
  const sandbox = await makeSandbox({ logLevel: "warn" });
  t.after(() => sandbox.cleanup());
  const generated = await generateGraph(sandbox.graph, { files: 3000, seed: 11 });
  const service = new ServiceProcess(sandbox.configPath);
  t.after(() => service.kill());
  const socket = controlSocketPath(sandbox.database);
  // Asked over a raw connection as soon as the socket answers, so the time measured is the service's alone.
  let during: Status | undefined;
  const latencies: number[] = [];
  const ages: number[] = [];
  // Asks all through the catch-up, to measure the answers' times while the writer is busiest.
  await pollUntil(async () => {
    const c = new RawConnection(socket);
    try {
      await c.connected;
    } catch {
      return false;
    }
    try {
      for (let i = 0; i < 5; i++) {
        const asked = performance.now();
        const reply = (await c.ask({ id: i, method: "status" })) as { result: Status };
        if (reply.result.sync.state !== "catchingUp") break;
        latencies.push(performance.now() - asked);
        ages.push(reply.result.indexCountsAgeMs ?? 0);
        if (reply.result.sync.totals.created > 0) during = reply.result;
      }
    } finally {
      c.end();
    }
    return /^Caught up: /m.test(service.stdout);
  }, "a status during the catch-up", 120_000);
  assert.ok(during, `no status answered while catching up (the catch-up ended first): ${service.stdout}`);
  assert.equal(during.sync.state, "catchingUp");
  assert.equal(during.service?.["state"], "catchingUp");
  latencies.sort((a, b) => a - b);
  const stale = ages.filter((age) => age > 0).sort((a, b) => a - b);
  t.diagnostic(`status during catch-up: median ${latencies[latencies.length >> 1]?.toFixed(0)} ms, max ${latencies.at(-1)?.toFixed(0)} ms over ${latencies.length}; ` +
    `${stale.length} answers with older index counts (median age ${stale[stale.length >> 1] ?? 0} ms); ` +
    `last: ${during.files} files counted, ${during.sync.totals.created} created so far, ` +
    `${during.sync.throughput.filesPerSecond} files/s; writing ${JSON.stringify(during.sync.bulkheads.writing)}`);
  await service.ready(180_000);
  await pollUntil(async () => (await status(sandbox.configPath)).sync.state === "idle", "idle after the catch-up", 30_000);
  const after = await status(sandbox.configPath);
  assert.equal(after.sync.totals.created, generated.files);
  assert.deepEqual(after.sync.pending, IDLE_PENDING);
  assert.equal(after.files, generated.files);
  assert.equal(await service.stop(), 0, service.stderr);
});

test("status: idle, watching while an edit settles, idle again; the text form shows every part", async (t) => {
  // A long quiet time, so the edit is seen settling before it is written.
  const sandbox = await makeSandbox({ logLevel: "warn", debounce: { markdownMs: 3000, maxWaitMs: 5000 } });
  t.after(() => sandbox.cleanup());
  await writePage(sandbox, "pages/a.md", "- first\n");
  const service = new ServiceProcess(sandbox.configPath);
  t.after(() => service.kill());
  await service.ready();

  const idle = await status(sandbox.configPath);
  assert.equal(idle.sync.state, "idle");
  assert.deepEqual(idle.sync.pending, IDLE_PENDING);
  assert.deepEqual(idle.sync.totals, { created: 1, updated: 0, deleted: 0, renamed: 0, failed: 0, skipped: 0, conflicts: 0, batches: 1 });
  assert.deepEqual(idle.sync.bulkheads, {
    hashing: { inFlight: 0, queueDepth: 0 }, parsing: { inFlight: 0, queueDepth: 0 }, writing: { inFlight: 0, queueDepth: 0 },
  });
  assert.equal(idle.sync.failedFiles, 0);
  assert.equal(typeof idle.sync.lastSyncAt, "string");

  await writePage(sandbox, "pages/b.md", "- second\n");
  let watching: Status | undefined;
  await pollUntil(async () => (watching = await status(sandbox.configPath)).sync.state !== "idle", "the edit seen", 10_000);
  assert.equal(watching?.sync.state, "watching");
  assert.deepEqual(watching?.sync.pending, { ...IDLE_PENDING, settling: 1 });

  await pollUntil(async () => (await status(sandbox.configPath)).sync.state === "idle", "idle again", 20_000);
  const done = await status(sandbox.configPath);
  assert.equal(done.files, 2);
  assert.equal(done.sync.totals.created, 2);

  const text = await textStatus(sandbox.configPath);
  assert.match(text, /^State: {2}idle — idle \(everything seen is indexed\)$/m);
  assert.match(text, /^Last commit: \d{4}-\d\d-\d\dT/m);
  assert.match(text, /^Pending: 0 create, 0 update, 0 delete queued; 0 in flight, 0 settling, 0 held deletes, 0 folders to rescan, 0 scans, 0 writes batched$/m);
  assert.match(text, /^Bulkheads: hashing 0 running, 0 queued; parsing 0 running, 0 queued; writing 0 running, 0 queued$/m);
  assert.match(text, /^Throughput: [\d.]+ files\/s over the last \d+ s$/m);
  assert.match(text, /^Since start: 2 created, 0 updated, 0 deleted, 0 moved, 0 failed, 0 skipped, 0 conflicts, in 2 batches$/m);
  assert.match(text, /^Failed files since start: 0$/m);
  assert.match(text, /^Files: {2}2 \(2 indexed\)$/m);
  assert.equal(await service.stop(), 0, service.stderr);

  // No service: the index alone, and says so.
  const offline = await textStatus(sandbox.configPath);
  assert.match(offline, /^Service: not running \(read from the index file\)$/m);
  assert.match(offline, /^Files: {2}2 \(2 indexed\)$/m);
});
