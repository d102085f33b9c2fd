// Issue #8's baseline: a plain single-threaded SQLite FTS5 indexer
// (scenarios/fts5-child.ts) on the one-shot scenario's graph, a full index
// then its no-op re-run, each a process of its own. The one-shot rows get
// their wall time as a ratio to these (lower is better; the targets
// are ≤ 1.0×).
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expectExit, runNode, type ChildRun } from "../lib/child.ts";
import { ensureFts5Driver } from "../lib/fts5-driver.ts";
import { databaseMb, removeDir, tempDir } from "../lib/workspace.ts";
import { round, row, type BenchRow } from "../report/row.ts";

type Fts5Output = { mode: string; journalMode: string; files: number; blocks: number; indexed: number; unchanged: number; durationMs: number };
type Measured = { run: ChildRun; out: Fts5Output; databaseMb: number };

const script = fileURLToPath(new URL("./fts5-child.js", import.meta.url));

/**
 * One run of the plain indexer on a fresh database: its full index, then its
 * no-op re-run, one row each (full-index-rounds.ts interleaves the rounds
 * with the pipeline's).
 */
export async function fts5Round(graphDir: string, files: number, log: (line: string) => void): Promise<{ full: BenchRow; noop: BenchRow }> {
  ensureFts5Driver(log);
  const dir = await tempDir("fts5");
  try {
    const database = join(dir, "fts5.sqlite");
    log(`plain FTS5 indexer: full index of ${files} files…`);
    const full = await fts5Once(graphDir, database, "full", files);
    log(`plain FTS5 indexer: no-op re-run…`);
    const noop = await fts5Once(graphDir, database, "update", files);
    if (noop.out.unchanged !== files) throw new Error(`FTS5 no-op re-run found ${files - noop.out.unchanged} changed files, expected none`);
    const note = (m: Measured, what: string) => `${what}; in-process ${m.out.durationMs} ms; journal_mode=${m.out.journalMode}`;
    return {
      full: measuredRow("fts5-full-index", full, files, note(full, `better-sqlite3, one thread, one transaction; database file ${full.databaseMb} MB`)),
      noop: measuredRow("fts5-no-op", noop, files, note(noop, "re-walks, re-reads and re-hashes every file")),
    };
  } finally {
    await removeDir(dir);
  }
}

async function fts5Once(graphDir: string, database: string, mode: string, files: number): Promise<Measured> {
  const run = expectExit(await runNode(script, [graphDir, database]), `FTS5 indexer (${mode})`);
  const out = JSON.parse(run.stdout) as Fts5Output;
  if (out.mode !== mode || out.files !== files) throw new Error(`FTS5 indexer ran ${out.mode} over ${out.files} files, expected ${mode} over ${files}`);
  return { run, out, databaseMb: await databaseMb(database) };
}

function measuredRow(scenario: string, m: Measured, files: number, note: string): BenchRow {
  return row(scenario, files, {
    concurrency: 0,
    filesPerSecond: round(files / (m.run.wallMs / 1000)),
    peakRssMb: m.run.peakRssMb,
    wallMs: Math.round(m.run.wallMs),
    blocks: m.out.blocks,
    note,
  });
}

/** Which one-shot row compares with which FTS5 row. */
const PAIRS: Readonly<Record<string, string>> = { "full-index": "fts5-full-index", "no-op-catch-up": "fts5-no-op" };

/** Gives the one-shot rows their wall time ÷ the FTS5 baseline's (lower is better). */
export function withFts5Ratios(oneShot: readonly BenchRow[], fts5: readonly BenchRow[]): BenchRow[] {
  return oneShot.map((r) => {
    const base = fts5.find((b) => b.scenario === PAIRS[r.scenario]);
    if (r.wallMs === undefined || base?.wallMs === undefined || base.wallMs <= 0) return r;
    return { ...r, ratio: round(r.wallMs / base.wallMs, 2), baseline: `wall vs ${base.scenario}` };
  });
}
