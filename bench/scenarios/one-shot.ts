// The CLI's one-shot sync (`run --once`) on a fresh database: a full index,
// then a no-op catch-up (best of `noopRuns`, as the FTS5 baseline's re-run
// is best of its runs), then a catch-up after 1% of the files changed, then
// one after every file's mtime changed with its bytes the same (a git
// checkout, a sync client's restore: each file is read and checksummed
// again, none parsed). Each step is one real CLI process. The graph is the caller's (generated once, so
// the FTS5 baseline runs on the same files first): the last step changes it.
import { appendFile, utimes } from "node:fs/promises";
import { join } from "node:path";
import { expectExit, runCli, type ChildRun } from "../lib/child.ts";
import { databaseMb, removeDir, tempDir, writeConfig } from "../lib/workspace.ts";
import { round, row, type BenchRow } from "../report/row.ts";
import { scanDirectory } from "../../src/pipeline/directory-scan.ts";
import { readGraphConfig } from "../../src/logseq/graph-config.ts";
import type { SyncSummary } from "../../src/pipeline/sync-summary.ts";

export async function oneShotScenarios(graphDir: string, files: number, noopRuns: number, log: (line: string) => void): Promise<BenchRow[]> {
  const dir = await tempDir("one-shot");
  try {
    const { config, database } = await writeConfig(dir, graphDir);
    const rows: BenchRow[] = [];

    log(`full index of ${files} files…`);
    const full = await syncOnce(config);
    rows.push(summaryRow("full-index", full.run, full.summary, full.summary.indexed, `index file ${await databaseMb(database)} MB`));

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
  } finally {
    await removeDir(dir);
  }
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
