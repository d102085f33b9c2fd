// Issue #11 / #8: what each statement of one incremental write costs, in
// process (IndexWriter on a copy of a built index, no service, no debounce).
// Two cases: (i) one block of a 70,000-block page replaced (the previous
// edit reverted), (ii) a block appended to a small page; each on a diff-cache
// hit (the file's blocks are in the DiffStateCache) and a miss (forgotten
// before the write, as for the first edit of a file since the writer started).
// Prints, per case, the median ms of each statement and of the whole apply.
//
// `node dist/bench/scenarios/incremental-statements.js INDEX.duckdb GRAPH_DIR [edits] [blocks]`
import { copyFile, mkdtemp, readFile, rm } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { createHash } from "node:crypto";
import { DuckDBConnection } from "../../src/index/duckdb.ts";
import { IndexWriter } from "../../src/index/index-writer.ts";
import { indexedDocument } from "../../src/index/indexed-document.ts";
import type { ParseMemory } from "../../src/index/partial-parse.ts";
import type { FileWrite } from "../../src/index/index-batch.ts";
import { readGraphConfig } from "../../src/logseq/graph-config.ts";
import type { GraphConfig } from "../../src/logseq/types.ts";
import { percentile } from "../lib/stats.ts";

type Trace = { label: string; ms: number }[];
let trace: Trace | null = null;

/** Times every statement the writer's connection runs (run covers runAndReadAll) and every appender. */
function traceStatements(): void {
  const proto = DuckDBConnection.prototype as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  const run = proto["run"] as (...args: unknown[]) => Promise<unknown>;
  proto["run"] = async function (this: unknown, ...args: unknown[]) {
    const t = performance.now();
    try {
      return await run.apply(this, args);
    } catch (error) {
      console.error(`failed: ${labelOf(String(args[0]))}`);
      throw error;
    } finally {
      trace?.push({ label: labelOf(String(args[0])), ms: performance.now() - t });
    }
  };
  const createAppender = proto["createAppender"] as (...args: unknown[]) => Promise<unknown>;
  proto["createAppender"] = async function (this: unknown, ...args: unknown[]) {
    const t = performance.now();
    const appender = (await createAppender.apply(this, args)) as { closeSync: () => void };
    const close = appender.closeSync.bind(appender);
    appender.closeSync = () => {
      close();
      trace?.push({ label: `append ${String(args[0])}`, ms: performance.now() - t });
    };
    return appender;
  };
}

function labelOf(sql: string): string {
  return sql.replace(/\s+/g, " ").replace(/\b\d+\b/g, "N").trim().slice(0, 90);
}

function write(path: string, text: string, graph: GraphConfig, idSeed: string, previousKeys?: ParseMemory): { write: Extract<FileWrite, { op: "index" }>; keys: ParseMemory } {
  const { doc, keys } = indexedDocument(path, text, graph, { idSeed, ...(previousKeys === undefined ? {} : { previousKeys }) });
  const size = Buffer.byteLength(text);
  return {
    write: {
      op: "index",
      file: { path, size, mtime: Date.now(), checksum: createHash("sha256").update(text).digest("hex"), status: "indexed", error: null, idSeed },
      doc,
    },
    keys,
  };
}

function pageText(blocks: number, edit?: { at: number; text: string }): string {
  const lines: string[] = [];
  for (let i = 0; i < blocks; i++) {
    lines.push(edit?.at === i ? `- ${edit.text}\n` : `- entry ${i} of the long journal, notes on item${i % 997} and topic${i % 31}\n`);
  }
  return lines.join("");
}

type CaseResult = { name: string; applyMs: number[]; traces: Trace[]; rows: number[] };

async function timed(writer: IndexWriter, w: Extract<FileWrite, { op: "index" }>, result: CaseResult): Promise<void> {
  trace = [];
  const t = performance.now();
  await writer.apply({ writes: [w] });
  result.applyMs.push(performance.now() - t);
  result.traces.push(trace);
  result.rows.push(writer.writeStats().lastBatch?.rowsTouched ?? -1);
  if (writer.writeStats().lastBatch?.incrementalFiles !== 1) throw new Error(`${result.name}: the write was not incremental`);
  trace = null;
}

function report(result: CaseResult): void {
  const byLabel = new Map<string, number[][]>();
  for (const t of result.traces) {
    const seen = new Map<string, number>();
    for (const { label, ms } of t) {
      const n = seen.get(label) ?? 0;
      seen.set(label, n + 1);
      const key = n === 0 ? label : `${label} #${n + 1}`;
      const list = byLabel.get(key) ?? [];
      list.push([ms]);
      byLabel.set(key, list);
    }
  }
  const statements = result.traces.map((t) => t.length);
  console.log(`\n## ${result.name}: apply p50 ${percentile(result.applyMs, 50).toFixed(1)} ms, p95 ${percentile(result.applyMs, 95).toFixed(1)} ms; statements ${[...new Set(statements)].join("/")}; rows ${[...new Set(result.rows)].join("/")}`);
  const outside = result.traces.map((t, i) => (result.applyMs[i] as number) - t.reduce((sum, s) => sum + s.ms, 0));
  console.log(`| p50 ms | runs | statement |\n|---|---|---|`);
  console.log(`| ${percentile(outside, 50).toFixed(1)} | ${outside.length} | (outside statements: JavaScript) |`);
  for (const [label, list] of byLabel) {
    console.log(`| ${percentile(list.map((x) => x[0] as number), 50).toFixed(1)} | ${list.length} | ${label.replaceAll("|", "\\|")} |`);
  }
}

async function main(): Promise<void> {
  const [source = "", graphDir = "", editsArg = "8", blocksArg = "70000", only = "all"] = process.argv.slice(2);
  const edits = Number(editsArg);
  const blocks = Number(blocksArg);
  traceStatements();
  const dir = await mkdtemp(join(tmpdir(), "incr-stmts-"));
  const database = join(dir, "index.duckdb");
  await copyFile(source, database);
  if (existsSync(`${source}.wal`)) await copyFile(`${source}.wal`, `${database}.wal`);
  const graph = await readGraphConfig(graphDir);
  const writer = await IndexWriter.open(database, graph);
  try {
    if (only === "all" || only === "small") {
      const files = (await writer.connection.runAndReadAll(
        `SELECT f.path, coalesce(f.id_seed, p.name) FROM files f JOIN pages p USING (path) WHERE f.path LIKE 'pages/%.md' ORDER BY f.path`,
      )).getRows().map((r) => [r[0] as string, r[1] as string] as const);
      const miss: CaseResult = { name: "small page append, cache miss", applyMs: [], traces: [], rows: [] };
      const hit: CaseResult = { name: "small page append, cache hit", applyMs: [], traces: [], rows: [] };
      for (let i = 0; i < edits; i++) {
        const [path, seed] = files[(i * 37 + 11) % files.length] as readonly [string, string];
        let text = await readFile(join(graphDir, path), "utf8");
        text += `\n- edited benchword${i}a\n`;
        await timed(writer, write(path, text, graph, seed).write, miss);
        text += `- edited benchword${i}b\n`;
        await timed(writer, write(path, text, graph, seed).write, hit);
      }
      report(miss);
      report(hit);
    }
    if (only === "all" || only === "large") {
      const path = "pages/long-journal.md";
      let base = write(path, pageText(blocks), graph, "long-journal");
      await writer.apply({ writes: [base.write] });
      let keys = base.keys;
      const miss: CaseResult = { name: `${blocks}-block page, one block edited, cache miss`, applyMs: [], traces: [], rows: [] };
      const hit: CaseResult = { name: `${blocks}-block page, one block edited, cache hit`, applyMs: [], traces: [], rows: [] };
      for (let i = 0; i < 2 * edits; i++) {
        const at = Math.floor(blocks / 2) + i * 101;
        const next = write(path, pageText(blocks, { at, text: `edited largeedit${i}` }), graph, "long-journal", keys);
        // Without misses (INCR_HITS_ONLY=1), for a CPU profile of the hit path.
        const result = i % 2 === 0 || process.env["INCR_HITS_ONLY"] === "1" ? hit : miss;
        if (result === miss) writer.forgetDiffStates();
        await timed(writer, next.write, result);
        keys = next.keys;
      }
      report(miss);
      report(hit);
    }
  } finally {
    writer.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
