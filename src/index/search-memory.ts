import { BIGINT, LIST, listValue } from "./duckdb.ts";
import type { DuckDBConnection } from "@duckdb/node-api";
import { foldText, tokenize } from "./tokenize.ts";
import { containsPhrase, parseQuery } from "./search-query.ts";
import { PHRASE_CANDIDATES, type SearchHit, type SearchQuery } from "./search.ts";
import { rankBlocks, scratchOf } from "./block-ranking.ts";
import { expandTermsInMemory } from "./term-expansion-memory.ts";
import { numberColumns } from "./number-columns.ts";
import { postingsOf, type Postings } from "./posting-lists.ts";
import type { SearchModel } from "./search-model.ts";
import type { TermMatch } from "./term-expansion.ts";
import type { HitRow, HitRowCache } from "./hit-rows.ts";

/** The model no longer matches the index (a batch committed since it was loaded): load it again. */
export class StaleSearchModel extends Error {
  readonly code = "STALE_SEARCH_MODEL";
}

/**
 * searchIndex (search.ts) for a query without filters, ranked in JavaScript
 * over an in-memory model (search-model.ts), postings included: one
 * statement, the hits' rows by row id (two with a phrase: its candidates'
 * content; one more for a term whose postings the model does not hold
 * whole). The same formula, sums in the same order and the same ties (file
 * order) as the SQL path, which stays the definition: a test holds both
 * equal (test/index/search-memory.test.ts).
 *
 * Throws StaleSearchModel when a hit's row is gone or its row id now holds
 * another block (or a posting read from the index names a block the model
 * lacks): a batch committed since the model was loaded. A commit the rows do
 * not show is the cache's to notice (search-model-cache.ts).
 */
export async function searchInMemory(connection: DuckDBConnection, model: SearchModel, query: SearchQuery, rowCache?: HitRowCache): Promise<SearchHit[]> {
  if (query.page !== undefined || query.tag !== undefined || query.marker !== undefined) throw new TypeError("searchInMemory takes no filters");
  const parsed = parseQuery(query.text);
  if (parsed.words.length === 0) return [];
  const matches = expandTermsInMemory(model, parsed.words, parsed.prefix);
  const postings = await readPostings(connection, model, matches);
  let allowed: Set<number> | null = null;
  if (parsed.phrases.length > 0) {
    allowed = await phraseSlots(connection, model, parsed.phrases, postings);
    if (allowed.size === 0) return [];
  }

  if (query.limit < 1) return [];
  const { blocks } = model;
  const words = parsed.words;
  const wordIndex = new Map(words.map((word, i) => [word, i]));
  // q: every match with its IDF (a title word in no block has df 0: the highest IDF).
  const q = matches.map((m) => {
    const df = m.termHash === null ? 0 : (model.vocabulary.get(m.term)?.df ?? 0);
    return { ...m, w: wordIndex.get(m.word) as number, idf: Math.log(1 + (model.documents - df + 0.5) / (df + 0.5)) };
  });
  const wordIdf = words.map((_, w) => Math.max(...q.filter((m) => m.w === w).map((m) => m.idf)));
  const totalIdf = wordIdf.reduce((a, b) => a + b, 0);

  const top = rankBlocks(model, words.length, q, postings, foldText(query.text).replaceAll('"', " ").trim().normalize("NFC"), wordIdf, totalIdf, allowed, query.limit);
  if (top.length === 0) return [];

  // No path: the block's page (joined on path when the model was loaded) has it, and each string column read costs.
  const rows = await hitRows(connection, model, top.map((t) => t.slot), rowCache);
  const terms = termsOn(model, top.map((t) => t.slot), q, postings);
  const hits: SearchHit[] = [];
  for (const t of top) {
    const row = rows.get(t.slot) as unknown[];
    const page = model.pages[blocks.page[t.slot] as number];
    // As the SQL path's join with pages: a block whose path has no page row is not listed.
    if (page === undefined) continue;
    hits.push({
      path: page.path,
      page: page.originalName,
      blockId: row[0] as string,
      content: row[1] as string,
      marker: (row[2] as string | null) ?? null,
      score: Math.round(t.score * 1000) / 1000,
      matched: t.matched,
      terms: terms.get(t.slot) ?? {},
    });
  }
  return hits;
}

/**
 * The postings of every matched indexed term, by term hash, block keys
 * turned into slots: the model's (posting-lists.ts), else read from the index.
 */
async function readPostings(connection: DuckDBConnection, model: SearchModel, matches: readonly TermMatch[]): Promise<Map<string, Postings>> {
  const out = new Map<string, Postings>();
  for (const m of matches) {
    const entry = m.termHash === null ? undefined : model.vocabulary.get(m.term);
    // A term refreshed since the load has its list, or none (read from the index); a loaded one its index in `postings`.
    const list = entry === undefined ? undefined : (entry.list ?? (entry.index < 0 ? undefined : postingsOf(model.postings, entry.index)));
    if (list !== undefined) out.set((m.termHash as bigint).toString(), list);
  }
  const hashes = [...new Set(matches.flatMap((m) => (m.termHash === null ? [] : [m.termHash.toString()])))].filter((hash) => !out.has(hash));
  if (hashes.length === 0) return out;
  // Hashes as constants: DuckDB's zone maps then skip all but the terms' row groups (fts_postings is in term order).
  const [terms = new Float64Array(), keys = new Float64Array(), tfs = new Float64Array()] = await numberColumns(
    connection,
    `SELECT (CASE term_hash ${hashes.map((h, i) => `WHEN ${h} THEN ${i}`).join(" ")} END)::DOUBLE, block_key::DOUBLE, tf::DOUBLE
     FROM fts_postings WHERE term_hash IN (${hashes.join(", ")})`,
  );
  const counts = new Int32Array(hashes.length);
  for (let i = 0; i < terms.length; i++) counts[terms[i] as number] = (counts[terms[i] as number] as number) + 1;
  const lists = hashes.map((_, i) => ({ slots: new Int32Array(counts[i] as number), tf: new Int32Array(counts[i] as number), n: 0 }));
  const slotOf = model.blocks.slotOf;
  for (let i = 0; i < terms.length; i++) {
    const list = lists[terms[i] as number] as (typeof lists)[number];
    const slot = slotOf(keys[i] as number);
    if (slot < 0) throw new StaleSearchModel(`block ${keys[i]} is not in the search model`);
    list.slots[list.n] = slot;
    list.tf[list.n++] = tfs[i] as number;
  }
  hashes.forEach((hash, i) => out.set(hash, lists[i] as Postings));
  return out;
}

/** A hit's columns (HitRow). */
const HIT_COLUMNS = ["id", "content", "marker"];

/** The hits' rows: from `cache` where it holds them (hit-rows.ts), the others read and kept there. */
async function hitRows(connection: DuckDBConnection, model: SearchModel, slots: readonly number[], cache: HitRowCache | undefined): Promise<Map<number, unknown[]>> {
  if (cache === undefined) return readBlockRows(connection, model, slots, HIT_COLUMNS);
  const rows = new Map<number, unknown[]>();
  const missing = slots.filter((slot) => {
    const row = cache.get(model.blocks.key[slot] as number);
    if (row !== undefined) rows.set(slot, row as unknown as unknown[]);
    return row === undefined;
  });
  if (missing.length === 0) return rows;
  for (const [slot, row] of await readBlockRows(connection, model, missing, HIT_COLUMNS)) {
    cache.set(model.blocks.key[slot] as number, row as unknown as HitRow);
    rows.set(slot, row);
  }
  return rows;
}

/** Columns of blocks by slot, fetched by row id (a join on key would read every block's content); checks each row is still its block. */
async function readBlockRows(connection: DuckDBConnection, model: SearchModel, slots: readonly number[], columns: readonly string[]): Promise<Map<number, unknown[]>> {
  const rowIds = slots.map((slot) => BigInt(model.blocks.rowId[slot] as number));
  const reader = await connection.runAndReadAll(
    `SELECT h.r, b.key::DOUBLE, ${columns.map((c) => `b.${c}`).join(", ")}
     FROM (SELECT unnest($rows::BIGINT[]) AS r) h JOIN blocks b ON b.rowid = h.r`,
    { rows: listValue(rowIds) },
    { rows: LIST(BIGINT) },
  );
  const bySlot = new Map<number, unknown[]>();
  const slotOfRow = new Map(slots.map((slot, i) => [rowIds[i] as bigint, slot]));
  for (const row of reader.getRows()) {
    const slot = slotOfRow.get(row[0] as bigint) as number;
    if (row[1] !== model.blocks.key[slot]) throw new StaleSearchModel(`row ${row[0]} no longer holds block ${model.blocks.key[slot]}`);
    bySlot.set(slot, row.slice(2));
  }
  if (bySlot.size !== new Set(slots).size) throw new StaleSearchModel("a block of the search model is gone");
  return bySlot;
}

/**
 * The slots of blocks holding every phrase, words in order: candidates hold
 * every word of them (their postings), the first PHRASE_CANDIDATES in file
 * order are read and tokenised as when indexed, as the SQL path does.
 */
async function phraseSlots(connection: DuckDBConnection, model: SearchModel, phrases: string[][], postings: Map<string, Postings>): Promise<Set<number>> {
  const words = [...new Set(phrases.flat())];
  const counts = new Map<number, number>();
  for (const word of words) {
    const hash = model.vocabulary.get(word)?.hash;
    const list = hash === undefined ? undefined : postings.get(hash);
    if (list === undefined) return new Set();
    for (const slot of list.slots) counts.set(slot, (counts.get(slot) ?? 0) + 1);
  }
  const candidates = [...counts].filter(([, n]) => n === words.length).map(([slot]) => slot);
  candidates.sort((a, b) => (model.blocks.seq[a] as number) - (model.blocks.seq[b] as number) || (model.blocks.page[a] as number) - (model.blocks.page[b] as number));
  const checked = candidates.slice(0, PHRASE_CANDIDATES);
  const out = new Set<number>();
  if (checked.length === 0) return out;
  const rows = await readBlockRows(connection, model, checked, ["content"]);
  for (const slot of checked) {
    const tokens = tokenize((rows.get(slot) as unknown[])[0] as string);
    if (phrases.every((phrase) => containsPhrase(tokens, phrase))) out.add(slot);
  }
  return out;
}

/** Each matched word on each hit and its distinct terms there, from every source, ordered as the SQL path orders them. */
function termsOn(model: SearchModel, slots: readonly number[], q: readonly TermMatch[], postings: Map<string, Postings>): Map<number, Record<string, string[]>> {
  const found = new Map<number, Map<string, Set<string>>>(slots.map((slot) => [slot, new Map()]));
  const note = (slot: number, m: TermMatch) => {
    const words = found.get(slot) as Map<string, Set<string>>;
    let set = words.get(m.word);
    if (set === undefined) words.set(m.word, (set = new Set()));
    set.add(m.term);
  };
  // The hits marked in the scratch: a typed array read per posting, not a map lookup (41,655 for "that").
  const x = scratchOf(model);
  const generation = ++x.generation;
  for (const slot of slots) x.mark[slot] = generation;
  for (const m of q) {
    const list = m.termHash === null ? undefined : postings.get(m.termHash.toString());
    if (list !== undefined) {
      const listSlots = list.slots;
      for (let i = 0; i < listSlots.length; i++) {
        const slot = listSlots[i] as number;
        if (x.mark[slot] === generation) note(slot, m);
      }
    }
    const pages = model.pagesByTitleWord.get(m.term);
    if (pages !== undefined) for (const slot of slots) if (pages.includes(model.blocks.page[slot] as number)) note(slot, m);
  }
  const out = new Map<number, Record<string, string[]>>();
  for (const [slot, words] of found) {
    const terms: Record<string, string[]> = {};
    for (const word of [...words.keys()].sort(byBytes)) terms[word] = [...(words.get(word) as Set<string>)].sort(byBytes);
    out.set(slot, terms);
  }
  return out;
}

/**
 * DuckDB's VARCHAR order: by UTF-8 bytes, which is code point order. By
 * UTF-16 code units, except that a surrogate (half of a code point above
 * U+FFFF) sorts above every other unit, as its code point does (page paths
 * are merged in this order, thousands per commit: no arrays of characters).
 */
export function byBytes(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointRank(x) - codePointRank(y);
  }
  return a.length - b.length;
}

/** A UTF-16 unit's place in code point order: surrogates move above U+FFFF's units, U+E000-U+FFFF down to make room. */
function codePointRank(unit: number): number {
  return unit >= 0xd800 && unit <= 0xdfff ? unit + 0x2000 : unit >= 0xe000 ? unit - 0x800 : unit;
}
