// The single-threaded baseline, run as its own process so its wall time and
// peak RSS compare with the CLI's: read, hash, parse, tokenise and insert on
// the main thread, no pools, batches applied one after another. The writer
// works as in `run --once` on an empty index: a bulk load (one DuckDB thread,
// the postings sorted once at the end) in batches of the pipeline's default
// size, so the ratio measures what the threads add, not a different writer.
//
//   node dist/bench/scenarios/baseline-child.js GRAPH DATABASE BATCH_FILES
import process from "node:process";
import { IndexWriter } from "../../src/index/index-writer.ts";
import type { FileWrite } from "../../src/index/index-batch.ts";
import { readGraphConfig } from "../../src/logseq/graph-config.ts";
import { scanDirectory } from "../../src/pipeline/directory-scan.ts";
import { indexWriteOf } from "../lib/index-write.ts";

const [graphDir, database, batchArg] = process.argv.slice(2);
if (graphDir === undefined || database === undefined) throw new TypeError("usage: baseline-child GRAPH DATABASE [BATCH_FILES]");
const batchFiles = Number(batchArg ?? 1024);

const started = performance.now();
const graph = await readGraphConfig(graphDir);
const disk = await scanDirectory(graphDir, graph);
const writer = await IndexWriter.open(database, graph);
await writer.startBulkLoad({ threads: 1 });
let writes: FileWrite[] = [];
let blocks = 0;
for (const snapshot of [...disk.files.values()].sort((a, b) => (a.path < b.path ? -1 : 1))) {
  writes.push(indexWriteOf(graphDir, snapshot, graph));
  if (writes.length >= batchFiles) {
    blocks += (await writer.apply({ writes })).blocks;
    writes = [];
  }
}
if (writes.length > 0) blocks += (await writer.apply({ writes })).blocks;
await writer.clusterPostings();
writer.close();
process.stdout.write(JSON.stringify({ files: disk.files.size, blocks, durationMs: Math.round(performance.now() - started) }) + "\n");
