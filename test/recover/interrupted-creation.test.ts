import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { test } from "node:test";
import { runCli, runJson, tempGraph } from "../support/cli.ts";
import type { IndexStatus } from "../../src/index/status.ts";

/**
 * A new index is built as FILE.creating and renamed into place once its
 * schema is committed (src/index/database.ts createAtomically): a crash while
 * DuckDB writes a new file's header can no longer leave a file at FILE that
 * every command refuses as damaged. What such a crash leaves now is a
 * `.creating` file, and maybe a WAL; the next run replaces them.
 */
test("a crash while creating the index leaves nothing in the way: a leftover FILE.creating and an orphan WAL are replaced", async (t) => {
  const g = await tempGraph({ "pages/a.md": "- alpha [[b]]\n", "pages/b.md": "- beta\n" });
  t.after(() => g.cleanup());
  // What a kill -9 during creation can leave: a partial new file, its WAL, and a WAL whose database is gone.
  await writeFile(`${g.database}.creating`, "");
  await writeFile(`${g.database}.creating.wal`, "partial");
  await writeFile(`${g.database}.wal`, "a WAL without its database");

  const result = await runCli(["run", "--once", "--config", g.config]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(existsSync(`${g.database}.creating`), false);
  assert.equal(existsSync(`${g.database}.creating.wal`), false);
  const status = await runJson<IndexStatus>(["status", "--json", "--config", g.config]);
  assert.equal(status.files, 2);
  assert.equal(status.pages, 2);
  assert.equal(status.blocks, 2);
});
