import assert from "node:assert/strict";
import { mkdtemp, rename, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { UNHEALTHY_EXIT_CODE } from "../../src/cli/health-command.ts";
import type { IndexedFileState } from "../../src/index/index-writer.ts";
import { checkHealth, type HealthCheckName, type HealthReport } from "../../src/observe/health.ts";
import { mtimeOf } from "../../src/pipeline/file-snapshot.ts";
import { makeSandbox, pollUntil, runCli, ServiceProcess, writePage } from "../service/service-harness.ts";
import { freePort } from "./prometheus-text.ts";

async function health(configPath: string): Promise<{ code: number | null; report: HealthReport }> {
  const run = await runCli(["health", "--json", "--config", configPath]);
  return { code: run.code, report: JSON.parse(run.stdout) as HealthReport };
}

const failing = (report: HealthReport): HealthCheckName[] => report.checks.filter((c) => !c.healthy).map((c) => c.name);

test("health turns unhealthy when the graph folder is renamed away and healthy when it comes back (service, /healthz, and without a service)", async (t) => {
  const port = await freePort();
  const sandbox = await makeSandbox({ strategy: "realtime", logLevel: "warn", metrics: { port }, health: { intervalMs: 1000 } });
  for (let i = 0; i < 5; i++) await writePage(sandbox, `pages/p${i}.md`, `- page ${i} about health\n`);
  const service = new ServiceProcess(sandbox.configPath);
  const away = `${sandbox.graph}-away`;
  t.after(async () => {
    service.kill();
    await sandbox.cleanup();
    await rm(away, { recursive: true, force: true });
  });
  await service.ready();
  const healthz = async () => (await fetch(`http://127.0.0.1:${port}/healthz`)).status;

  const before = await health(sandbox.configPath);
  assert.equal(before.code, 0, JSON.stringify(before.report));
  assert.equal(before.report.service, true);
  assert.deepEqual(before.report.checks.map((c) => [c.name, c.healthy]), [["graphFolder", true], ["indexSample", true], ["queue", true], ["memory", true]]);
  assert.match(before.report.checks[1]?.detail ?? "", /^5 files rows sampled/);
  assert.equal(await healthz(), 200);

  await rename(sandbox.graph, away);
  const gone = await health(sandbox.configPath);
  assert.equal(gone.code, UNHEALTHY_EXIT_CODE);
  assert.equal(gone.report.healthy, false);
  assert.deepEqual(failing(gone.report), ["graphFolder"]);
  assert.match(gone.report.checks[0]?.detail ?? "", /ENOENT/);
  assert.equal(await healthz(), 503);
  // The service's own periodic check logs the change, once.
  await pollUntil(() => /^health: unhealthy: graphFolder: .*ENOENT$/m.test(service.stderr), "the unhealthy line");
  const text = await runCli(["health", "--config", sandbox.configPath]);
  assert.equal(text.code, UNHEALTHY_EXIT_CODE);
  assert.match(text.stdout, /^UNHEALTHY \(the running service, .*\)\n {2}FAIL graphFolder: .*ENOENT\n {2}ok {3}indexSample: not checked/);

  await rename(away, sandbox.graph);
  const back = await health(sandbox.configPath);
  assert.equal(back.code, 0, JSON.stringify(back.report));
  assert.equal(await healthz(), 200);
  await pollUntil(() => /^health: healthy again$/m.test(service.stderr), "the healthy-again line");
  assert.equal(await service.stop("SIGTERM"), 0, service.stderr);
  assert.equal(service.stderr.match(/^health: /gm)?.length, 2, service.stderr);

  // Without a service: the same folder and index checks, the database opened read-only, 20 postings (sampleSize) sampled too.
  const alone = await health(sandbox.configPath);
  assert.equal(alone.code, 0, JSON.stringify(alone.report));
  assert.equal(alone.report.service, false);
  assert.match(alone.report.checks[1]?.detail ?? "", /^5 files rows sampled; 20 postings sampled, 0 without their block/);
  await rename(sandbox.graph, away);
  const aloneGone = await health(sandbox.configPath);
  assert.equal(aloneGone.code, UNHEALTHY_EXIT_CODE);
  assert.deepEqual(failing(aloneGone.report), ["graphFolder"]);
  await rename(away, sandbox.graph);
});

test("each threshold turns its check unhealthy just past its limit; a busy service's rows behind the disk are pending", async (t) => {
  const graph = await mkdtemp(join(tmpdir(), "sync-health-"));
  t.after(() => rm(graph, { recursive: true, force: true }));
  const rows: IndexedFileState[] = [];
  for (let i = 0; i < 10; i++) {
    await writeFile(join(graph, `p${i}.md`), `- page ${i}\n`);
    const s = await stat(join(graph, `p${i}.md`));
    rows.push({ path: `p${i}.md`, size: s.size, mtime: mtimeOf(s), checksum: `c${i}`, status: "indexed", error: null, idSeed: null, contentChecksum: `c${i}` } as IndexedFileState);
  }
  const thresholds = { intervalMs: 60_000, sampleSize: 10, maxInconsistentPercent: 10, maxQueuePercent: 90, maxRssMb: 100 };
  const service = (o: { busy?: boolean; depth?: number; rssMb?: number } = {}) => ({
    busy: () => o.busy ?? false,
    queue: () => ({ depth: o.depth ?? 0, bound: 10_000 }),
    rssBytes: () => (o.rssMb ?? 50) * 2 ** 20,
  });
  const check = async (options: { rows?: IndexedFileState[]; busy?: boolean; depth?: number; rssMb?: number }) =>
    failing(await checkHealth({ graph, thresholds, sampleFiles: async () => options.rows ?? rows, service: service(options) }));

  assert.deepEqual(await check({}), []);
  // One row of ten behind the disk is 10 %: at the limit. Two are over it, unless the service is busy.
  const behind = (n: number) => rows.map((r, i) => (i < n ? { ...r, size: r.size + 1 } : r));
  assert.deepEqual(await check({ rows: behind(1) }), []);
  assert.deepEqual(await check({ rows: behind(2) }), ["indexSample"]);
  assert.deepEqual(await check({ rows: behind(2), busy: true }), []);
  // A page parsed from other bytes is wrong whether or not the service is busy.
  const disagreeing = rows.map((r, i) => (i < 2 ? { ...r, contentChecksum: "other" } : r));
  assert.deepEqual(await check({ rows: disagreeing, busy: true }), ["indexSample"]);
  assert.deepEqual(await check({ depth: 9000 }), []);
  assert.deepEqual(await check({ depth: 9001 }), ["queue"]);
  assert.deepEqual(await check({ rssMb: 100 }), []);
  assert.deepEqual(await check({ rssMb: 101 }), ["memory"]);
  // A check that cannot run is unhealthy, saying why.
  const broken = await checkHealth({ graph, thresholds, sampleFiles: () => Promise.reject(new Error("database is locked")) });
  assert.deepEqual(broken.checks.find((c) => c.name === "indexSample"), { name: "indexSample", healthy: false, detail: "the check failed: database is locked" });
});

test("a graph folder renamed away while its files are sampled fails the graphFolder check, not the sample (the service logs that cause, once)", async (t) => {
  const graph = await mkdtemp(join(tmpdir(), "sync-health-"));
  const away = `${graph}-away`;
  t.after(async () => {
    await rm(graph, { recursive: true, force: true });
    await rm(away, { recursive: true, force: true });
  });
  await writeFile(join(graph, "p.md"), "- page\n");
  const s = await stat(join(graph, "p.md"));
  const row = { path: "p.md", size: s.size, mtime: mtimeOf(s), checksum: "c", status: "indexed", error: null, idSeed: null, contentChecksum: "c" } as IndexedFileState;
  const thresholds = { intervalMs: 60_000, sampleSize: 10, maxInconsistentPercent: 10, maxQueuePercent: 90, maxRssMb: 100 };
  // The folder goes between the folder check and the sample's lstat of each file.
  const report = await checkHealth({ graph, thresholds, sampleFiles: async () => (await rename(graph, away), [row]) });
  assert.deepEqual(failing(report), ["graphFolder"]);
  assert.match(report.checks[0]?.detail ?? "", /ENOENT$/);
  assert.equal(report.checks[1]?.detail, "not checked: the graph folder is not accessible");
});
