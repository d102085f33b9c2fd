// The single-threaded baseline, run as its own process so its wall time and
// peak RSS compare with the CLI's: read, hash, parse, tokenise and insert on
// the main thread, no pools, batches applied one after another.
//
//   node dist/bench/scenarios/baseline-child.js GRAPH DATABASE BATCH_FILES
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
if (graphDir === undefined || database === undefined) throw new TypeError("usage: baseline-child GRAPH DATABASE [BATCH_FILES]");
const batchFiles = Number(batchArg ?? 256);

const started = performance.now();
const graph = await readGraphConfig(graphDir);
const disk = await scanDirectory(graphDir, graph);
const writer = await IndexWriter.open(database, graph);
const decoder = new TextDecoder("utf-8");
let writes: FileWrite[] = [];
let blocks = 0;
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
  if (writes.length >= batchFiles) {
    blocks += (await writer.apply({ writes })).blocks;
    writes = [];
  }
}
if (writes.length > 0) blocks += (await writer.apply({ writes })).blocks;
writer.close();
process.stdout.write(JSON.stringify({ files: disk.files.size, blocks, durationMs: Math.round(performance.now() - started) }) + "\n");
