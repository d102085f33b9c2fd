// Edit → searchable latency with the long-running service (`run` without
// --once): append a block with a word that exists nowhere, then ask the
// service's control socket (what `search --json` asks when a service runs)
// every 10 ms until a hit comes back. Measured idle (after catch-up) and
// during the start-up bulk catch-up of a fresh database.
import { appendFile } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import { pathToFileURL } from "node:url";
import { generateGraph } from "../generate-graph.ts";
import { serviceState, sleep, startService, stopService, type Service } from "../lib/service.ts";
import { percentile } from "../lib/stats.ts";
import { removeDir, tempDir, writeConfig } from "../lib/workspace.ts";
import { round, row, type BenchRow } from "../report/row.ts";
import { waitSearchable } from "../lib/searchable.ts";
import { readGraphConfig } from "../../src/logseq/graph-config.ts";
import { scanDirectory } from "../../src/pipeline/directory-scan.ts";

export type EditLatencyOptions = { idleFiles: number; catchUpFiles: number; edits: number };


export async function editLatencyScenarios(options: EditLatencyOptions, log: (line: string) => void): Promise<BenchRow[]> {
  return [
    await scenario("edit-latency-idle", options.idleFiles, options.edits, "watching", log),
    await scenario("edit-latency-during-catch-up", options.catchUpFiles, options.edits, "catchingUp", log),
  ];
}

async function scenario(name: string, files: number, edits: number, during: "watching" | "catchingUp", log: (line: string) => void): Promise<BenchRow> {
  const dir = await tempDir("edit");
  let service: Service | undefined;
  try {
    const graphDir = join(dir, "graph");
    await generateGraph(graphDir, { files, seed: 3 });
    const { config, database } = await writeConfig(dir, graphDir);
    const paths = [...(await scanDirectory(graphDir, await readGraphConfig(graphDir))).files.keys()].filter((p) => p.endsWith(".md")).sort();
    log(`${name}: starting the service on ${files} files…`);
    const started = await startService(config, database);
    if (typeof started === "string") return row(name, files, { note: `skipped: ${started}` });
    service = started;
    const readyBy = performance.now() + 600_000;
    for (;;) {
      const state = await serviceState(service.socket);
      if (state === during || (during === "catchingUp" && state === "watching")) break;
      if (performance.now() > readyBy) throw new Error(`${name}: the service never reached state ${during}`);
      await sleep(50);
    }
    const latencies: number[] = [];
    for (let i = 0; i < edits; i++) {
      if (during === "catchingUp" && (await serviceState(service.socket)) !== "catchingUp") break;
      const word = `benchedit${letters(i)}`;
      const path = paths[(i * 37) % paths.length] as string;
      const t0 = performance.now();
      await appendFile(join(graphDir, path), `\n- edited ${word}\n`);
      latencies.push(await waitSearchable(service.socket, word, t0, `${name}: edit ${i}`));
    }
    const note =
      during === "catchingUp"
        ? `${latencies.length} edits made while the service caught up on a fresh index`
        : `${latencies.length} edits after catch-up; includes the 100 ms Markdown debounce`;
    if (latencies.length === 0) return row(name, files, { note: `no edit completed: the catch-up ended first` });
    return row(name, files, { p50Ms: round(percentile(latencies, 50)), p95Ms: round(percentile(latencies, 95)), samples: latencies.length, note });
  } finally {
    if (service !== undefined) await stopService(service);
    await removeDir(dir);
  }
}

/** a, b, …, z, ba, …: a distinct suffix per edit, so each edit's word is found only once that edit is indexed. */
function letters(n: number): string {
  let s = "";
  do {
    s += String.fromCharCode(97 + (n % 26));
    n = Math.floor(n / 26);
  } while (n > 0);
  return s;
}

// `node dist/bench/scenarios/edit-latency.js [files] [edits]`: the idle scenario alone.
if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const [files = 2000, edits = 20] = process.argv.slice(2).map(Number);
  console.log(JSON.stringify(await scenario("edit-latency-idle", files, edits, "watching", console.error)));
}
