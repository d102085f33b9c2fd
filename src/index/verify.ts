import { join } from "node:path";
import type { SyncConfiguration } from "../config/load-config.ts";
import type { GraphConfig } from "../logseq/types.ts";
import { scanDirectory } from "../pipeline/directory-scan.ts";
import type { Pools } from "../bulkheads/pools.ts";
import type { HashOutcome, HashTask } from "../workers/hash.worker.ts";
import type { RepairResult } from "./verify-repair.ts";
import { findingOf, makeReport, type RepairReport, type VerifyReport } from "./verify-report.ts";
import type { TableCheck, VerifyFileRow } from "./verify-tables.ts";

/**
 * How verify reaches the index and the hash function: the running service's
 * pools, or (no service) a read-only open plus a hashing bulkhead of its own.
 */
export type VerifyAccess = {
  checkTables(): Promise<TableCheck>;
  /** The pipeline's hash worker: the same reader and checksum as a sync. */
  hash(task: HashTask): Promise<HashOutcome>;
};

/** Repair needs the writer and the normal pipeline. */
export type RepairAccess = VerifyAccess & {
  repair(paths: string[]): Promise<RepairResult>;
  /** Brings the index up to date with the folder (a sync session, or the service's scan); returns the files written. */
  resync(): Promise<number>;
};

export type VerifyOutcome = { report: VerifyReport; checksumDiffers: string[] };

/**
 * Checks the index against the folder (rows vs files, then the bytes of
 * every file whose row says indexed and whose size and mtime match) and
 * against itself (verify-tables.ts).
 */
export async function verifyIndex(config: Pick<SyncConfiguration, "graph" | "maxFileSizeBytes">, graph: GraphConfig, access: VerifyAccess): Promise<VerifyOutcome> {
  const [disk, tables] = await Promise.all([scanDirectory(config.graph, graph), access.checkTables()]);
  const rows = new Map(tables.rows.map((row) => [row.path, row]));
  const missing: string[] = [];
  const metadata: string[] = [];
  const toHash: VerifyFileRow[] = [];
  for (const snapshot of disk.files.values()) {
    const row = rows.get(snapshot.path);
    if (row === undefined) {
      missing.push(snapshot.path);
      continue;
    }
    // An unreadable file's row (size and mtime 0) never matches: every sync retries it, as a clean one would.
    if (row.status === "failed" && row.size === 0 && row.mtime === 0) continue;
    if (row.size !== snapshot.size || row.mtime !== snapshot.mtime) metadata.push(row.path);
    else if ((row.status === "indexed" || row.status === "warning") && row.checksum !== null) toHash.push(row);
  }
  // As a sync: rows under a folder that could not be listed are kept, not gone.
  const extra = tables.rows
    .filter((row) => !disk.files.has(row.path) && !disk.unreadable.some((folder) => folder === "" || row.path.startsWith(folder + "/")))
    .map((row) => row.path);

  const checksumDiffers: string[] = [];
  let next = 0;
  const worker = async () => {
    for (let row = toHash[next++]; row !== undefined; row = toHash[next++]) {
      const outcome = await access.hash({ absolutePath: join(config.graph, row.path), maxBytes: config.maxFileSizeBytes });
      // Unreadable now: a sync keeps the indexed content (README, "Bad input"), so nothing here disagrees.
      if (!outcome.ok) continue;
      if (outcome.size !== row.size || outcome.mtime !== row.mtime) metadata.push(row.path);
      else if (outcome.checksum !== row.checksum) checksumDiffers.push(row.path);
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));

  const report = makeReport(disk.files.size, toHash.length, {
    fileRowMissing: findingOf(missing),
    fileRowExtra: findingOf(extra),
    metadataDiffers: findingOf(metadata),
    checksumDiffers: findingOf(checksumDiffers),
    ...tables.findings,
  });
  return { report, checksumDiffers };
}

/**
 * `verify --repair`: verify; if anything differs, drop the content that
 * disagrees and the orphans (one transaction), sync through the normal
 * pipeline, and verify again. The second report must come out clean.
 */
export async function verifyAndRepair(config: Pick<SyncConfiguration, "graph" | "maxFileSizeBytes">, graph: GraphConfig, access: RepairAccess): Promise<RepairReport> {
  const found = await verifyIndex(config, graph, access);
  if (found.report.clean) return { found: found.report, contentDropped: 0, rowsDeleted: {}, synced: 0, after: found.report };
  const repaired = await access.repair(found.checksumDiffers);
  const synced = await access.resync();
  const after = await verifyIndex(config, graph, access);
  return { found: found.report, ...repaired, synced, after: after.report };
}

/** Verify and repair through the pipeline's pools: the service's, or a `verify --repair` run's own. */
export function poolAccess(pools: Pick<Pools, "hashing" | "writing">, resync: () => Promise<number>): RepairAccess {
  return {
    checkTables: () => pools.writing.run<TableCheck>(undefined, { name: "verifyTables" }),
    hash: (task) => pools.hashing.run<HashOutcome>(task),
    repair: (paths) => pools.writing.run<RepairResult>(paths, { name: "repair" }),
    resync,
  };
}
