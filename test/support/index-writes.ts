import { createHash } from "node:crypto";
import { IndexWriter } from "../../src/index/index-writer.ts";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SCHEMA_DDL } from "../../src/index/schema.ts";
import type { DuckDBConnection } from "@duckdb/node-api";
import { defaultGraphConfig } from "../../src/logseq/graph-config.ts";
import { indexedDocument } from "../../src/index/indexed-document.ts";
import type { ParseMemory } from "../../src/index/partial-parse.ts";
import type { FileWrite } from "../../src/index/index-batch.ts";
import { CONTENT_QUERIES } from "./index-tables.ts";
import { INVARIANTS } from "./index-invariants.ts";

/**
 * The `index` write the pipeline builds for a file (parse worker + file-sync),
 * built in-process, for tests that drive IndexWriter directly. With
 * `previousKeys` (another write's `keys`), a partial document, as the parse
 * worker builds for a large file it parsed before.
 */
export function indexWrite(path: string, text: string, idSeed?: string, previousKeys?: ParseMemory): Extract<FileWrite, { op: "index" }> & { keys: ParseMemory } {
  const { doc, keys } = indexedDocument(path, text, defaultGraphConfig, { idSeed, previousKeys });
  const bytes = Buffer.byteLength(text);
  return {
    op: "index",
    file: {
      path,
      size: bytes,
      mtime: 1_700_000_000_000,
      checksum: createHash("sha256").update(text).digest("hex"),
      status: "indexed",
      error: null,
      idSeed: idSeed ?? doc.page.name,
    },
    doc,
    keys,
  };
}

/** Every table's content rows, as index-tables.ts readIndexContent, through an open connection. */
export async function contentOf(connection: DuckDBConnection): Promise<Record<string, string[]>> {
  const content: Record<string, string[]> = {};
  for (const [table, sql] of Object.entries(CONTENT_QUERIES)) {
    const reader = await connection.runAndReadAll(sql);
    content[table] = (reader.getRowObjectsJson() as Record<string, unknown>[]).map((row) => JSON.stringify(row)).sort();
  }
  return content;
}

/** index-invariants.ts's broken rules, through an open connection. */
export async function violationsOf(connection: DuckDBConnection): Promise<string[]> {
  const broken: string[] = [];
  for (const { rule, sql } of INVARIANTS) {
    const rows = (await connection.runAndReadAll(sql)).getRowObjectsJson();
    if (rows.length > 0) broken.push(`${rule}: ${JSON.stringify(rows.slice(0, 3))}`);
  }
  return broken;
}

/**
 * One file's blocks in file order as readTreeBlocks gives them, with ids and
 * parent ids read as parser ids (`blocks.parser_id`): a diffed write and a
 * whole rewrite agree on them, whereas ids an edit keeps differ (issue #11).
 */
export async function parserTreeOf(connection: DuckDBConnection, path: string): Promise<unknown[]> {
  const reader = await connection.runAndReadAll(
    `SELECT b.parser_id, p.parser_id, b.position, b.content, b.pre_block
     FROM blocks b LEFT JOIN blocks p ON p.path = b.path AND p.id = b.parent_id WHERE b.path = $path ORDER BY b.seq`,
    { path },
  );
  return reader.getRowsJson();
}

/**
 * `table` rebuilt with one more CHECK (a SQL condition its rows must meet),
 * its rows kept: a batch writing a row that breaks it fails, as any write
 * error would, at the statement that writes that table.
 */
export async function refuseRows(writer: IndexWriter, table: string, check: string): Promise<void> {
  const ddl = SCHEMA_DDL.find((sql) => sql.includes(`TABLE IF NOT EXISTS ${table} (`)) as string;
  const c = writer.connection;
  await c.run(`ALTER TABLE ${table} RENAME TO ${table}_before`);
  await c.run(ddl.replace(/\)\s*$/, `, CHECK (${check}))`));
  await c.run(`INSERT INTO ${table} SELECT * FROM ${table}_before`);
  await c.run(`DROP TABLE ${table}_before`);
}

/** An IndexWriter on a fresh index in a temp folder for `body`; closed and the folder removed after. */
export async function withIndexWriter(prefix: string, body: (writer: IndexWriter) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const writer = await IndexWriter.open(join(dir, "index.duckdb"), defaultGraphConfig);
  try {
    await body(writer);
  } finally {
    writer.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Top-level blocks, one a line. */
export function outlinePage(lines: readonly string[]): string {
  return lines.map((line) => `- ${line}\n`).join("");
}
