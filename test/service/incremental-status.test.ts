import assert from "node:assert/strict";
import { test } from "node:test";
import { makeSandbox, pollUntil, runCli, ServiceProcess, status, writePage } from "./service-harness.ts";
import type { WriteStats } from "../../src/index/write-stats.ts";
import { loadConfig } from "../../src/config/load-config.ts";
import { freePort, parsePrometheusText, valueOf } from "../observe/prometheus-text.ts";

const BLOCKS = 5000;
const page = (edited: boolean): string =>
  Array.from({ length: BLOCKS }, (_, i) => (edited && i === 2500 ? "- line2500 common edited\n" : `- line${i} common\n`)).join("");

/**
 * Issue #11: the running service writes a one-block edit of a 5,000-block
 * page as a block diff, and `status --json` says how many rows it touched:
 * files row 2 (delete, insert), block 2 (delete, insert), postings 2 out and
 * 3 in, page row 1.
 */
test("status counts the rows the writer touched: 10 for a one-block edit of a 5,000-block page, and both caches' hits and sizes (in the metrics too)", async (t) => {
  const port = await freePort();
  const sandbox = await makeSandbox({ logLevel: "warn", metrics: { port } });
  t.after(() => sandbox.cleanup());
  await writePage(sandbox, "pages/big.md", page(false));
  const service = new ServiceProcess(sandbox.configPath);
  t.after(() => service.kill());
  await service.ready();
  const writes = async () => (await status(sandbox))["writes"] as WriteStats;
  const started = await writes();
  const before = started.total;
  await writePage(sandbox, "pages/big.md", page(true));
  await pollUntil(async () => (await writes()).total.incrementalFiles === before.incrementalFiles + 1, "the edit written as a block diff");
  const after = await writes();
  assert.deepEqual(after.lastBatch, { rowsTouched: 10, incrementalFiles: 1, wholeFiles: 0 });
  // The page (1,000 blocks or more) was left in the writer's diff cache as written whole: the edit read nothing back.
  assert.deepEqual([after.diffStateCache?.hits, after.diffStateCache?.misses], [1, 0]);
  // The parse side kept the page's block keys from the start-up parse: the edit's parse found them (one hit).
  assert.deepEqual(after.blockKeyCache, {
    entries: 1, sizeBytes: after.blockKeyCache?.sizeBytes, maxBytes: (await loadConfig(sandbox.configPath)).cache.blockKeysMaxBytes, hits: 1, misses: started.blockKeyCache?.misses,
  });
  assert.ok((after.blockKeyCache?.sizeBytes ?? 0) > BLOCKS * 16, "one key a block at least");
  assert.equal(after.total.rowsTouched, before.rowsTouched + 10);
  // Edited back: the diff compares against the writer's cache of the page as the edit left it.
  await writePage(sandbox, "pages/big.md", page(false));
  await pollUntil(async () => (await writes()).total.incrementalFiles === before.incrementalFiles + 2, "the revert written as a block diff");
  const reverted = await writes();
  assert.deepEqual(reverted.lastBatch, { rowsTouched: 10, incrementalFiles: 1, wholeFiles: 0 });
  assert.deepEqual([reverted.diffStateCache?.hits, reverted.diffStateCache?.entries], [2, 1]);
  assert.deepEqual([reverted.blockKeyCache?.hits, reverted.blockKeyCache?.entries], [2, 1]);
  const text = await runCli(["status", "--config", sandbox.configPath]);
  assert.match(text.stdout, /^Writes: last batch 10 rows touched \(1 files diffed, 0 written whole\); since start \d+ rows touched \(2 files diffed, 1 written whole\) in \d+ batches$/m);
  // No search yet: the hit-row cache is empty, at the config's bound.
  const config = await loadConfig(sandbox.configPath);
  assert.match(text.stdout, new RegExp(
    `^Caches: diff state 1 files, \\d+ of \\d+ bytes, 2 hits, 0 misses; block keys 1 files, \\d+ of \\d+ bytes, 2 hits, \\d+ misses; ` +
      `search hit rows 0 blocks, 0 of ${config.cache.hitRowsMaxBytes} bytes, 0 hits, 0 misses; ` +
      `file metadata 1 files, \\d+ of ${config.cache.fileMetadataMaxBytes} bytes, \\d+ hits, 0 misses$`, "m"));
  // The service's file rows: the page's one row, every comparison served without reading the index.
  assert.deepEqual([reverted.fileMetadataCache?.entries, reverted.fileMetadataCache?.misses, reverted.fileMetadataCache?.maxBytes], [1, 0, config.cache.fileMetadataMaxBytes]);
  assert.ok((reverted.fileMetadataCache?.hits ?? 0) >= 2, "the edit and the revert compared with the cached row");
  // The metrics show the same figures.
  const samples = parsePrometheusText(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text());
  const figures = (cache: string) =>
    ["bytes", "max_bytes", "entries", "hits_total", "misses_total"].map((name) => valueOf(samples, `sync_pipeline_cache_${name}`, { cache }));
  const [diffState, blockKeys] = [figures("diff_state"), figures("block_keys")];
  assert.deepEqual(figures("hit_rows"), [0, config.cache.hitRowsMaxBytes, 0, 0, 0]);
  const fileMetadata = figures("file_metadata");
  assert.deepEqual(fileMetadata, [fileMetadata[0], config.cache.fileMetadataMaxBytes, 1, fileMetadata[3], 0]);
  assert.ok((fileMetadata[0] ?? 0) > 0 && (fileMetadata[3] ?? 0) >= 2);
  assert.deepEqual(diffState, [diffState[0], config.cache.diffStateMaxBytes, 1, 2, 0]);
  assert.deepEqual(blockKeys, [blockKeys[0], config.cache.blockKeysMaxBytes, 1, 2, reverted.blockKeyCache?.misses]);
  assert.ok((diffState[0] ?? 0) > 0 && (blockKeys[0] ?? 0) > BLOCKS * 16);
  assert.equal(await service.stop("SIGINT"), 0, service.stderr);
});
