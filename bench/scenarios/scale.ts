// The scale curve of issue #8: `run --once` full index on generated graphs
// of growing size (seed 1, so each is the one-shot graph of that size), one
// real CLI process each, a fresh folder and database each. Cost per file is
// the session's own time per file: process start-up and module loading are
// a fixed cost that would make small graphs look dear.
import { join } from "node:path";
import { generateGraph } from "../generate-graph.ts";
import { databaseMb, removeDir, tempDir, writeConfig } from "../lib/workspace.ts";
import { round, row, type BenchRow } from "../report/row.ts";
import { syncOnce } from "./one-shot.ts";

export const SCALE_SCENARIO = "scale-full-index";

export async function scaleScenario(sizes: readonly number[], log: (line: string) => void): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const files of sizes) {
    const dir = await tempDir("scale");
    try {
      const graphDir = join(dir, "graph");
      log(`scale: generating ${files} files…`);
      await generateGraph(graphDir, { files, seed: 1 });
      const { config, database } = await writeConfig(dir, graphDir);
      log(`scale: full index of ${files} files…`);
      const { run, summary } = await syncOnce(config);
      if (summary.indexed !== files) throw new Error(`scale: indexed ${summary.indexed} of ${files} files`);
      rows.push(
        row(SCALE_SCENARIO, files, {
          filesPerSecond: round(files / (run.wallMs / 1000)),
          peakRssMb: run.peakRssMb,
          wallMs: Math.round(run.wallMs),
          sessionMs: summary.durationMs,
          blocks: summary.blocks,
          // The file's size too: a bulk load that wrote its postings twice left the first copy as free blocks (README).
          note: `${round(summary.durationMs / files, 3)} ms/file in the session (${summary.durationMs} ms), ${round(run.wallMs / files, 3)} ms/file wall, index file ${await databaseMb(database)} MB`,
        }),
      );
    } finally {
      await removeDir(dir);
    }
  }
  return rows;
}

/** Session ms per file of each scale row, smallest graph first. */
export function scaleCosts(rows: readonly BenchRow[]): { files: number; msPerFile: number; peakRssMb: number | null }[] {
  return rows
    .filter((r) => r.scenario === SCALE_SCENARIO && r.sessionMs !== undefined && r.files > 0)
    .map((r) => ({ files: r.files, msPerFile: (r.sessionMs as number) / r.files, peakRssMb: r.peakRssMb }))
    .sort((a, b) => a.files - b.files);
}
