import { constants } from "node:fs";
import { access, lstat, stat } from "node:fs/promises";
import { join } from "node:path";
import type { SyncConfiguration } from "../config/load-config.ts";
import type { IndexedFileState } from "../index/index-writer.ts";
import { mtimeOf } from "../pipeline/file-snapshot.ts";
import { contentDisagrees } from "../pipeline/file-change-detector.ts";

export type HealthCheckName = "graphFolder" | "indexSample" | "queue" | "memory";
export type HealthCheck = { name: HealthCheckName; healthy: boolean; detail: string };
/** What `health --json`, the control socket and /healthz answer. */
export type HealthReport = { healthy: boolean; checkedAt: string; service: boolean; checks: HealthCheck[] };

export type HealthThresholds = SyncConfiguration["health"];

/** What the checks read; the service and the standalone command fill it differently. */
export type HealthInputs = {
  graph: string;
  thresholds: HealthThresholds;
  /** Up to `n` random files rows. */
  sampleFiles(n: number): Promise<IndexedFileState[]>;
  /** Up to `n` random full-text postings, and how many of them have no block (standalone only: the writer owns the service's). */
  samplePostings?(n: number): Promise<{ checked: number; orphans: number }>;
  /** The running service, when there is one. */
  service?: {
    /** Changes are queued, in flight or settling: a row differing from disk may just not be written yet. */
    busy(): boolean;
    queue(): { depth: number; bound: number };
    rssBytes(): number;
  };
};

/**
 * Checks file-system access to the graph folder, a random sample of the
 * index against the disk (and of its postings against its blocks), the
 * service's queue against its bound and its memory against a threshold.
 * Never throws: a check that cannot run is an unhealthy check saying why.
 */
export async function checkHealth(inputs: HealthInputs): Promise<HealthReport> {
  let graphOk = await checkGraphFolder(inputs.graph);
  let indexSample = graphOk.healthy ? await guarded("indexSample", () => checkIndexSample(inputs)) : undefined;
  // Files that went missing during the sample may be the whole folder gone meanwhile: that is the folder's
  // failure, not the index's (the service logs a change of health once, so it must name the right cause).
  if (indexSample?.healthy === false) {
    const again = await checkGraphFolder(inputs.graph);
    if (!again.healthy) [graphOk, indexSample] = [again, undefined];
  }
  const checks: HealthCheck[] = [graphOk, indexSample ?? { name: "indexSample", healthy: true, detail: "not checked: the graph folder is not accessible" }];
  const service = inputs.service;
  const { maxQueuePercent, maxRssMb } = inputs.thresholds;
  if (service === undefined) {
    checks.push({ name: "queue", healthy: true, detail: "not checked: no service is running" });
    checks.push({ name: "memory", healthy: true, detail: "not checked: no service is running" });
  } else {
    const { depth, bound } = service.queue();
    const percent = (100 * depth) / bound;
    checks.push({ name: "queue", healthy: percent <= maxQueuePercent, detail: `${depth} of ${bound} paths queued (${percent.toFixed(1)} %, limit ${maxQueuePercent} %)` });
    const rssMb = service.rssBytes() / 2 ** 20;
    checks.push({ name: "memory", healthy: rssMb <= maxRssMb, detail: `resident memory ${rssMb.toFixed(0)} MB (limit ${maxRssMb} MB)` });
  }
  return { healthy: checks.every((c) => c.healthy), checkedAt: new Date().toISOString(), service: service !== undefined, checks };
}

async function checkGraphFolder(graph: string): Promise<HealthCheck> {
  try {
    const s = await stat(graph);
    if (!s.isDirectory()) return { name: "graphFolder", healthy: false, detail: `${graph} is not a folder` };
    await access(graph, constants.R_OK | constants.X_OK);
    return { name: "graphFolder", healthy: true, detail: `${graph} is readable` };
  } catch (error) {
    return { name: "graphFolder", healthy: false, detail: `${graph}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` };
  }
}

async function checkIndexSample(inputs: HealthInputs): Promise<HealthCheck> {
  const { sampleSize, maxInconsistentPercent } = inputs.thresholds;
  const rows = await inputs.sampleFiles(sampleSize);
  const differing: string[] = [];
  const disagreeing: string[] = [];
  for (const row of rows) {
    if (contentDisagrees(row)) disagreeing.push(row.path);
    // A name that is not valid UTF-8 is recorded under a readable spelling with size and mtime 0: nothing to compare.
    if (row.path.includes("\uFFFD")) continue;
    // lstat, as the scan: a link is listed with its own size and mtime.
    const s = await lstat(join(inputs.graph, row.path)).catch(() => null);
    if (s === null || s.size !== row.size || mtimeOf(s) !== row.mtime) differing.push(row.path);
  }
  // A busy service has not written every change yet: a row behind the disk is pending, not wrong.
  const pending = inputs.service?.busy() === true;
  const bad = (pending ? 0 : differing.length) + disagreeing.length;
  const percent = rows.length === 0 ? 0 : (100 * bad) / rows.length;
  const parts = [`${rows.length} files rows sampled`];
  if (differing.length > 0) parts.push(`${differing.length} differ from disk${pending ? " (pending: the service is busy)" : ""}, e.g. ${differing.slice(0, 3).join(", ")}`);
  if (disagreeing.length > 0) parts.push(`${disagreeing.length} with a page parsed from other bytes, e.g. ${disagreeing.slice(0, 3).join(", ")}`);
  let healthy = percent <= maxInconsistentPercent;
  if (inputs.samplePostings) {
    const { checked, orphans } = await inputs.samplePostings(sampleSize);
    parts.push(`${checked} postings sampled, ${orphans} without their block`);
    healthy &&= orphans === 0;
  }
  return { name: "indexSample", healthy, detail: parts.join("; ") + ` (limit ${maxInconsistentPercent} % inconsistent)` };
}

async function guarded(name: HealthCheckName, check: () => Promise<HealthCheck>): Promise<HealthCheck> {
  try {
    return await check();
  } catch (error) {
    return { name, healthy: false, detail: `the check failed: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** `n` distinct random elements (all of them when there are fewer). */
export function sample<T>(items: readonly T[], n: number): T[] {
  const copy = [...items];
  const count = Math.min(n, copy.length);
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(Math.random() * (copy.length - i));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy.slice(0, count);
}
