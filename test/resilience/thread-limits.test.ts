import assert from "node:assert/strict";
import { test } from "node:test";
import { createPools, DEFAULT_THREAD_YOUNG_GENERATION_MB, prestartWriter } from "../../src/bulkheads/pools.ts";
import { configSchema } from "../../src/config/schema.ts";
import { loadConfig } from "../../src/config/load-config.ts";
import { DEFAULT_LIMITS } from "../../src/index/database.ts";
import { DEFAULT_HIT_ROWS_MAX_BYTES } from "../../src/index/hit-rows.ts";
import { readGraphConfig } from "../../src/logseq/graph-config.ts";
import { tempGraph } from "../support/cli.ts";

// Issue #8: a full index's memory is bounded by configuration. V8's default
// young generation (48 MB a thread) and DuckDB's memory_limit were the two
// largest shares of the peak that the config did not bound.

const pools = configSchema.properties.pools.properties;

test("the defaults read before the config (the prestarted writer's, an IndexWriter opened without limits) are config.schema.json's", () => {
  assert.equal(pools.threadYoungGenerationMb.default, DEFAULT_THREAD_YOUNG_GENERATION_MB);
  assert.deepEqual(DEFAULT_LIMITS, { threads: pools.writing.properties.duckdbThreads.default, memoryLimitMb: pools.writing.properties.duckdbMemoryMb.default });
  assert.equal(configSchema.properties.cache.properties.hitRowsMaxBytes.default, DEFAULT_HIT_ROWS_MAX_BYTES);
});

/** Every pool of a config whose `pools` section is `section` (undefined: the defaults), after `prestartWriter` when `prestart`. */
async function limitsOf(section: Record<string, unknown> | undefined, prestart: boolean): Promise<{ hashing: unknown; parsing: unknown; writerThread: unknown }> {
  const g = await tempGraph({ "pages/a.md": "- a\n" }, section === undefined ? {} : { pools: section });
  try {
    if (prestart) prestartWriter();
    const config = await loadConfig(g.config);
    const p = await createPools(config, await readGraphConfig(config.graph));
    try {
      // The writer's own thread answers with the limits it runs under.
      const writerThread = await p.writing.run(undefined, { name: "loaded" });
      return { hashing: p.hashing.resourceLimits, parsing: p.parsing.resourceLimits, writerThread };
    } finally {
      await p.close();
    }
  } finally {
    await g.cleanup();
  }
}

test("the hashing and writing threads run with pools.threadYoungGenerationMb as their young generation, the parsing threads with their own", async () => {
  const limits = await limitsOf({ threadYoungGenerationMb: 5 }, false);
  assert.deepEqual(limits.hashing, { maxYoungGenerationSizeMb: 5 });
  assert.deepEqual(limits.parsing, { maxOldGenerationSizeMb: 1024, maxYoungGenerationSizeMb: pools.parsing.properties.youngGenerationMb.default });
  assert.equal((limits.writerThread as { maxYoungGenerationSizeMb: number }).maxYoungGenerationSizeMb, 5);
  const parsing = await limitsOf({ parsing: { youngGenerationMb: 9 } }, false);
  assert.deepEqual(parsing.parsing, { maxOldGenerationSizeMb: 1024, maxYoungGenerationSizeMb: 9 });
  assert.deepEqual(parsing.hashing, { maxYoungGenerationSizeMb: DEFAULT_THREAD_YOUNG_GENERATION_MB });
});

test("the prestarted writer thread is adopted under the default young generation, and replaced under another", async () => {
  const adopted = await limitsOf(undefined, true);
  assert.equal((adopted.writerThread as { maxYoungGenerationSizeMb: number }).maxYoungGenerationSizeMb, DEFAULT_THREAD_YOUNG_GENERATION_MB);
  const replaced = await limitsOf({ threadYoungGenerationMb: 7 }, true);
  assert.equal((replaced.writerThread as { maxYoungGenerationSizeMb: number }).maxYoungGenerationSizeMb, 7);
});
