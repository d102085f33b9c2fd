import { LIST, VARCHAR, listValue, timestampValue } from "./duckdb.ts";
import type { DuckDBAppender, DuckDBConnection } from "@duckdb/node-api";
import { appendRows } from "./appenders.ts";
import { addPostings, addPostingsPart, type Part } from "./postings.ts";
import { SEQ_GAP } from "./schema.ts";
import { writeAll } from "./scratch-rows.ts";
import { blockRowsFrom, refRowsFrom } from "./block-row-reader.ts";
import type { FileRow, FileWrite, IndexedDocument } from "./index-batch.ts";
import { sqlString } from "./sql-string.ts";

/**
 * The set-based half of a batch (index-writer.ts `apply`): the files rows of
 * every write, and the pages, blocks, refs and postings of the documents
 * written whole. A handful of statements per batch, whatever its size.
 */
export type WholeWriteContext = {
  connection: DuckDBConnection;
  /** The scratch files the NDJSON rows go through (scratch-folder.ts). */
  scratchFiles: { blocks: string; refs: string };
  /** One statement, timed under its name (SYNC_PIPELINE_PROFILE=1); returns the rows it changed. */
  run: (name: string, sql: string) => Promise<number>;
  /** False in a bulk load: the batch's postings are not sorted by term (the load sorts the table at its end). */
  termOrder?: boolean;
  /** In a bulk load that keeps its postings in parts: the batch's postings and terms go to these Parquet files (postings-parts.ts). */
  postingsPart?: Part;
};

export type WholeDocuments = {
  blocks: number;
  /** Refs and postings inserted, for the rows-touched counter. */
  refsAndPostings: number;
  /** Postings inserted (fts_postings is put back in term order once enough pile up). */
  postings: number;
  /** The Parquet files the postings went to (`postingsPart`), if the batch had any block. */
  part?: Part;
  /** Each file's base key; none for a path written twice. */
  bases: Map<string, bigint>;
  /** The first key after the documents' blocks. */
  nextKey: bigint;
};

const VARCHAR_LIST = LIST(VARCHAR);

/** The files row of every write but deletes, written now. */
export async function appendFiles(c: DuckDBConnection, writes: FileWrite[]): Promise<void> {
  const now = timestampValue(BigInt(Date.now()) * 1000n);
  await appendRows(c, "files", (appender) => {
    for (const write of writes) {
      if (write.op === "delete") continue;
      const f = write.file;
      appender.appendVarchar(f.path);
      appender.appendBigInt(BigInt(f.size));
      appender.appendDouble(f.mtime);
      appendNullable(appender, f.checksum);
      appender.appendVarchar(f.status);
      appendNullable(appender, f.error);
      appender.appendTimestamp(now);
      appendNullable(appender, f.idSeed);
      appender.endRow();
    }
  });
}

/**
 * Loads the documents' pages through the Appender (one small row per file),
 * and their blocks, refs and postings with set-based SQL over the NDJSON the
 * parse workers produced: a block's key is its file's base key + its ord,
 * base keys counting up from `firstKey`. Counts come from the statements
 * themselves (counting the refs' lines in JavaScript and the postings by a
 * query cost the writer 0.6 s per 20,000 files).
 */
export async function appendDocuments(ctx: WholeWriteContext, docs: Extract<FileWrite, { op: "index" }>[], firstKey: bigint): Promise<WholeDocuments> {
  const keys = new Map<string, bigint>();
  let nextKey = firstKey;
  if (docs.length === 0) return { blocks: 0, refsAndPostings: 0, postings: 0, bases: keys, nextKey };
  const c = ctx.connection;
  const blockRows: Uint8Array[] = [];
  const refRows: Uint8Array[] = [];
  let count = 0;
  let refsAndPostings = 0;
  let postings = 0;
  await appendRows(c, "pages", async (pages) =>
    appendRows(c, "batch_docs", (bases) => {
      for (const { file, doc } of docs) {
        const base = nextKey;
        nextKey += BigInt(doc.blockCount);
        keys.set(file.path, keys.has(file.path) ? -1n : base);
        appendPage(pages, file, doc, doc.blockCount > 0 ? base : null);
        bases.appendVarchar(file.path);
        bases.appendVarchar(doc.page.name);
        bases.appendBigInt(base);
        bases.endRow();
        blockRows.push(doc.blockRows);
        refRows.push(doc.refRows);
        count += doc.blockCount;
      }
    }, "temp"),
  );
  if (count > 0) {
    writeAll(ctx.scratchFiles.blocks, blockRows);
    writeAll(ctx.scratchFiles.refs, refRows);
    // Keys and page names are joined in once, as the JSON is read: the copy into blocks and the
    // postings' unnest then read batch_blocks alone.
    await ctx.run("s.read_json", `INSERT INTO batch_blocks
      SELECT d.base + b.ord, b.id, d.page, b.path, b.parent_id, b.position, b.level, b.content, b.properties,
        b.marker, b.priority, b.scheduled, b.deadline, b.repeater, b.pre_block, b.length, b.tokens
      FROM ${blockRowsFrom(sqlString(ctx.scratchFiles.blocks))} b
      JOIN batch_docs d ON d.path = b.path`);
    // seq: file order, with gaps an incremental write can insert into (schema.ts SEQ_GAP).
    await ctx.run("s.blocks", `INSERT INTO blocks SELECT * EXCLUDE (tokens), key * ${SEQ_GAP}, id FROM batch_blocks`);
    if (refRows.some((rows) => rows.byteLength > 0)) {
      refsAndPostings += await ctx.run("s.refs", `INSERT INTO refs
        SELECT r.block_id, d.base + r.ord, d.page, r.path, r.target, r.kind
        FROM ${refRowsFrom(sqlString(ctx.scratchFiles.refs))} r
        JOIN batch_docs d ON d.path = r.path`);
    }
    postings = await buildPostings(ctx);
    refsAndPostings += postings;
  }
  await c.run(`DELETE FROM batch_docs`);
  for (const [path, base] of keys) if (base < 0n) keys.delete(path);
  return { blocks: count, refsAndPostings, postings, bases: keys, nextKey, ...(count > 0 && ctx.postingsPart !== undefined ? { part: ctx.postingsPart } : {}) };
}

/**
 * Builds the batch's postings inside DuckDB (vectorised). A term's id is
 * DuckDB's 64-bit `hash(term)`: postings need no lookup in the vocabulary,
 * which is kept beside them for users, for `status` and for BM25's df.
 * Counting per block as the tokens are unnested, to skip batch_terms'
 * occurrences, cost more than it saved (GROUP BY on the term strings).
 */
async function buildPostings(ctx: WholeWriteContext): Promise<number> {
  await ctx.run("s.unnest", `INSERT INTO batch_terms
    SELECT block_key, hash(term), term FROM (
      SELECT key AS block_key, unnest(string_split(tokens, ' ')) AS term FROM batch_blocks WHERE length > 0)`);
  const postings = ctx.postingsPart === undefined
    ? await addPostings(ctx.run, "batch_terms", ctx.termOrder ?? true)
    : await addPostingsPart(ctx.run, "batch_terms", ctx.postingsPart);
  await ctx.run("s.cleanup", `DELETE FROM batch_terms`);
  await ctx.run("s.cleanup", `DELETE FROM batch_blocks`);
  return postings;
}

function appendPage(appender: DuckDBAppender, file: FileRow, doc: IndexedDocument, firstKey: bigint | null): void {
  const page = doc.page;
  appender.appendVarchar(page.name);
  appender.appendVarchar(page.originalName);
  appender.appendVarchar(file.path);
  appendNullableInt(appender, page.journalDay);
  appender.appendVarchar(page.format);
  appendJson(appender, page.properties);
  appender.appendList(listValue(page.aliases), VARCHAR_LIST);
  appender.appendList(listValue(page.tags), VARCHAR_LIST);
  appender.appendVarchar(page.titleTokens);
  if (firstKey === null) appender.appendNull();
  else appender.appendBigInt(firstKey);
  appender.appendInteger(doc.blockCount);
  appendNullable(appender, file.checksum);
  appender.endRow();
}

function appendNullable(appender: DuckDBAppender, value: string | null): void {
  if (value === null) appender.appendNull();
  else appender.appendVarchar(value);
}

function appendNullableInt(appender: DuckDBAppender, value: number | null): void {
  if (value === null) appender.appendNull();
  else appender.appendInteger(value);
}

function appendJson(appender: DuckDBAppender, value: Record<string, unknown>): void {
  for (const _ in value) {
    appender.appendVarchar(JSON.stringify(value));
    return;
  }
  appender.appendNull();
}
