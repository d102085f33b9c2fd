// Search while a bulk catch-up writes (issue #8: p95 ≤ 100 ms): the service
// starts on a fresh index of a generated graph; while its state is
// "catchingUp", a two-word query goes through the control socket (what
// `search --json` asks when a service runs) every 25 ms, one at a time.
// Latency is each request's round trip.
import { join } from "node:path";
import { generateGraph, RARE_WORDS } from "../generate-graph.ts";
import { percentile } from "../lib/stats.ts";
import { serviceState, sleep, startService, stopService, type Service } from "../lib/service.ts";
import { removeDir, tempDir, writeConfig } from "../lib/workspace.ts";
import { round, row, type BenchRow } from "../report/row.ts";
import { callService } from "../../src/control/control-client.ts";

const PAUSE_MS = 25;
/** Frequent words of every generated graph (the worst case: long postings lists) and a rare one. */
const QUERIES = ["the with", "that from", RARE_WORDS[0], "this was"];

export async function searchDuringCatchUpScenario(files: number, log: (line: string) => void): Promise<BenchRow> {
  const name = "search-during-catch-up";
  const dir = await tempDir("search-catch-up");
  let service: Service | undefined;
  try {
    const graphDir = join(dir, "graph");
    await generateGraph(graphDir, { files, seed: 5 });
    const { config, database } = await writeConfig(dir, graphDir);
    log(`${name}: starting the service on ${files} files…`);
    const started = await startService(config, database);
    if (typeof started === "string") return row(name, files, { note: `skipped: ${started}` });
    service = started;
    const readyBy = performance.now() + 120_000;
    let state = await serviceState(service.socket);
    while (state !== "catchingUp" && state !== "watching") {
      if (performance.now() > readyBy) throw new Error(`${name}: the service never started its catch-up`);
      await sleep(20);
      state = await serviceState(service.socket);
    }
    const latencies: number[] = [];
    for (let i = 0; (await serviceState(service.socket)) === "catchingUp"; i++) {
      const t0 = performance.now();
      const reply = await callService(service.socket, "search", { text: QUERIES[i % QUERIES.length] as string, limit: 10 });
      if (!Array.isArray(reply?.result)) throw new Error(`${name}: search failed: ${JSON.stringify(reply).slice(0, 200)}`);
      latencies.push(performance.now() - t0);
      await sleep(PAUSE_MS);
    }
    if (latencies.length === 0) return row(name, files, { note: "no search completed: the catch-up ended first" });
    return row(name, files, {
      p50Ms: round(percentile(latencies, 50)),
      p95Ms: round(percentile(latencies, 95)),
      samples: latencies.length,
      note: `${latencies.length} searches while the service caught up on a fresh index (target p95 ≤ 100 ms)`,
    });
  } finally {
    if (service !== undefined) await stopService(service);
    await removeDir(dir);
  }
}
