import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { readdir, writeFile } from "node:fs/promises";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { basename, dirname } from "node:path";
import process from "node:process";
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
  // The same, named by the pid of a creating process that is gone.
  const dead = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
  await once(dead, "exit");
  await writeFile(`${g.database}.creating-${dead.pid}`, "");
  await writeFile(`${g.database}.creating-${dead.pid}.wal`, "partial");

  const result = await runCli(["run", "--once", "--config", g.config]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(existsSync(`${g.database}.creating`), false);
  assert.equal(existsSync(`${g.database}.creating.wal`), false);
  assert.deepEqual(await leftovers(g.database), []);
  const status = await runJson<IndexStatus>(["status", "--json", "--config", g.config]);
  assert.equal(status.files, 2);
  assert.equal(status.pages, 2);
  assert.equal(status.blocks, 2);
});

async function leftovers(database: string): Promise<string[]> {
  return (await readdir(dirname(database))).filter((name) => name.startsWith(`${basename(database)}.creating`));
}

/**
 * Two first starts at one moment (a service and a `run --once`, two
 * terminals) shared the name FILE.creating: each removed or renamed the
 * other's file, and they failed with ENOENT on the rename, or none of them
 * indexed anything. Now each builds its own file and one wins the link;
 * the others open the winner's index, as any later start does, and are
 * refused while it is in use.
 */
test("first starts racing on one new index: one builds it, every other one is refused as a second process, nothing is left over", async (t) => {
  const files: Record<string, string> = {};
  for (let i = 0; i < 40; i++) files[`pages/p${i}.md`] = `- block ${i} [[p${i + 1}]]\n`;
  const g = await tempGraph(files);
  t.after(() => g.cleanup());
  const results = await Promise.all([1, 2, 3, 4].map(() => runCli(["run", "--once", "--config", g.config])));
  const failed = results.filter((r) => r.code !== 0);
  assert.ok(failed.length < results.length, results.map((r) => r.stderr).join("\n"));
  for (const r of failed) {
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, new RegExp(`^sync-pipeline: ${g.database.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} is in use by another process`), r.stderr);
  }
  assert.deepEqual(await leftovers(g.database), []);
  const status = await runJson<IndexStatus>(["status", "--json", "--config", g.config]);
  assert.equal(status.files, 40);
  assert.equal(status.blocks, 40);
});
