// DuckDB's own thread count in the writer (pools.writing.duckdbThreads),
// the one knob of the thread budget the grid does not vary: a full index by
// the real CLI at the default batch and parsing settings, once per setting,
// best of `runs`. On 2 cores DuckDB's threads compete with the parsing and
// hashing pools, so more is not obviously faster.
import { expectExit, runCli } from "../lib/child.ts";
import { removeDir, tempDir, writeConfig } from "../lib/workspace.ts";
import { round, row, type BenchRow } from "../report/row.ts";
import type { SyncSummary } from "../../src/pipeline/sync-summary.ts";

export async function duckdbThreadsScenario(
  graphDir: string,
  files: number,
  options: { threads: readonly number[]; runs: number },
  log: (line: string) => void,
): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const duckdbThreads of options.threads) {
    let best: { wallMs: number; peakRssMb: number | null; sessionMs: number; blocks: number } | undefined;
    for (let i = 0; i < options.runs; i++) {
      log(`duckdb threads ${duckdbThreads} (run ${i + 1} of ${options.runs})…`);
      const dir = await tempDir("duckdb-threads");
      try {
        const { config } = await writeConfig(dir, graphDir, { duckdbThreads });
        const run = expectExit(await runCli(["run", "--config", config, "--once", "--json"]), "run --once");
        const summary = JSON.parse(run.stdout) as SyncSummary;
        if (best === undefined || run.wallMs < best.wallMs) {
          best = { wallMs: run.wallMs, peakRssMb: run.peakRssMb, sessionMs: summary.durationMs, blocks: summary.blocks };
        }
      } finally {
        await removeDir(dir);
      }
    }
    if (best === undefined) continue;
    rows.push(
      row("duckdb-threads", files, {
        filesPerSecond: round(files / (best.wallMs / 1000)),
        peakRssMb: best.peakRssMb,
        wallMs: Math.round(best.wallMs),
        blocks: best.blocks,
        note: `pools.writing.duckdbThreads ${duckdbThreads}, other settings default; session ${best.sessionMs} ms; best of ${options.runs}`,
      }),
    );
  }
  return rows;
}
