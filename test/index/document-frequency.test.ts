import { test } from "node:test";
import assert from "node:assert/strict";
import { rename } from "node:fs/promises";
import { join } from "node:path";
import { runJson, tempGraph } from "../support/cli.ts";
import { queryRows } from "../support/db.ts";
import { assertIndexInvariants, assertSameAsCleanSync } from "../support/index-invariants.ts";
import type { SearchHit } from "../../src/index/search.ts";
import type { SyncSummary } from "../../src/pipeline/sync-summary.ts";

const sync = (config: string) => runJson<SyncSummary>(["run", "--once", "--config", config]);

/** The whole vocabulary as term → df: a term missing here has left fts_terms. */
async function documentFrequencies(database: string): Promise<Record<string, number>> {
  const rows = await queryRows(database, `SELECT term, df::INTEGER AS df FROM fts_terms ORDER BY term`);
  return Object.fromEntries(rows.map((r) => [String(r["term"]), Number(r["df"])]));
}

test("fts_terms.df counts the blocks holding each term through an edit, a delete, a move and a re-add", async () => {
  const g = await tempGraph({
    // "apple" twice in one block: df counts blocks, not occurrences.
    "pages/a.md": "- apple apple banana\n- apple cherry\n",
    "pages/b.md": "- apple banana\n",
    "pages/c.md": "- cherry\n",
  });
  try {
    await sync(g.config);
    assert.deepEqual(await documentFrequencies(g.database), { apple: 3, banana: 2, cherry: 2 });

    // An edit removes "banana" from one block and adds "date": banana 2 → 1, a new term joins with 1.
    await g.write("pages/a.md", "- apple apple date\n- apple cherry\n");
    assert.equal((await sync(g.config)).indexed, 1);
    assert.deepEqual(await documentFrequencies(g.database), { apple: 3, banana: 1, cherry: 2, date: 1 });
    await assertIndexInvariants(g.database);

    // A delete takes the last "banana": it leaves the vocabulary.
    await g.remove("pages/b.md");
    assert.equal((await sync(g.config)).deleted, 1);
    assert.deepEqual(await documentFrequencies(g.database), { apple: 2, cherry: 2, date: 1 });
    await assertIndexInvariants(g.database);

    // A move keeps its blocks and postings: no df changes.
    await rename(join(g.graph, "pages/c.md"), join(g.graph, "pages/moved.md"));
    const moved = await sync(g.config);
    assert.deepEqual({ renamed: moved.renamed, indexed: moved.indexed }, { renamed: 1, indexed: 0 });
    assert.deepEqual(await documentFrequencies(g.database), { apple: 2, cherry: 2, date: 1 });

    // A re-add brings "banana" back as a new term, with its block count.
    await g.write("pages/b.md", "- banana banana\n- banana apple\n");
    assert.equal((await sync(g.config)).indexed, 1);
    assert.deepEqual(await documentFrequencies(g.database), { apple: 3, banana: 2, cherry: 2, date: 1 });
    await assertSameAsCleanSync(g);
  } finally {
    await g.cleanup();
  }
});

test("fts_terms.df nets out one batch's removals and additions of the same term", async () => {
  const g = await tempGraph({
    "pages/a.md": "- shared only-a\n",
    "pages/b.md": "- shared\n- other\n",
  });
  try {
    await sync(g.config);
    assert.deepEqual(await documentFrequencies(g.database), { a: 1, only: 1, other: 1, shared: 2 });

    // One sync: a.md loses "shared" and "only", b.md gains "shared" in a second block, c.md is new.
    await g.write("pages/a.md", "- a\n");
    await g.write("pages/b.md", "- shared\n- other shared\n");
    await g.write("pages/c.md", "- only\n");
    assert.equal((await sync(g.config)).indexed, 3);
    assert.deepEqual(await documentFrequencies(g.database), { a: 1, only: 1, other: 1, shared: 2 });

    // One sync: a delete and a new file holding the same words.
    await g.remove("pages/b.md");
    await g.write("pages/d.md", "- shared other\n- shared\n- other\n");
    const summary = await sync(g.config);
    assert.deepEqual({ deleted: summary.deleted, indexed: summary.indexed }, { deleted: 1, indexed: 1 });
    assert.deepEqual(await documentFrequencies(g.database), { a: 1, only: 1, other: 2, shared: 2 });
    await assertSameAsCleanSync(g);
  } finally {
    await g.cleanup();
  }
});

test("fts_terms.df stays exact over many batches of one writer (one file per batch)", async () => {
  const g = await tempGraph(
    {
      "pages/a.md": "- common alpha\n- common\n",
      "pages/b.md": "- common beta\n",
      "pages/c.md": "- common gamma alpha\n",
    },
    { batch: { maxFiles: 1 } },
  );
  try {
    await sync(g.config);
    assert.deepEqual(await documentFrequencies(g.database), { alpha: 2, beta: 1, common: 4, gamma: 1 });

    // Three batches in one process, each deleting postings: none may count another's.
    await g.write("pages/a.md", "- alpha\n");
    await g.write("pages/b.md", "- common\n");
    await g.write("pages/c.md", "- gamma\n");
    assert.equal((await sync(g.config)).indexed, 3);
    assert.deepEqual(await documentFrequencies(g.database), { alpha: 1, common: 1, gamma: 1 });
    await assertSameAsCleanSync(g);
  } finally {
    await g.cleanup();
  }
});

test("search's BM25 reads each term's df: a rarer term scores higher, and scores follow a delete", async () => {
  // Every block holds two tokens, so BM25's length factor is 1 and a hit scores exactly ln(1 + (n - df + 0.5) / (df + 0.5)).
  const g = await tempGraph({
    "pages/w.md": "- common one\n",
    "pages/x.md": "- common two\n",
    "pages/y.md": "- common three\n",
    "pages/z.md": "- rare four\n",
  });
  try {
    await sync(g.config);
    // Equal scores rank by block key, which follows the order files finished parsing: the ties are compared sorted.
    const scores = async () => {
      const hits = (await runJson<SearchHit[]>(["search", "rare common", "--config", g.config])).map((h) => `${h.path} ${h.score}`);
      return [...hits.slice(0, 1), ...hits.slice(1).sort()];
    };
    // n = 4: rare (df 1) ln(1 + 3.5 / 1.5) = 1.204; common (df 3) ln(1 + 1.5 / 3.5) = 0.357.
    assert.deepEqual(await scores(), ["pages/z.md 1.204", "pages/w.md 0.357", "pages/x.md 0.357", "pages/y.md 0.357"]);

    await g.remove("pages/y.md");
    await sync(g.config);
    // n = 3: rare (df 1) ln(1 + 2.5 / 1.5) = 0.981; common (df 2) ln(1 + 1.5 / 2.5) = 0.47.
    assert.deepEqual(await scores(), ["pages/z.md 0.981", "pages/w.md 0.47", "pages/x.md 0.47"]);
  } finally {
    await g.cleanup();
  }
});
