import type { DuckDBConnection } from "@duckdb/node-api";
import { closeSync, openSync, writeSync } from "node:fs";
import { diffBlocks } from "./block-diff.ts";
import type { BlockPairs } from "./block-diff.ts";
import { planIds } from "./block-edits.ts";
import type { IdPlan } from "./block-edits.ts";
import { blockLines, type BlockLines } from "./block-lines.ts";
import { outlineBlocks } from "./block-outline.ts";
import { diffWindow, rememberPlace, stateAround, wholeWindow, type DiffWindow } from "./diff-window.ts";
import { SEQ_GAP } from "./schema.ts";
import { addPostings } from "./postings.ts";
import type { FileWrite, IndexedDocument } from "./index-batch.ts";
import type { DiffBlock, DiffStateCache } from "./diff-state-cache.ts";
import { appendRows } from "./appenders.ts";
import { blockRowsFrom, refRowsFrom } from "./block-row-reader.ts";
import { deleteDiffChanges } from "./gone-blocks.ts";
import type { DiffChanges } from "./model-delta.ts";
import { PAGE_FIELDS_SQL, pageFieldsText, rememberPageFields, samePageFields } from "./page-fields.ts";

/**
 * An `index` write of a file that has indexed content, applied as a diff
 * (issue #11): blocks whose content columns are unchanged keep their rows,
 * keys and postings; a kept block whose place in the tree changed (parent,
 * position among siblings, level) gets those three columns updated; only the
 * removed blocks' rows and the inserted blocks' rows are deleted and written,
 * with their refs, postings and document frequencies. An edited block (a
 * removed and an inserted one in the same place, block-edits.ts) is one of
 * each, written with the removed block's id and seq. A whole-file write and
 * this one leave the same tables, apart from internal keys, seqs and the ids
 * edits keep (`blocks.parser_id` holds the id a whole write would give).
 *
 * Inserted blocks take a `seq` between their kept neighbours' (whole-file
 * writes leave gaps of SEQ_GAP), so no kept block is renumbered.
 *
 * The first diff of a file since it was last written whole reads its blocks
 * back and digests both sides in DuckDB; it then leaves the file's blocks in
 * the DiffStateCache, keyed in JavaScript (block-lines.ts), so the next edit
 * is compared without DuckDB and loads only its inserted rows.
 */

/** The diff's scratch tables, private to the writer's connection. */
export const INCREMENTAL_SCRATCH_DDL = [
  `CREATE TEMP TABLE IF NOT EXISTS incr_blocks (path VARCHAR, ord BIGINT, id VARCHAR, parent_id VARCHAR,
    position INTEGER, level INTEGER, content VARCHAR, properties JSON, marker VARCHAR, priority VARCHAR,
    scheduled INTEGER, deadline INTEGER, repeater VARCHAR, pre_block BOOLEAN, length INTEGER, tokens VARCHAR)`,
  `CREATE TEMP TABLE IF NOT EXISTS incr_refs (path VARCHAR, ord BIGINT, block_id VARCHAR, target VARCHAR, kind VARCHAR)`,
  `CREATE TEMP TABLE IF NOT EXISTS incr_gone (key BIGINT)`,
  `CREATE TEMP TABLE IF NOT EXISTS incr_place (key BIGINT, parent_id VARCHAR, position INTEGER, level INTEGER)`,
  `CREATE TEMP TABLE IF NOT EXISTS incr_new (ord BIGINT, key BIGINT, seq BIGINT, id VARCHAR, parent_id VARCHAR)`,
  `CREATE TEMP TABLE IF NOT EXISTS incr_terms (block_key BIGINT, term_hash UBIGINT, term VARCHAR)`,
];

/**
 * A block's content columns and its refs as one digest: equal digests, equal
 * rows apart from the place columns and a kept id. The parser id is among
 * them (a content hash, or `id::`): an indexed block's `parser_id`, since
 * its `id` may be one an edit kept (block-edits.ts).
 */
const DIGEST = (id: string): string => `md5(to_json({id: ${id}, content: b.content, properties: b.properties, marker: b.marker, priority: b.priority,
  scheduled: b.scheduled, deadline: b.deadline, repeater: b.repeater, pre_block: b.pre_block, length: b.length, refs: r.refs})::VARCHAR)`;
/** One block of the diff, as DuckDB lists it: see DiffBlock (seq '' for a new block, parent_id '' for none). */
const BLOCK_TUPLE = (seq: string, parserId: string): string =>
  `[${seq}, ${DIGEST(parserId)}, coalesce(b.parent_id, ''), b.position::VARCHAR, b.level::VARCHAR, b.id,
    CASE WHEN ${parserId} = b.id THEN '' ELSE ${parserId} END,
    CASE WHEN json_extract(b.properties, '$.id') IS NULL THEN '' ELSE '1' END]`;
const REFS_OF = (table: string, by: string): string =>
  `(SELECT ${by}, list([target, kind] ORDER BY target, kind) AS refs FROM ${table} WHERE path = $path GROUP BY ${by})`;

export type IncrementalOptions = {
  /** Above this share of changed blocks (of the larger of old and new), the whole file is rewritten. */
  maxChangedFraction: number;
  /** Where the new blocks' and refs' NDJSON are staged for DuckDB's reader. */
  scratchBlocks: string;
  scratchRefs: string;
  /** Hands out `n` consecutive unused block keys; returns the first. */
  allocateKeys: (n: number) => bigint;
  /** Each file's blocks after its last incremental write: read instead of the blocks table, and updated. */
  cache: DiffStateCache;
  /** A partial document with every row (indexed-document.ts fullDocument). */
  fullDocument: (write: Extract<FileWrite, { op: "index" }>) => IndexedDocument;
  /** Collects the deleted blocks for the search model's refresh (search-model-refresh.ts). */
  changes?: DiffChanges;
  /** The page's indexed state when it was read ahead of the write (readIndexedState); equal to its committed rows. */
  prefetched?: (path: string) => IndexedState | undefined;
};

/**
 * What an incremental write did; `inserted` counts the edited blocks too (rewritten with their kept ids);
 * `rows`: rows of blocks, refs, fts_postings and pages deleted, inserted or updated.
 */
export type IncrementalOutcome = { kept: number; inserted: number; edited: number; deleted: number; placed: number; rows: number };

type Tuple = DiffBlock["t"];

/**
 * Applies `write` as a diff inside the caller's transaction, or returns null
 * having written nothing: the page row is unknown, a page-level field
 * changed, too much changed, or no seq fits between two kept blocks. The
 * caller then rewrites the whole file.
 */
export async function writeIncrementally(
  c: DuckDBConnection,
  write: Extract<FileWrite, { op: "index" }>,
  options: IncrementalOptions,
): Promise<IncrementalOutcome | null> {
  if (write.file.checksum === null) return null;
  // Only the scratch tables this write filled are emptied again: six DELETEs before and after
  // every write were a third of a one-block edit's statements.
  const filled = new Set<string>();
  const outcome = await writeDiff(c, write, options, filled);
  for (const table of filled) await c.run(`DELETE FROM ${table}`);
  return outcome;
}

async function writeDiff(
  c: DuckDBConnection,
  write: Extract<FileWrite, { op: "index" }>,
  options: IncrementalOptions,
  filled: Set<string>,
): Promise<IncrementalOutcome | null> {
  const path = write.file.path;
  // No outline: a document built to be written whole (index-batch.ts), compared with nothing.
  const outline = write.doc.outline;
  if (outline === undefined) return null;
  // A file in the cache is compared in JavaScript, by the cache's keys; otherwise both sides are
  // digested by DuckDB (the indexed blocks are only there), and the cache gets this write's keys.
  const cached = options.cache.get(path);
  const fields = pageFieldsText(write.doc.page);
  // Read ahead while the change settled (IndexWriter.prefetchDiffStates): only the new side is read now.
  const prefetched = cached === undefined ? options.prefetched?.(path) : undefined;
  if (prefetched !== undefined && prefetched.fields !== fields) return null;
  // A small page not in the cache: its rows loaded first, then one statement reads the page's fields and
  // both digests (three statements of a few ms each before: about a third of such an edit's time).
  const oneRead = cached === undefined && prefetched === undefined && write.doc.blockCount <= ONE_READ_MAX_BLOCKS;
  if (!oneRead && prefetched === undefined && !(await samePageFields(c, path, fields, cached))) return null;
  let doc = cached === undefined ? options.fullDocument(write) : write.doc;
  // The rows' lines by ord, for a cached file (the others load every row, below).
  let lines: BlockLines = { blockLines: new Map(), refLines: new Map() };
  let window: DiffWindow;
  let oldCount: number;
  if (cached !== undefined) {
    window = diffWindow(cached, outline);
    oldCount = cached.length;
    lines = blockLines(doc);
  } else {
    await load(c, options, doc.blockRows, doc.refRows, filled);
    const read = prefetched === undefined ? await indexedAndNew(c, path, oneRead) : { ...prefetched, after: await newBlocks(c, path) };
    if (oneRead && read.fields !== fields) return null;
    const { before, after } = read;
    window = wholeWindow(before, outline, after);
    oldCount = before.length;
  }
  let diff = diffBlocks(window.before.map((b) => b.t[1]), window.after.map((b) => b.t[1]));
  if (diff === null) return null;
  let plan = planIds(window.before, window.after, diff, window.written);
  // A new block deriving an id that an edit kept outside the window takes it away (block-edits.ts): the whole file then.
  if (cached !== undefined && [...window.keptOutside].some((id) => plan.derived.has(id))) {
    window = wholeWindow(cached, outline);
    diff = diffBlocks(window.before.map((b) => b.t[1]), window.after.map((b) => b.t[1]));
    if (diff === null) return null;
    plan = planIds(window.before, window.after, diff);
  }
  const { before, after, start } = window;
  const { pairs, edits } = plan;
  // Every block outside the window is kept as it was.
  const kept = oldCount - before.length + pairs.oldIndex.length;
  const larger = Math.max(oldCount, doc.blockCount);
  // An edited block counts as one kept in place: its row is rewritten as a whole write would, and
  // a one-block page (a journal day) keeps its block's id across edits instead of going whole.
  if (larger - kept - edits.size > options.maxChangedFraction * larger) return null;
  // An edited block keeps its old seq; the others are spread between the kept and edited ones.
  // Ords from here on are the window's (file ord - start).
  const seqs = insertedSeqs(before, after, withEdits(pairs, edits), window.lo, window.hi);
  if (seqs === null) return null;
  for (const [j, i] of edits) seqs.set(j, BigInt((before[i] as DiffBlock).t[0]));
  // A partial document lacks the row of a block its previous parse had but the diff did not keep
  // (moved, or that parse was never written): build every row.
  if (cached !== undefined && doc.source !== null && [...seqs.keys()].some((ord) => !lines.blockLines.has(start + ord))) {
    doc = options.fullDocument(write);
    lines = blockLines(doc);
  }

  // Decided: from here on, write.
  const keptOld = new Set(pairs.oldIndex);
  const gone = before.filter((_, i) => !keptOld.has(i)).map((b) => b.k);
  const placed: { key: string; parent: string; position: string; level: string }[] = [];
  pairs.oldIndex.forEach((i, n) => {
    const o = (before[i] as (typeof before)[number]);
    const a = (after[pairs.newIndex[n] as number] as (typeof after)[number]);
    const parent = plan.parents[pairs.newIndex[n] as number] as string;
    if (o.t[2] !== parent || o.t[3] !== a.t[3] || o.t[4] !== a.t[4]) placed.push({ key: o.k, parent, position: a.t[3], level: a.t[4] });
  });
  let rows = 0;
  const run = async (sql: string, params?: Record<string, string>): Promise<void> => {
    rows += (await c.run(sql, params)).rowsChanged;
  };
  // As in a whole-file write: the gone postings leave their terms' df (postings.ts updateDocumentFrequencies).
  rows += await deleteDiffChanges(c, gone, filled, options.changes);
  if (placed.length > 0) {
    await append(c, "incr_place", placed.map((p) => [p.key, p.parent === "" ? null : p.parent, p.position, p.level]), filled);
    await run(`UPDATE blocks SET parent_id = p.parent_id, position = p.position, level = p.level
      FROM incr_place p WHERE blocks.key = p.key`);
  }
  const newKeys = new Map<number, string>();
  if (seqs.size > 0) {
    const base = options.allocateKeys(seqs.size);
    let n = 0n;
    for (const ord of seqs.keys()) newKeys.set(ord, String(base + n++));
    await append(c, "incr_new", [...seqs].map(([ord, seq]) => {
      const parent = plan.parents[ord] as string;
      return [String(start + ord), newKeys.get(ord) as string, String(seq), plan.ids[ord] as string, parent === "" ? null : parent];
    }), filled);
    if (cached !== undefined) {
      // Only the inserted blocks' rows go through DuckDB's reader.
      const ords = [...seqs.keys()].map((ord) => start + ord);
      await load(c, options, encoder.encode(ords.map((ord) => lines.blockLines.get(ord) + "\n").join("")),
        encoder.encode(ords.flatMap((ord) => (lines.refLines.get(ord) ?? []).map((line) => line + "\n")).join("")), filled);
    }
    const page = write.doc.page.name;
    await run(`INSERT INTO blocks
      SELECT n.key, n.id, $page, b.path, n.parent_id, b.position, b.level, b.content, b.properties,
        b.marker, b.priority, b.scheduled, b.deadline, b.repeater, b.pre_block, b.length, n.seq, b.id
      FROM incr_blocks b JOIN incr_new n ON n.ord = b.ord`, { page });
    // No ref lines loaded, no refs to insert (an append of plain text, the usual edit).
    if (filled.has("incr_refs")) {
      await run(`INSERT INTO refs SELECT n.id, n.key, $page, r.path, r.target, r.kind FROM incr_refs r JOIN incr_new n ON n.ord = r.ord`,
        { page });
    }
    // As IndexWriter #buildPostings: the new keys are above the batch's first, so updateDocumentFrequencies counts them.
    filled.add("incr_terms");
    await c.run(`INSERT INTO incr_terms SELECT key, hash(term), term FROM (
        SELECT n.key, unnest(string_split(b.tokens, ' ')) AS term FROM incr_blocks b JOIN incr_new n ON n.ord = b.ord WHERE b.length > 0)`);
    rows += await addPostings(async (_name, sql) => (await c.run(sql)).rowsChanged, "incr_terms");
    // For a loaded search model's refresh (search-model-refresh.ts): the new postings, from the small scratch table.
    if (options.changes?.postings !== undefined) {
      const [hashes = [], terms = [], keys = [], tfs = []] = (await c.runAndReadAll(
        `SELECT term_hash::VARCHAR, any_value(term), block_key::DOUBLE, count(*)::DOUBLE FROM incr_terms GROUP BY term_hash, block_key`,
      )).getColumns();
      for (let i = 0; i < hashes.length; i++) {
        options.changes.postings.push({ hash: hashes[i] as string, term: terms[i] as string, key: keys[i] as number, tf: tfs[i] as number });
      }
    }
  }
  // The cache compares by the outline's keys, not DuckDB's digests.
  const inside = stateAfter(before, cached === undefined ? outlineBlocks(outline) : after, plan, seqs, newKeys);
  const state = cached === undefined ? rememberPlace(inside, outline) : stateAround(cached, window, inside, outline);
  // The new state's first block is the page's first block: a window after the first block leaves it as it was.
  // (Looking it up among the page's blocks by seq scanned the blocks table's paths: 2-9 ms an edit.)
  const firstBlock = start > 0 ? "" : `first_block_key = ${state[0] === undefined ? "NULL" : BigInt(state[0].k)}, `;
  if (start === 0) options.changes?.firstBlocks.set(path, state[0] === undefined ? null : Number(state[0].k));
  await run(`UPDATE pages SET ${firstBlock}block_count = ${doc.blockCount}, checksum = $checksum WHERE path = $path`,
    { path, checksum: write.file.checksum as string });
  options.cache.set(path, rememberPageFields(state, fields));
  return { kept, inserted: seqs.size, edited: edits.size, deleted: gone.length, placed: placed.length, rows };
}

/** New pages of at most this many blocks are read in one statement on a cache miss (indexedAndNew). */
const ONE_READ_MAX_BLOCKS = 2000;

/** A page's indexed blocks as the diff compares them (DuckDB's digests, file order) and its page fields (null unless one pages row). */
export type IndexedState = { before: DiffBlock[]; fields: string | null };

/** A list of {k, t} as one JSON text, in `o` order. */
const listOf = (select: string): string => `(SELECT coalesce(to_json(list({k: k, t: t} ORDER BY o))::VARCHAR, '[]') FROM (${select}) s)`;
/** The indexed blocks of $path, digested. */
const BEFORE = listOf(`SELECT b.key::VARCHAR AS k, ${BLOCK_TUPLE("b.seq::VARCHAR", "b.parser_id")} AS t, b.seq AS o
  FROM blocks b LEFT JOIN ${REFS_OF("refs", "block_key")} r ON r.block_key = b.key WHERE b.path = $path`);
/** The new blocks of $path in incr_blocks, digested. */
const AFTER = listOf(`SELECT b.ord::VARCHAR AS k, ${BLOCK_TUPLE("''", "b.id")} AS t, b.ord AS o
  FROM incr_blocks b LEFT JOIN ${REFS_OF("incr_refs", "ord")} r ON r.ord = b.ord WHERE b.path = $path`);
const FIELDS = `(SELECT list(${PAGE_FIELDS_SQL}) FROM pages WHERE path = $path)`;

async function readRow(c: DuckDBConnection, path: string, columns: string[]): Promise<unknown[]> {
  return (await c.runAndReadAll(`SELECT ${columns.join(", ")}`, { path })).getRows()[0] ?? [];
}
const blocksOf = (json: unknown): DiffBlock[] => JSON.parse(String(json)) as DiffBlock[];
const fieldsOf = (rows: unknown): string | null => {
  const fields = (rows as { items: string[] } | null)?.items ?? [];
  return fields.length === 1 ? (fields[0] as string) : null;
};

/**
 * The indexed side of a page's diff, read ahead of its write (one statement):
 * the service reads it while a change of the page settles, when the writer
 * is idle, so the edit's write reads only its new blocks (newBlocks).
 */
export async function readIndexedState(c: DuckDBConnection, path: string): Promise<IndexedState> {
  const [fields, before] = await readRow(c, path, [FIELDS, BEFORE]);
  return { before: blocksOf(before), fields: fieldsOf(fields) };
}

async function newBlocks(c: DuckDBConnection, path: string): Promise<DiffBlock[]> {
  return blocksOf((await readRow(c, path, [AFTER]))[0]);
}

/**
 * The indexed blocks of `path` and the new ones in incr_blocks, each in file
 * order, digested by DuckDB; with `withFields`, the indexed page's fields too
 * (PAGE_FIELDS_SQL; null unless exactly one pages row), all in one
 * statement. Otherwise the two lists are two statements: one statement
 * holding both lists of a 70,000-block page ran out of DuckDB's 256 MB once
 * in about eight runs (diff11). With a new page of at most
 * ONE_READ_MAX_BLOCKS blocks, one of the two lists is small.
 */
async function indexedAndNew(c: DuckDBConnection, path: string, withFields: boolean): Promise<{ before: DiffBlock[]; after: DiffBlock[]; fields: string | null }> {
  if (!withFields) return { before: blocksOf((await readRow(c, path, [BEFORE]))[0]), after: await newBlocks(c, path), fields: null };
  const [fields, before, after] = await readRow(c, path, [FIELDS, BEFORE, AFTER]);
  return { before: blocksOf(before), after: blocksOf(after), fields: fieldsOf(fields) };
}

/**
 * The seq of each inserted block (by its ord in the new parse): a run of
 * inserted blocks is spread evenly between the seqs of the kept blocks
 * around it, or steps by SEQ_GAP past the first or last one. Null when a run
 * does not fit between its neighbours.
 */
function insertedSeqs(
  before: { t: Tuple }[],
  after: { k: string }[],
  pairs: { oldIndex: number[]; newIndex: number[] },
  first: bigint | null,
  last: bigint | null,
): Map<number, bigint> | null {
  const keptAt = new Map<number, bigint>();
  pairs.newIndex.forEach((j, n) => keptAt.set(j, BigInt((before[pairs.oldIndex[n] as number] as { t: Tuple }).t[0])));
  const seqs = new Map<number, bigint>();
  const gap = BigInt(SEQ_GAP);
  let lo: bigint | null = first;
  let run: number[] = [];
  const place = (hi: bigint | null): boolean => {
    const k = BigInt(run.length);
    if (k === 0n) return true;
    let step = gap;
    let start: bigint = lo ?? (hi === null ? 0n : hi - gap * (k + 1n));
    if (lo !== null && hi !== null) {
      step = (hi - lo) / (k + 1n);
      if (step < 1n) return false;
      start = lo;
    }
    run.forEach((ord, i) => seqs.set(ord, start + step * BigInt(i + 1)));
    run = [];
    return true;
  };
  for (let j = 0; j < after.length; j++) {
    const seq = keptAt.get(j);
    if (seq === undefined) {
      run.push(j);
      continue;
    }
    if (!place(seq)) return null;
    lo = seq;
  }
  return place(last) ? seqs : null;
}

/** The file's blocks as this write leaves them, for the cache: kept blocks with their new place, inserted ones with their new key and seq. */
function stateAfter(
  before: DiffBlock[],
  after: DiffBlock[],
  plan: IdPlan,
  seqs: Map<number, bigint>,
  newKeys: Map<number, string>,
): DiffBlock[] {
  const keptFrom: (DiffBlock | undefined)[] = new Array(after.length);
  plan.pairs.newIndex.forEach((j, n) => (keptFrom[j] = before[plan.pairs.oldIndex[n] as number]));
  return after.map((block, j) => {
    const old = keptFrom[j];
    const [, digest, , position, level, parserId, , explicit] = block.t;
    const id = plan.ids[j] as string;
    const parent = plan.parents[j] as string;
    const written = id === parserId ? "" : parserId;
    if (old === undefined) return { k: newKeys.get(j) as string, t: [String(seqs.get(j)), digest, parent, position, level, id, written, explicit] };
    // Nearly every block of a large page is kept as it was: its entry is reused, not copied.
    const o = old.t;
    if (o[1] === digest && o[2] === parent && o[3] === position && o[4] === level && o[5] === id && o[6] === written && o[7] === explicit) return old;
    return { k: old.k, t: [o[0], digest, parent, position, level, id, written, explicit] };
  });
}

/** The kept pairs and the edits as one list of pairs, in file order: the blocks whose seqs stay. */
function withEdits(pairs: BlockPairs, edits: Map<number, number>): BlockPairs {
  const both = pairs.newIndex.map((j, n) => [j, pairs.oldIndex[n] as number] as const).concat([...edits]);
  both.sort((a, b) => a[0] - b[0]);
  return { oldIndex: both.map((p) => p[1]), newIndex: both.map((p) => p[0]) };
}

const encoder = new TextEncoder();

/** Loads NDJSON block and ref rows into incr_blocks and incr_refs. */
async function load(c: DuckDBConnection, options: IncrementalOptions, blockRows: Uint8Array, refRows: Uint8Array, filled: Set<string>): Promise<void> {
  filled.add("incr_blocks");
  writeBytes(options.scratchBlocks, blockRows);
  await c.run(`INSERT INTO incr_blocks SELECT * FROM ${blockRowsFrom("$file")}`,
    { file: options.scratchBlocks });
  if (refRows.byteLength === 0) return;
  filled.add("incr_refs");
  writeBytes(options.scratchRefs, refRows);
  await c.run(`INSERT INTO incr_refs SELECT * FROM ${refRowsFrom("$file")}`,
    { file: options.scratchRefs });
}

async function append(c: DuckDBConnection, table: string, rows: (string | null)[][], filled: Set<string>): Promise<void> {
  filled.add(table);
  await appendRows(c, table, (appender) => {
    for (const row of rows) {
      for (const value of row) {
        if (value === null) appender.appendNull();
        else appender.appendVarchar(value);
      }
      appender.endRow();
    }
  }, "temp");
}

function writeBytes(path: string, bytes: Uint8Array): void {
  const fd = openSync(path, "w");
  try {
    for (let done = 0; done < bytes.byteLength; ) done += writeSync(fd, bytes, done);
  } finally {
    closeSync(fd);
  }
}
