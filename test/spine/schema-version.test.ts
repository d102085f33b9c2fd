import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile, rename } from "node:fs/promises";
import { runCli, runJson, tempGraph } from "../support/cli.ts";
import { openDatabase } from "../../src/index/database.ts";
import { SCHEMA_VERSION } from "../../src/index/schema.ts";
import { assertIndexInvariants } from "../support/index-invariants.ts";
import type { SearchHit } from "../../src/index/search.ts";
import type { SyncSummary } from "../../src/pipeline/sync-summary.ts";

/** Turns an index into what schema version 3 wrote: fts_terms without df. */
async function downgradeToVersion3(database: string): Promise<void> {
  const db = await openDatabase(database, { create: false });
  try {
    await db.connection.run(`ALTER TABLE fts_terms DROP COLUMN df`);
    await db.connection.run(`UPDATE sync_state SET value = '3' WHERE key = 'schema_version'`);
    await db.connection.run(`CHECKPOINT`);
  } finally {
    db.close();
  }
}

test("an index of schema version 3 (no fts_terms.df) is refused and left as it was; moved aside, the next run rebuilds it", async () => {
  const g = await tempGraph({ "pages/a.md": "- alpha beta\n", "pages/b.md": "- alpha\n" });
  try {
    await runJson<SyncSummary>(["run", "--once", "--config", g.config]);
    await downgradeToVersion3(g.database);
    const before = await readFile(g.database);

    const run = await runCli(["run", "--once", "--config", g.config]);
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, new RegExp(`holds index schema version 3, this sync-pipeline uses ${SCHEMA_VERSION}; move the file aside`));
    const search = await runCli(["search", "alpha", "--config", g.config]);
    assert.equal(search.code, 3, search.stderr);
    assert.ok((await readFile(g.database)).equals(before), "the old index is not changed");

    await rename(g.database, g.database + ".v3");
    assert.equal((await runJson<SyncSummary>(["run", "--once", "--config", g.config])).indexed, 2);
    await assertIndexInvariants(g.database);
    const hits = await runJson<SearchHit[]>(["search", "alpha", "--config", g.config]);
    assert.deepEqual(hits.map((h) => h.path).sort(), ["pages/a.md", "pages/b.md"]);
  } finally {
    await g.cleanup();
  }
});
