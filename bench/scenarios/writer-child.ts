// The writer alone: parses every file first (timed apart), then applies the
// batches with nothing else running, so the writer's own cost per batch size
// shows without the parse threads' contention (issue #8's breakdown).
//
//   SYNC_PIPELINE_PROFILE=1 node dist/bench/scenarios/writer-child.js GRAPH DATABASE BATCH_FILES
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { IndexWriter } from "../../src/index/index-writer.ts";
import type { FileWrite } from "../../src/index/index-batch.ts";
import { serialiseBlocks } from "../../src/index/block-rows.ts";
import { foldedTitleTokens } from "../../src/index/title-tokens.ts";
import { readGraphConfig } from "../../src/logseq/graph-config.ts";
import { parseFile } from "../../src/logseq/parse.ts";
import { scanDirectory } from "../../src/pipeline/directory-scan.ts";

const [graphDir, database, batchArg] = process.argv.slice(2);
if (graphDir === undefined || database === undefined) throw new TypeError("usage: writer-child GRAPH DATABASE [BATCH_FILES]");
const batchFiles = Number(batchArg ?? 1024);

const started = performance.now();
const graph = await readGraphConfig(graphDir);
const disk = await scanDirectory(graphDir, graph);
const decoder = new TextDecoder("utf-8");
const writes: FileWrite[] = [];
for (const snapshot of [...disk.files.values()].sort((a, b) => (a.path < b.path ? -1 : 1))) {
  const bytes = readFileSync(join(graphDir, snapshot.path));
  const checksum = createHash("sha256").update(bytes).digest("hex");
  const parsed = parseFile(snapshot.path, decoder.decode(bytes), graph);
  const page = { ...parsed.page, titleTokens: foldedTitleTokens(parsed.page.originalName, parsed.page.aliases) };
  const { blockRows, refRows } = serialiseBlocks(snapshot.path, parsed.blocks);
  const warnings = parsed.warnings;
  writes.push({
    op: "index",
    file: {
      path: snapshot.path,
      size: bytes.byteLength,
      mtime: snapshot.mtime,
      checksum,
      status: warnings.length > 0 ? "warning" : "indexed",
      error: warnings.length > 0 ? warnings.join("; ") : null,
      idSeed: page.name,
    },
    doc: { page, blockCount: parsed.blocks.length, blockRows, refRows, warnings },
  });
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
