// The writer alone: parses every file first (timed apart), then applies the
// batches with nothing else running, so the writer's own cost per batch size
// shows without the parse threads' contention (issue #8's breakdown).
//
//   SYNC_PIPELINE_PROFILE=1 node dist/bench/scenarios/writer-child.js GRAPH DATABASE BATCH_FILES
import process from "node:process";
import { IndexWriter } from "../../src/index/index-writer.ts";
import type { FileWrite } from "../../src/index/index-batch.ts";
import { readGraphConfig } from "../../src/logseq/graph-config.ts";
import { scanDirectory } from "../../src/pipeline/directory-scan.ts";
import { indexWriteOf } from "../lib/index-write.ts";

const [graphDir, database, batchArg] = process.argv.slice(2);
if (graphDir === undefined || database === undefined) throw new TypeError("usage: writer-child GRAPH DATABASE [BATCH_FILES]");
const batchFiles = Number(batchArg ?? 1024);

const started = performance.now();
const graph = await readGraphConfig(graphDir);
const disk = await scanDirectory(graphDir, graph);
const writes: FileWrite[] = [];
for (const snapshot of [...disk.files.values()].sort((a, b) => (a.path < b.path ? -1 : 1))) {
  writes.push(indexWriteOf(graphDir, snapshot, graph));
}
const parsedAt = performance.now();
const cpuParsed = process.cpuUsage();
const writer = await IndexWriter.open(database, graph);
// Settings to try, e.g. WRITER_SETTINGS="SET preserve_insertion_order = false; SET memory_limit = '1GB'".
for (const sql of (process.env["WRITER_SETTINGS"] ?? "").split(";").filter((s) => s.trim() !== "")) await writer.connection.run(sql);
const openedAt = performance.now();
let blocks = 0;
for (let i = 0; i < writes.length; i += batchFiles) blocks += (await writer.apply({ writes: writes.slice(i, i + batchFiles) })).blocks;
const appliedAt = performance.now();
const cpuApplied = process.cpuUsage(cpuParsed);
await writer.clusterPostings();
const clusteredAt = performance.now();
writer.close();
const ms = (a: number, b: number) => Math.round(b - a);
process.stdout.write(JSON.stringify({
  files: disk.files.size, blocks, batchFiles, parseMs: ms(started, parsedAt), openMs: ms(parsedAt, openedAt),
  applyMs: ms(openedAt, appliedAt), clusterMs: ms(appliedAt, clusteredAt), closeMs: ms(clusteredAt, performance.now()),
  applyCpuMs: Math.round((cpuApplied.user + cpuApplied.system) / 1000),
}) + "\n");
