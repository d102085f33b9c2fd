// Page-name clashes at scale (issue #8: ≤ 1.2× the same graph without
// clashes): a generated graph where every Markdown file declares
// `title:: Shared Name k`, 60 files per name, against the same files with
// the property renamed (`titlx::`, same bytes, no clash). Each is a full
// index by the real CLI, best of `runs`.
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { generateGraph } from "../generate-graph.ts";
import { expectExit, runCli } from "../lib/child.ts";
import { removeDir, tempDir, writeConfig } from "../lib/workspace.ts";
import { round, row, type BenchRow } from "../report/row.ts";
import type { SyncSummary } from "../../src/pipeline/sync-summary.ts";

const FILES_PER_NAME = 60;

export async function clashScenario(files: number, runs: number, log: (line: string) => void): Promise<BenchRow[]> {
  const dir = await tempDir("clash");
  try {
    const rows: BenchRow[] = [];
    let plainMs = 0;
    for (const variant of ["no-clash", "clash"] as const) {
      const graph = join(dir, variant, "graph");
      await generateGraph(graph, { files, seed: 9 });
      const mdFiles = (await readdir(graph, { recursive: true })).filter((p) => p.endsWith(".md")).sort();
      const property = variant === "clash" ? "title" : "titlx";
      for (const [i, path] of mdFiles.entries()) {
        const text = await readFile(join(graph, path), "utf8");
        await writeFile(join(graph, path), `${property}:: Shared Name ${Math.floor(i / FILES_PER_NAME)}\n${text}`);
      }
      let best: { wallMs: number; peakRssMb: number | null; summary: SyncSummary } | undefined;
      for (let i = 0; i < runs; i++) {
        log(`clash: ${variant}, ${files} files (run ${i + 1} of ${runs})…`);
        const runDir = join(dir, variant, `run-${i}`);
        await mkdir(runDir, { recursive: true });
        const { config } = await writeConfig(runDir, graph);
        const run = expectExit(await runCli(["run", "--config", config, "--once", "--json"]), "run --once");
        if (best === undefined || run.wallMs < best.wallMs) best = { wallMs: run.wallMs, peakRssMb: run.peakRssMb, summary: JSON.parse(run.stdout) as SyncSummary };
      }
      if (best === undefined) continue;
      if (variant === "no-clash") plainMs = best.wallMs;
      const names = Math.ceil(mdFiles.length / FILES_PER_NAME);
      rows.push(
        row(`clash-${variant}`, files, {
          filesPerSecond: round(files / (best.wallMs / 1000)),
          peakRssMb: best.peakRssMb,
          wallMs: Math.round(best.wallMs),
          blocks: best.summary.blocks,
          ...(variant === "clash" && plainMs > 0 ? { ratio: round(best.wallMs / plainMs, 2) } : {}),
          note: `${mdFiles.length} Markdown files, ${variant === "clash" ? `${names} page names × ${FILES_PER_NAME} files` : "same bytes, no shared name"}; session ${best.summary.durationMs} ms; best of ${runs}`,
        }),
      );
    }
    return rows;
  } finally {
    await removeDir(dir);
  }
}
