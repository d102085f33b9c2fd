import type { BenchRow } from "./row.ts";

export type GridSetting = { batchSize: number; concurrency: number; filesPerSecond: number; peakRssMb: number | null };

/**
 * The grid's winner: the highest files/s; among settings within `tolerance`
 * (a fraction) of it — differences the noise of a shared machine can make —
 * the one with the lowest peak RSS, then the fewest threads, then the smaller
 * batch. Null when the grid has no measured row.
 */
export function bestSetting(rows: readonly BenchRow[], tolerance = 0.03): GridSetting | null {
  const cells: GridSetting[] = [];
  for (const r of rows) {
    if (r.scenario !== "grid" || r.batchSize === null || r.concurrency === null || r.filesPerSecond === null) continue;
    cells.push({ batchSize: r.batchSize, concurrency: r.concurrency, filesPerSecond: r.filesPerSecond, peakRssMb: r.peakRssMb });
  }
  if (cells.length === 0) return null;
  const fastest = Math.max(...cells.map((c) => c.filesPerSecond));
  const contenders = cells.filter((c) => c.filesPerSecond >= fastest * (1 - tolerance));
  contenders.sort(
    (a, b) =>
      (a.peakRssMb ?? Infinity) - (b.peakRssMb ?? Infinity) || a.concurrency - b.concurrency || a.batchSize - b.batchSize,
  );
  return contenders[0] ?? null;
}

/**
 * The config-file fields the grid tunes, merged into `existing` (a config
 * object read from the target file, or `{}`): everything else is kept.
 */
export function configWithSetting(existing: Record<string, unknown>, setting: GridSetting): Record<string, unknown> {
  const batch = isObject(existing["batch"]) ? existing["batch"] : {};
  const pools = isObject(existing["pools"]) ? existing["pools"] : {};
  const parsing = isObject(pools["parsing"]) ? pools["parsing"] : {};
  return {
    graph: "graph",
    database: "index.duckdb",
    ...existing,
    batch: { ...batch, maxFiles: setting.batchSize },
    pools: { ...pools, parsing: { ...parsing, threads: setting.concurrency } },
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
