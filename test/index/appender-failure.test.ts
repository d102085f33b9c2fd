import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { IndexWriter } from "../../src/index/index-writer.ts";
import { defaultGraphConfig } from "../../src/logseq/graph-config.ts";
import { contentOf, indexWrite, refuseRows } from "../support/index-writes.ts";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** A full collection, then a turn of the event loop for the finalizers of native objects (DuckDB's appenders among them). */
async function collectGarbage(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const BAD = "pages/bad.md";


// DuckDB flushes an appender's buffered rows when it is destroyed, and the client destroys it when it is garbage
// collected: an appender left open by a failed batch would append that batch's rows into whatever runs on the
// connection at that moment (a later batch's transaction, or a statement of its own).
test("a batch that fails while appending leaves nothing in its appenders: a garbage collection afterwards adds no row, and the next batch is written as if the failed one never ran", async () => {
  const dir = await mkdtemp(join(tmpdir(), "appender-failure-"));
  const writer = await IndexWriter.open(join(dir, "index.duckdb"), defaultGraphConfig);
  const clean = await IndexWriter.open(join(dir, "clean.duckdb"), defaultGraphConfig);
  try {
    const seed = indexWrite("pages/seed.md", "- seed\n");
    await writer.apply({ writes: [seed] });
    await refuseRows(writer, "pages", `path <> '${BAD}'`);
    const good = Array.from({ length: 3 }, (_, i) => indexWrite(`pages/good-${i}.md`, `- good page ${i} [[seed]]\n\t- child ${i}\n`));
    await assert.rejects(writer.apply({ writes: [...good, indexWrite(BAD, "- refused\n")] }), /CHECK constraint failed/);
    await collectGarbage();
    await writer.apply({ writes: good });
    await collectGarbage();

    await clean.apply({ writes: [seed] });
    await clean.apply({ writes: good });
    assert.deepEqual(await contentOf(writer.connection), await contentOf(clean.connection));
  } finally {
    writer.close();
    clean.close();
    await rm(dir, { recursive: true, force: true });
  }
});
