// As-you-type through a running service (issue #12: keystrokes p95 ≤ 30 ms):
// the service (`run` without --once) on an indexed graph, idle, with its
// in-memory search model loaded; each query is typed one character at a
// time, each keystroke a `search` request through the control socket (what
// `search --json` asks when a service runs, without a process start), sent
// once the previous one answered and a typist's pause later. Latency is each
// request's round trip: connection, JSON both ways, the writer thread's queue
// and the search.
import { percentile } from "../lib/stats.ts";
import { serviceState, sleep, startService, stopService, type Service } from "../lib/service.ts";
import { round, row, type BenchRow } from "../report/row.ts";
import { callService } from "../../src/control/control-client.ts";
import { RARE_WORDS } from "../generate-graph.ts";

/** A fast typist: 25 keystrokes a second. */
const PAUSE_MS = 40;
/** The model loads once the index has been quiet for 1 s (search-model-cache.ts): a few seconds of searches first. */
const WARM_UP_MS = 8000;

/** Searched while the model loads: a word of the generated graphs that no round types (search.ts). */
const WARM_UP_QUERY = RARE_WORDS[0];

/** Every keystroke of `text`: "t", "th", ..., the whole text. */
export function keystrokes(text: string): string[] {
  return Array.from({ length: text.length }, (_, i) => text.slice(0, i + 1));
}

export async function searchTypingRow(
  config: string,
  database: string,
  files: number,
  blocks: number,
  rounds: readonly (readonly string[])[],
  log: (line: string) => void,
): Promise<BenchRow> {
  const name = "search-typing-socket";
  log(`${name}: starting the service…`);
  const started = await startService(config, database);
  if (typeof started === "string") return row(name, files, { note: `skipped: ${started}` });
  const service: Service = started;
  try {
    const readyBy = performance.now() + 300_000;
    while ((await serviceState(service.socket)) !== "watching") {
      if (performance.now() > readyBy) throw new Error(`${name}: the service never became idle`);
      await sleep(100);
    }
    const search = async (text: string) => {
      const reply = await callService(service.socket, "search", { text, limit: 10 });
      if (!Array.isArray(reply?.result)) throw new Error(`${name}: search failed: ${JSON.stringify(reply).slice(0, 200)}`);
    };
    // Warmed up on a word no round types: the service keeps recent hits' rows (hit-rows.ts).
    const warmUntil = performance.now() + WARM_UP_MS;
    while (performance.now() < warmUntil) {
      await search(WARM_UP_QUERY);
      await sleep(500);
    }
    const latencies: number[] = [];
    for (const queries of rounds) {
      for (const query of queries) {
        for (const text of keystrokes(query)) {
          const t0 = performance.now();
          await search(text);
          latencies.push(performance.now() - t0);
          await sleep(PAUSE_MS);
        }
      }
    }
    log(`${name}: p50 ${round(percentile(latencies, 50))} ms, p95 ${round(percentile(latencies, 95))} ms`);
    return row(name, files, {
      p50Ms: round(percentile(latencies, 50)),
      p95Ms: round(percentile(latencies, 95)),
      samples: latencies.length,
      blocks,
      note: `each keystroke of ${rounds.flat().map((q) => JSON.stringify(q)).join(", ")} through the idle service's socket, model loaded (target p95 ≤ 30 ms)`,
    });
  } finally {
    await stopService(service);
  }
}
