// The tuning grid: batch.maxFiles × pools.parsing.threads, each cell a full
// index by the real CLI into a fresh folder and database, on one generated
// graph (read-only, shared by the cells). Beside it, the single-threaded
// baseline on the same graph, so each cell's files/s is also a ratio.
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expectExit, runCli, runNode } from "../lib/child.ts";
import { removeDir, tempDir, writeConfig } from "../lib/workspace.ts";
import { round, row, type BenchRow } from "../report/row.ts";
import type { SyncSummary } from "../../src/pipeline/sync-summary.ts";

export type GridOptions = {
  graphDir: string;
  files: number;
  batchSizes: readonly number[];
  threads: readonly number[];
  /** The best this many cells are measured once more; each cell keeps its faster run. */
  confirmTop: number;
};

type Cell = { batchSize: number; threads: number; wallMs: number; peakRssMb: number | null; blocks: number; sessionMs: number };

export async function gridScenario(options: GridOptions, log: (line: string) => void): Promise<BenchRow[]> {
  const cells: Cell[] = [];
  for (const batchSize of options.batchSizes) {
    for (const threads of options.threads) {
      log(`grid: batch ${batchSize}, ${threads} parsing thread(s)…`);
      cells.push(await indexOnce(options.graphDir, batchSize, threads));
    }
  }
  const top = [...cells].sort((a, b) => a.wallMs - b.wallMs).slice(0, options.confirmTop);
  for (const cell of top) {
    log(`grid (confirm): batch ${cell.batchSize}, ${cell.threads} parsing thread(s)…`);
    const again = await indexOnce(options.graphDir, cell.batchSize, cell.threads);
    cell.wallMs = Math.min(cell.wallMs, again.wallMs);
    cell.sessionMs = Math.min(cell.sessionMs, again.sessionMs);
    cell.peakRssMb = Math.max(cell.peakRssMb ?? 0, again.peakRssMb ?? 0) || null;
  }
  return cells.map((c) =>
    row("grid", options.files, {
      batchSize: c.batchSize,
      concurrency: c.threads,
      filesPerSecond: round(options.files / (c.wallMs / 1000)),
      peakRssMb: c.peakRssMb,
      wallMs: Math.round(c.wallMs),
      blocks: c.blocks,
      note: `session ${c.sessionMs} ms${top.includes(c) ? "; best of 2" : ""}`,
    }),
  );
}

async function indexOnce(graphDir: string, batchSize: number, threads: number): Promise<Cell> {
  const dir = await tempDir("grid");
  try {
    const { config } = await writeConfig(dir, graphDir, { batchSize, parsingThreads: threads });
    const run = expectExit(await runCli(["run", "--config", config, "--once", "--json"]), "run --once");
    const summary = JSON.parse(run.stdout) as SyncSummary;
    return { batchSize, threads, wallMs: run.wallMs, peakRssMb: run.peakRssMb, blocks: summary.blocks, sessionMs: summary.durationMs };
  } finally {
    await removeDir(dir);
  }
}

/**
 * The plain single-threaded path (scenarios/baseline-child.ts) on a graph, best of `runs`, in batches of
 * `batchSize` files (the pipeline's default). `scenario`: the grid's baseline, or the full-size one.
 */
export async function baselineScenario(
  graphDir: string,
  files: number,
  options: { runs: number; batchSize: number; scenario?: string },
  log: (line: string) => void,
): Promise<BenchRow> {
  const { runs, batchSize, scenario = "baseline-single-thread" } = options;
  const script = fileURLToPath(new URL("./baseline-child.js", import.meta.url));
  let best: { wallMs: number; peakRssMb: number | null; blocks: number; durationMs: number } | undefined;
  for (let i = 0; i < runs; i++) {
    log(`${scenario} (single thread, no pools, ${files} files), run ${i + 1}/${runs}…`);
    const dir = await tempDir("baseline");
    try {
      const run = expectExit(await runNode(script, [graphDir, join(dir, "baseline.duckdb"), String(batchSize)]), "baseline");
      const out = JSON.parse(run.stdout) as { files: number; blocks: number; durationMs: number };
      if (out.files !== files) throw new Error(`baseline indexed ${out.files} files, expected ${files}`);
      if (best === undefined || run.wallMs < best.wallMs) best = { wallMs: run.wallMs, peakRssMb: run.peakRssMb, blocks: out.blocks, durationMs: out.durationMs };
    } finally {
      await removeDir(dir);
    }
  }
  if (best === undefined) throw new RangeError("baseline needs at least one run");
  return row(scenario, files, {
    batchSize,
    concurrency: 0,
    filesPerSecond: round(files / (best.wallMs / 1000)),
    peakRssMb: best.peakRssMb,
    wallMs: Math.round(best.wallMs),
    blocks: best.blocks,
    note: `in-process ${best.durationMs} ms; best of ${runs}; no worker threads (concurrency 0), a bulk load as \`run --once\` writes one`,
  });
}

/** Gives every grid row its ratio to the baseline's files/s. */
export function withBaselineRatio(rows: BenchRow[], baseline: BenchRow): BenchRow[] {
  return rows.map((r) =>
    r.filesPerSecond !== null && baseline.filesPerSecond
      ? { ...r, ratio: round(r.filesPerSecond / baseline.filesPerSecond, 2), baseline: "vs single-thread" }
      : r,
  );
}
