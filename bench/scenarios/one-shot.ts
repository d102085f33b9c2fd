// The CLI's one-shot sync (`run --once`): a full index on a fresh database
// (one round of full-index-rounds.ts), then on that index a no-op catch-up
// (best of `noopRuns`, as the FTS5 baseline's re-run is best of its runs), a
// catch-up after 1% of the files changed, and one after every file's mtime
// changed with its bytes the same (a git checkout, a sync client's restore:
// each file is read and checksummed again, none parsed). Each step is one
// real CLI process. The graph is the caller's (generated once, so the
// baselines run on the same files): the last two steps change it.
import { appendFile, utimes } from "node:fs/promises";
import { join } from "node:path";
import { expectExit, runCli, type ChildRun } from "../lib/child.ts";
import { databaseMb, removeDir, tempDir, writeConfig } from "../lib/workspace.ts";
import { round, row, type BenchRow } from "../report/row.ts";
import { scanDirectory } from "../../src/pipeline/directory-scan.ts";
import { readGraphConfig } from "../../src/logseq/graph-config.ts";
import type { SyncSummary } from "../../src/pipeline/sync-summary.ts";

/** A pipeline index on the bench's temp disk: its folder, config and database. */
export type OneShotWorkspace = { dir: string; config: string; database: string };

/**
 * The pipeline's full index of `graphDir` (`run --once` on a fresh database),
 * as one row, and the workspace holding the index, for catchUpScenarios to
 * go on with (the caller removes it).
 */
export async function pipelineFullIndex(graphDir: string): Promise<{ row: BenchRow; workspace: OneShotWorkspace }> {
  const dir = await tempDir("one-shot");
  try {
    const { config, database } = await writeConfig(dir, graphDir);
    const full = await syncOnce(config);
    return { row: summaryRow("full-index", full.run, full.summary, full.summary.indexed, `index file ${await databaseMb(database)} MB`), workspace: { dir, config, database } };
  } catch (error) {
    await removeDir(dir);
    throw error;
  }
}

/**
 * The catch-ups after a full index, on `workspace`'s index: a no-op (best of
 * `noopRuns`, as the FTS5 baseline's re-run is best of its rounds), 1% of the
 * files changed, every file's mtime changed. The last two change the graph.
 */
export async function catchUpScenarios(workspace: OneShotWorkspace, graphDir: string, noopRuns: number, log: (line: string) => void): Promise<BenchRow[]> {
  const { config } = workspace;
  const rows: BenchRow[] = [];
  log(`no-op catch-up, best of ${noopRuns}…`);
  const noops: Awaited<ReturnType<typeof syncOnce>>[] = [];
  for (let i = 0; i < Math.max(1, noopRuns); i++) noops.push(await syncOnce(config));
  const noop = noops.reduce((best, next) => (next.run.wallMs < best.run.wallMs ? next : best));
  const walls = noops.map((n) => Math.round(n.run.wallMs)).join(", ");
  rows.push(summaryRow("no-op-catch-up", noop.run, noop.summary, noop.summary.files, `${noop.summary.unchanged} unchanged; best of ${walls} ms`));

  const paths = [...(await scanDirectory(graphDir, await readGraphConfig(graphDir))).files.keys()].sort();
  const changed = paths.filter((_, i) => i % 100 === 0);
  for (const [i, path] of changed.entries()) await appendFile(join(graphDir, path), `\n- benchmark change ${i} #bench\n`);
  log(`catch-up after changing ${changed.length} files (1%)…`);
  const onePct = await syncOnce(config);
  if (onePct.summary.indexed !== changed.length) {
    throw new Error(`1% catch-up re-indexed ${onePct.summary.indexed} files, expected ${changed.length}`);
  }
  rows.push(summaryRow("catch-up-1pct", onePct.run, onePct.summary, onePct.summary.files, `${onePct.summary.indexed} re-indexed`));

  const later = new Date(Date.now() + 60_000);
  for (const path of paths) await utimes(join(graphDir, path), later, later);
  log(`catch-up after touching all ${paths.length} files…`);
  const touched = await syncOnce(config);
  if (touched.summary.touched !== paths.length || touched.summary.indexed !== 0) {
    throw new Error(`catch-up after touching every file: ${touched.summary.touched} re-checksummed and ${touched.summary.indexed} re-indexed, expected ${paths.length} and 0`);
  }
  rows.push(summaryRow("catch-up-touched", touched.run, touched.summary, touched.summary.files, `${touched.summary.touched} re-checksummed, none re-parsed`));
  return rows;
}

export async function syncOnce(config: string): Promise<{ run: ChildRun; summary: SyncSummary }> {
  const run = expectExit(await runCli(["run", "--config", config, "--once", "--json"]), "run --once");
  return { run, summary: JSON.parse(run.stdout) as SyncSummary };
}

/** files/s over the whole process (start-up included); the session's own time is in the note. */
export function summaryRow(scenario: string, run: ChildRun, summary: SyncSummary, files: number, note = ""): BenchRow {
  return row(scenario, summary.files, {
    filesPerSecond: round(files / (run.wallMs / 1000)),
    peakRssMb: run.peakRssMb,
    wallMs: Math.round(run.wallMs),
    blocks: summary.blocks,
    note: [note, `session ${summary.durationMs} ms`].filter((s) => s !== "").join("; "),
  });
}
