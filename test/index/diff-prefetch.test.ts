import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_WRITE_OPTIONS, IndexWriter } from "../../src/index/index-writer.ts";
import { defaultGraphConfig } from "../../src/logseq/graph-config.ts";
import { contentOf, indexWrite, refuseRows } from "../support/index-writes.ts";

const P = "pages/p.md";


// The service reads a page's indexed side of the block diff while its change settles (IndexWriter.prefetchDiffStates).
// With no diff cache, every diff would read it at write time: a writer reading ahead must leave exactly the tables
// of one that does not, and must never use a state that a batch has since made stale.
test("a page's indexed state read ahead of its write is used once and dropped by any batch that writes the page: the tables equal a writer's that never reads ahead", async () => {
  const dir = await mkdtemp(join(tmpdir(), "diff-prefetch-"));
  const options = { ...DEFAULT_WRITE_OPTIONS, diffStateMaxBytes: 0 };
  const writer = await IndexWriter.open(join(dir, "ahead.duckdb"), defaultGraphConfig, undefined, options);
  const clean = await IndexWriter.open(join(dir, "clean.duckdb"), defaultGraphConfig, undefined, options);
  const both = async (write: ReturnType<typeof indexWrite> | (ReturnType<typeof indexWrite> & { whole: true })) => {
    await writer.apply({ writes: [write] });
    await clean.apply({ writes: [write] });
    assert.deepEqual(await contentOf(writer.connection), await contentOf(clean.connection));
  };
  try {
    const lines = ["- alpha [[Q]]", "- beta", "\t- gamma child", "- delta"];
    const text = () => lines.join("\n") + "\n";
    await both(indexWrite(P, text()));
    await both(indexWrite("pages/q.md", "- q\n"));

    assert.equal(await writer.prefetchDiffStates([P, "pages/none.md"]), 1, "an indexed page is read ahead, an unknown one is not");
    assert.equal(await writer.prefetchDiffStates([P]), 0, "once until a batch writes it");
    lines.push("- epsilon appended");
    await both(indexWrite(P, text()));
    assert.equal(writer.prefetchesTaken, 1, "the diff took the state read ahead");
    assert.equal(writer.writeStats().lastBatch?.incrementalFiles, 1);

    // Read ahead, then written whole: what was read is stale, and the next diff must read the page again.
    assert.equal(await writer.prefetchDiffStates([P]), 1);
    lines.splice(1, 1, "- beta rewritten", "- zeta");
    await both({ ...indexWrite(P, text()), whole: true });
    lines[0] = "- alpha edited [[Q]]";
    await both(indexWrite(P, text()));
    assert.equal(writer.prefetchesTaken, 1, "the stale state was dropped, not taken");

    // Read ahead, then taken by a batch that fails: what was read is dropped with it, and the next write reads again.
    assert.equal(await writer.prefetchDiffStates([P]), 1);
    await refuseRows(writer, "pages", "path <> 'pages/bad.md'");
    lines.push("- eta");
    await assert.rejects(writer.apply({ writes: [indexWrite(P, text()), indexWrite("pages/bad.md", "- refused\n")] }), /CHECK constraint failed/);
    assert.equal(writer.prefetchesTaken, 2);
    await both(indexWrite(P, text()));
    assert.equal(writer.prefetchesTaken, 2, "not taken again after the rollback");
  } finally {
    writer.close();
    clean.close();
    await rm(dir, { recursive: true, force: true });
  }
});
