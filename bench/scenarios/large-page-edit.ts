// Issue #11: editing one block of a very large page (~70,000 blocks, ~5 MB)
// with the long-running service idle. Each edit replaces one block's text
// with a word that exists nowhere, then asks the service's control socket
// every 10 ms until a hit comes back; after each, `status` gives the rows the
// writer touched for that write (writes.lastBatch.rowsTouched). Includes the
// debounce: each edit comes after the page was quiet for longer than
// debounce.largeFileMs, so it waits debounce.markdownMs (100 ms by default;
// src/pipeline/large-file-debounce.ts); before that rule, largeFileMs (500 ms).
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import { pathToFileURL } from "node:url";
import { generateGraph } from "../generate-graph.ts";
import { serviceState, sleep, startService, stopService, type Service } from "../lib/service.ts";
import { percentile } from "../lib/stats.ts";
import { removeDir, tempDir, writeConfig } from "../lib/workspace.ts";
import { round, row, type BenchRow } from "../report/row.ts";
import { waitSearchable } from "../lib/searchable.ts";
import { callService } from "../../src/control/control-client.ts";
import type { WriteStats } from "../../src/index/write-stats.ts";

export type LargePageEditOptions = { files: number; blocks: number; edits: number };

const PAGE = "pages/long-journal.md";

function pageText(blocks: number, edit?: { at: number; text: string }): string {
  const lines: string[] = [];
  for (let i = 0; i < blocks; i++) {
    lines.push(edit?.at === i ? `- ${edit.text}\n` : `- entry ${i} of the long journal, notes on item${i % 997} and topic${i % 31}\n`);
  }
  return lines.join("");
}

export async function largePageEditScenario(options: LargePageEditOptions, log: (line: string) => void): Promise<BenchRow> {
  const name = "large-page-edit";
  const dir = await tempDir("large-page");
  let service: Service | undefined;
  try {
    const graphDir = join(dir, "graph");
    await generateGraph(graphDir, { files: options.files, seed: 5 });
    await writeFile(join(graphDir, PAGE), pageText(options.blocks));
    const { config, database } = await writeConfig(dir, graphDir);
    log(`${name}: starting the service on ${options.files} files plus a ${options.blocks}-block page…`);
    const started = await startService(config, database);
    if (typeof started === "string") return row(name, options.files + 1, { note: `skipped: ${started}` });
    service = started;
    const readyBy = performance.now() + 900_000;
    while ((await serviceState(service.socket)) !== "watching") {
      if (performance.now() > readyBy) throw new Error(`${name}: the service never caught up`);
      await sleep(100);
    }
    const latencies: number[] = [];
    const rows: number[] = [];
    for (let i = 0; i < options.edits; i++) {
      const word = `largeedit${i}x${Date.now() % 100000}`;
      const at = Math.floor(options.blocks / 2) + i * 101;
      const t0 = performance.now();
      await writeFile(join(graphDir, PAGE), pageText(options.blocks, { at, text: `edited ${word}` }));
      latencies.push(await waitSearchable(service.socket, word, t0, `${name}: edit ${i}`));
      const status = (await callService(service.socket, "status", undefined))?.result as { writes?: WriteStats } | undefined;
      rows.push(status?.writes?.lastBatch?.rowsTouched ?? -1);
      await sleep(300);
    }
    return row(name, options.files + 1, {
      blocks: options.blocks,
      p50Ms: round(percentile(latencies, 50)),
      p95Ms: round(percentile(latencies, 95)),
      samples: latencies.length,
      note: `one block of a ${options.blocks}-block page replaced per edit (the previous edit reverted): rows touched per write ${[...new Set(rows)].join("/")}; includes the debounce of a quiet large file's first save (markdownMs, 100 ms)`,
    });
  } finally {
    if (service !== undefined) await stopService(service);
    await removeDir(dir);
  }
}

// `node dist/bench/scenarios/large-page-edit.js [files] [blocks] [edits]`: this scenario alone.
if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const [files = 2000, blocks = 70_000, edits = 10] = process.argv.slice(2).map(Number);
  console.log(JSON.stringify(await largePageEditScenario({ files, blocks, edits }, console.error)));
}
