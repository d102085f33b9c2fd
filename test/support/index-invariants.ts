import assert from "node:assert/strict";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { runCli } from "./cli.ts";
import { queryEach } from "./db.ts";

/**
 * Whole-index checks to run after any scenario (STYLE.md practice 11): a
 * search joins postings to blocks, so a leftover posting, term or ref is
 * invisible to it; only counting the tables finds one.
 */
export const INVARIANTS: { rule: string; sql: string }[] = [
  { rule: "posting without its block", sql: `SELECT term_hash, block_key FROM fts_postings WHERE block_key NOT IN (SELECT key FROM blocks)` },
  { rule: "posting without its term", sql: `SELECT term_hash, block_key FROM fts_postings WHERE term_hash NOT IN (SELECT term_hash FROM fts_terms)` },
  { rule: "term without postings", sql: `SELECT term FROM fts_terms WHERE term_hash NOT IN (SELECT term_hash FROM fts_postings)` },
  {
    rule: "term whose df is not its postings count",
    sql: `SELECT t.term, t.df, count(p.block_key) AS postings FROM fts_terms t LEFT JOIN fts_postings p USING (term_hash)
      GROUP BY t.term_hash, t.term, t.df HAVING t.df IS DISTINCT FROM count(p.block_key)`,
  },
  { rule: "term with df 0", sql: `SELECT term, df FROM fts_terms WHERE df IS NULL OR df <= 0` },
  { rule: "term listed twice", sql: `SELECT term FROM fts_terms GROUP BY term_hash, term HAVING count(*) > 1` },
  { rule: "posting listed twice", sql: `SELECT term_hash, block_key FROM fts_postings GROUP BY ALL HAVING count(*) > 1` },
  { rule: "block whose path files lacks", sql: `SELECT path, content FROM blocks WHERE path NOT IN (SELECT path FROM files)` },
  { rule: "ref whose path files lacks", sql: `SELECT path, target FROM refs WHERE path NOT IN (SELECT path FROM files)` },
  { rule: "page whose path files lacks", sql: `SELECT path, name FROM pages WHERE path NOT IN (SELECT path FROM files)` },
  { rule: "block whose page row is missing", sql: `SELECT path, content FROM blocks WHERE path NOT IN (SELECT path FROM pages)` },
  { rule: "block labelled with another page", sql: `SELECT b.path, b.page, p.name FROM blocks b JOIN pages p USING (path) WHERE b.page <> p.name` },
  { rule: "ref without its block", sql: `SELECT path, target FROM refs WHERE block_key NOT IN (SELECT key FROM blocks)` },
  {
    rule: "ref labelled with another path or page than its block",
    sql: `SELECT r.path, r.page, b.path AS block_path, b.page AS block_page FROM refs r JOIN blocks b ON b.key = r.block_key
      WHERE r.path <> b.path OR r.page <> b.page OR r.block_id <> b.id`,
  },
  {
    rule: "page whose block_count is not its blocks",
    sql: `SELECT p.path, p.block_count, count(b.key) AS blocks FROM pages p LEFT JOIN blocks b USING (path)
      GROUP BY p.path, p.block_count HAVING p.block_count <> count(b.key)`,
  },
  { rule: "block id used twice in a file", sql: `SELECT path, id FROM blocks GROUP BY path, id HAVING count(*) > 1` },
  // A kept id is never another block's parser id (block-edits.ts relies on it, and a clean sync would give it to that block).
  {
    rule: "block id that is another block's parser id",
    sql: `SELECT a.path, a.id FROM blocks a JOIN blocks b ON b.path = a.path AND b.parser_id = a.id AND b.key <> a.key`,
  },
  {
    rule: "block whose parent_id is no block of its file",
    sql: `SELECT b.path, b.parent_id FROM blocks b WHERE b.parent_id IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM blocks p WHERE p.path = b.path AND p.id = b.parent_id)`,
  },
  { rule: "block key used twice", sql: `SELECT key FROM blocks GROUP BY key HAVING count(*) > 1` },
  { rule: "block seq used twice in a file", sql: `SELECT path, seq FROM blocks GROUP BY path, seq HAVING count(*) > 1` },
  {
    rule: "page whose first_block_key is not its first block by seq",
    sql: `SELECT p.path, p.first_block_key FROM pages p
      WHERE p.first_block_key IS DISTINCT FROM (SELECT b.key FROM blocks b WHERE b.path = p.path ORDER BY b.seq LIMIT 1)`,
  },
  { rule: "file listed twice", sql: `SELECT path FROM files GROUP BY path HAVING count(*) > 1` },
  { rule: "page row for a path twice", sql: `SELECT path FROM pages GROUP BY path HAVING count(*) > 1` },
];

/** Every broken invariant, with up to three offending rows each; empty when the index is sound. */
export async function indexViolations(database: string): Promise<string[]> {
  const results = await queryEach(database, INVARIANTS.map(({ sql }) => sql));
  return INVARIANTS.flatMap(({ rule }, i) => {
    const rows = results[i] ?? [];
    return rows.length > 0 ? [`${rule}: ${rows.length} row(s), e.g. ${JSON.stringify(rows.slice(0, 3))}`] : [];
  });
}

export async function assertIndexInvariants(database: string): Promise<void> {
  assert.deepEqual(await indexViolations(database), [], "index invariants");
}

/**
 * The index's content without its surrogate keys and block ids (a move keeps
 * a block's key and id, a fresh sync derives new ones): what a clean sync of
 * the same folder must reproduce exactly.
 */
export async function indexContent(database: string): Promise<Record<string, unknown[]>> {
  // Blocks with their place in the file, ord: how many of its file's blocks come before it by seq (incremental writes keep keys, issue #11).
  const blocks = `(SELECT *, rank() OVER (PARTITION BY path ORDER BY seq) - 1 AS ord FROM blocks)`;
  const queries: Record<string, string> = {
    files: `SELECT path, size, checksum, status, error FROM files ORDER BY path`,
    pages: `SELECT name, original_name, path, journal_day, format, properties, aliases, tags, title_tokens, block_count FROM pages ORDER BY path`,
    blocks: `SELECT b.path, b.ord, b.page, b.position, b.level, b.content, b.properties, b.marker, b.priority,
        b.scheduled, b.deadline, b.repeater, b.pre_block, b.length
       FROM ${blocks} b JOIN pages pg USING (path) ORDER BY b.path, b.ord`,
    refs: `SELECT r.path, r.page, b.ord, r.target, r.kind
       FROM refs r JOIN ${blocks} b ON b.key = r.block_key JOIN pages pg ON pg.path = b.path ORDER BY ALL`,
    terms: `SELECT term, df FROM fts_terms ORDER BY term`,
    postings: `SELECT t.term, b.path, b.ord, p.tf
       FROM fts_postings p JOIN fts_terms t USING (term_hash) JOIN ${blocks} b ON b.key = p.block_key JOIN pages pg ON pg.path = b.path
       ORDER BY ALL`,
    counts: `SELECT (SELECT count(*) FROM files)::INTEGER AS files, (SELECT count(*) FROM pages)::INTEGER AS pages,
        (SELECT count(*) FROM blocks)::INTEGER AS blocks, (SELECT count(*) FROM refs)::INTEGER AS refs,
        (SELECT count(*) FROM fts_terms)::INTEGER AS terms, (SELECT count(*) FROM fts_postings)::INTEGER AS postings`,
  };
  const rows = await queryEach(database, Object.values(queries));
  return Object.fromEntries(Object.keys(queries).map((table, i) => [table, rows[i] ?? []]));
}

/**
 * Checks the invariants, then syncs the same folder into a fresh database
 * (beside the config, in `g.root`)
 * with the real CLI and asserts both indexes hold exactly the same rows: an
 * index kept up to date by edits, deletes and moves equals one built from
 * scratch.
 */
export async function assertSameAsCleanSync(g: { root: string; config: string; database: string }): Promise<void> {
  await assertIndexInvariants(g.database);
  const database = join(g.root, "clean-sync.duckdb");
  const config = join(g.root, "clean-sync-config.json");
  // Fresh every time: a second call in one test must not sync incrementally.
  await rm(database, { force: true });
  await rm(database + ".wal", { force: true });
  const settings = JSON.parse(await readFile(g.config, "utf8")) as Record<string, unknown>;
  await writeFile(config, JSON.stringify({ ...settings, database }));
  const run = await runCli(["run", "--once", "--json", "--config", config]);
  assert.ok(run.code === 0 || run.code === 1, `clean sync exited ${run.code}\n${run.stderr}`);
  await assertIndexInvariants(database);
  assert.deepEqual(await indexContent(g.database), await indexContent(database), "the index equals a clean sync of the same folder");
}
