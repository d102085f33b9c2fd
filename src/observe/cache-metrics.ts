import { Counter, Gauge, type Registry } from "prom-client";
import type { CacheFigures } from "../pipeline/service-hooks.ts";
import type { CacheStats } from "../index/bounded-cache.ts";

/** The caches by their metric label: the writer's diff states, the parse side's block keys (issue #11), the search's hit rows, the file rows. */
const CACHES = { diff_state: "diffState", block_keys: "blockKeys", hit_rows: "hitRows", file_metadata: "fileMetadata" } as const satisfies Record<string, keyof CacheFigures>;

/** One read of the figures serves every series of a scrape (prom-client collects them concurrently). */
const SCRAPE_MS = 500;

/**
 * The design's caches in the metrics, as `status` shows them: size against
 * the configured bound, entries, and hits and misses as counters (each
 * scrape adds what the cache counted since the last one, so a rate() gives
 * the hit rate).
 */
export function registerCacheMetrics(registry: Registry, source: () => (() => Promise<CacheFigures>) | undefined, now: () => number = Date.now): void {
  let last: { at: number; figures: Promise<CacheFigures> } | undefined;
  const figures = async (): Promise<[string, CacheStats][]> => {
    const read = source();
    if (read === undefined) return [];
    if (last === undefined || now() - last.at > SCRAPE_MS) last = { at: now(), figures: read().catch(() => ({})) };
    const all = await last.figures;
    return Object.entries(CACHES).flatMap(([label, key]) => (all[key] === undefined ? [] : [[label, all[key]] as [string, CacheStats]]));
  };
  const registers = [registry];
  const gauge = (name: string, help: string, value: (stats: CacheStats) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ["cache"],
      registers,
      async collect() {
        for (const [cache, stats] of await figures()) this.set({ cache }, value(stats));
      },
    });
  gauge("sync_pipeline_cache_bytes", "Estimated bytes each cache holds (cache.* bounds it).", (s) => s.sizeBytes);
  gauge("sync_pipeline_cache_max_bytes", "Each cache's bound in bytes, from the config (cache.*); 0 turns it off.", (s) => s.maxBytes);
  gauge("sync_pipeline_cache_entries", "Entries each cache holds (files; blocks for hit_rows).", (s) => s.entries);
  const counted = new Map<string, number>();
  const counter = (name: string, help: string, field: "hits" | "misses") =>
    new Counter({
      name,
      help,
      labelNames: ["cache"],
      registers,
      async collect() {
        for (const [cache, stats] of await figures()) {
          const key = `${cache}/${field}`;
          // A restarted writer thread counts from 0 again: its new counts are all new.
          const before = counted.get(key) ?? 0;
          this.inc({ cache }, stats[field] >= before ? stats[field] - before : stats[field]);
          counted.set(key, stats[field]);
        }
      },
    });
  counter("sync_pipeline_cache_hits_total", "Lookups each cache answered.", "hits");
  counter("sync_pipeline_cache_misses_total", "Lookups each cache could not answer.", "misses");
}
