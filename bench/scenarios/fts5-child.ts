// The plain FTS5 indexer of issue #8, "an afternoon's script": the baseline
// the pipeline's full index and no-op catch-up are compared with. Run as its
// own process (bench/lib/child.ts), so its wall time and peak RSS are
// measured as the CLI's are.
//
//   node dist/bench/scenarios/fts5-child.js GRAPH DATABASE
//
// One thread, one transaction, prepared statements, SQLite's own unicode61
// tokenizer, journal_mode=WAL with the default synchronous=FULL (one fsync at
// commit, as durable as the pipeline's DuckDB commit). A fresh database gets
// a full index; an existing one is brought up to date the simple way: re-walk,
// re-stat, re-read and re-hash every file, compare with the files table,
// re-index what differs, drop what is gone. That re-run is what the issue's
// "0.33 s (re-hashes everything)" measured.
//
// Blocks are split the simple way, not by the pipeline's parser: Markdown, a
// line starting with optional indentation and "- ", plus its continuation
// lines; Org, a line starting with "*"s and a space. Text before the first
// block (page properties) is a block of its own.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import Database from "better-sqlite3";

const [graphDir, databasePath] = process.argv.slice(2);
if (graphDir === undefined || databasePath === undefined) throw new TypeError("usage: fts5-child GRAPH DATABASE");

const started = performance.now();
const db = new Database(databasePath);
const journalMode = String(db.pragma("journal_mode = WAL", { simple: true }));
db.exec(`
  CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime REAL NOT NULL, sha256 TEXT NOT NULL);
  CREATE VIRTUAL TABLE IF NOT EXISTS blocks USING fts5(path UNINDEXED, content);
`);
const fresh = (db.prepare("SELECT count(*) AS n FROM files").get() as { n: number }).n === 0;

const insertBlock = db.prepare("INSERT INTO blocks (path, content) VALUES (?, ?)");
const upsertFile = db.prepare(
  "INSERT INTO files (path, size, mtime, sha256) VALUES (?, ?, ?, ?) ON CONFLICT (path) DO UPDATE SET size = excluded.size, mtime = excluded.mtime, sha256 = excluded.sha256",
);
const knownFile = db.prepare("SELECT sha256 FROM files WHERE path = ?").pluck();
// A full scan of the FTS5 table per changed file: fine for the plain script,
// and neither timed run (a full index, a no-op) ever reaches it.
const deleteBlocks = db.prepare("DELETE FROM blocks WHERE path = ?");
const deleteFile = db.prepare("DELETE FROM files WHERE path = ?");
const allPaths = db.prepare("SELECT path FROM files").pluck();

const counts = { files: 0, blocks: 0, indexed: 0, unchanged: 0, removed: 0 };
db.transaction(() => {
  const seen = new Set<string>();
  for (const path of walk(graphDir, "")) {
    seen.add(path);
    counts.files++;
    const full = join(graphDir, path);
    const stat = statSync(full);
    const bytes = readFileSync(full);
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    if (!fresh) {
      const known = knownFile.get(path) as string | undefined;
      if (known === sha256) {
        counts.unchanged++;
        continue;
      }
      if (known !== undefined) deleteBlocks.run(path);
    }
    for (const block of splitBlocks(bytes.toString("utf8"), path.endsWith(".org"))) {
      insertBlock.run(path, block);
      counts.blocks++;
    }
    upsertFile.run(path, bytes.byteLength, stat.mtimeMs, sha256);
    counts.indexed++;
  }
  if (!fresh) {
    for (const path of allPaths.all() as string[]) {
      if (seen.has(path)) continue;
      deleteBlocks.run(path);
      deleteFile.run(path);
      counts.removed++;
    }
  }
})();
db.close();
process.stdout.write(JSON.stringify({ mode: fresh ? "full" : "update", journalMode, ...counts, durationMs: Math.round(performance.now() - started) }) + "\n");

/** Every .md/.org file under `dir`, as a path relative to the graph; skips hidden folders and Logseq's own `logseq/` (config, backups). */
function* walk(root: string, dir: string): Generator<string> {
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
    const path = dir === "" ? entry.name : `${dir}/${entry.name}`;
    if (entry.isDirectory()) {
      if (!entry.name.startsWith(".") && path !== "logseq") yield* walk(root, path);
    } else if (entry.isFile() && (entry.name.endsWith(".md") || entry.name.endsWith(".org"))) {
      yield path;
    }
  }
}

function splitBlocks(text: string, org: boolean): string[] {
  const start = org ? /^\*+ / : /^[ \t]*- /;
  const blocks: string[] = [];
  let current: string[] = [];
  const flush = () => {
    const block = current.join("\n").trim();
    if (block !== "") blocks.push(block);
    current = [];
  };
  for (const line of text.split("\n")) {
    if (start.test(line)) flush();
    current.push(line);
  }
  flush();
  return blocks;
}
