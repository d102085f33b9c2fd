// Issue #8's full-index figures on the full-size graph, in interleaved
// rounds: each round runs the plain FTS5 indexer (a full index and its no-op
// re-run), the single-thread path and the pipeline's `run --once`, each on a
// fresh database, one after the other. This machine's speed drifts by 20-30%
// from one minute to the next (the same full index took 7.9 s and 12.2 s
// minutes apart), and a ratio of two runs minutes apart measured the drift
// as much as the pipeline; within a round the three run under the same
// conditions. Each full-index row is the run of its median round (by wall
// time), so each ratio the targets take is one of medians; the note lists
// every round's wall time. The FTS5 re-run keeps the best of its rounds, as
// the pipeline's no-op keeps the best of its runs.
import type { BenchRow } from "../report/row.ts";
import { removeDir } from "../lib/workspace.ts";
import { fts5Round } from "./fts5-baseline.ts";
import { baselineScenario } from "./grid.ts";
import { pipelineFullIndex, type OneShotWorkspace } from "./one-shot.ts";

export async function fullIndexRounds(
  graphDir: string,
  files: number,
  options: { rounds: number; batchSize: number },
  log: (line: string) => void,
): Promise<{ rows: BenchRow[]; workspace: OneShotWorkspace }> {
  const fts5Full: BenchRow[] = [];
  const fts5Noop: BenchRow[] = [];
  const single: BenchRow[] = [];
  const full: BenchRow[] = [];
  let workspace: OneShotWorkspace | undefined;
  try {
    for (let round = 1; round <= Math.max(1, options.rounds); round++) {
      log(`full-index round ${round}/${options.rounds}: FTS5, single thread, pipeline…`);
      const fts5 = await fts5Round(graphDir, files, log);
      fts5Full.push(fts5.full);
      fts5Noop.push(fts5.noop);
      single.push(await baselineScenario(graphDir, files, { runs: 1, batchSize: options.batchSize, scenario: "single-thread-full-index" }, log));
      log(`full index of ${files} files (run --once)…`);
      const pipeline = await pipelineFullIndex(graphDir);
      full.push(pipeline.row);
      // The last round's index stays for the catch-ups (one-shot.ts catchUpScenarios).
      if (workspace !== undefined) await removeDir(workspace.dir);
      workspace = pipeline.workspace;
    }
  } catch (error) {
    if (workspace !== undefined) await removeDir(workspace.dir);
    throw error;
  }
  return { rows: [roundOf(fts5Full, "median"), roundOf(fts5Noop, "best"), roundOf(single, "median"), roundOf(full, "median")], workspace: workspace as OneShotWorkspace };
}

/**
 * The row of one round by wall time, its note listing every round's: the
 * median (of an even count, the faster middle one) or the best.
 */
export function roundOf(rows: readonly BenchRow[], which: "median" | "best"): BenchRow {
  const sorted = [...rows].sort((a, b) => (a.wallMs ?? 0) - (b.wallMs ?? 0));
  const chosen = sorted[which === "best" ? 0 : (sorted.length - 1) >> 1];
  if (chosen === undefined) throw new RangeError("no rounds");
  if (rows.length === 1) return chosen;
  return { ...chosen, note: `${chosen.note ?? ""}; ${which} of ${rows.length} rounds, wall ${rows.map((r) => r.wallMs).join(" / ")} ms` };
}
