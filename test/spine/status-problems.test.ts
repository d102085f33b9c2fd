import { test } from "node:test";
import assert from "node:assert/strict";
import { runCli, runJson, tempGraph } from "../support/cli.ts";
import type { IndexStatus } from "../../src/index/status.ts";
import type { SyncSummary } from "../../src/pipeline/sync-summary.ts";

const BINARY = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x00, 0x00, 0x01, 0x02]);

test("status says how many files have problems and that its list of them was cut", async () => {
  const files: Record<string, string | Uint8Array> = { "pages/good.md": "- fine\n" };
  for (let i = 0; i < 103; i++) files[`pages/bin-${String(i).padStart(3, "0")}.md`] = BINARY;
  const g = await tempGraph(files);
  try {
    const summary = await runJson<SyncSummary>(["run", "--once", "--config", g.config], 1);
    assert.deepEqual({ indexed: summary.indexed, skipped: summary.skipped }, { indexed: 1, skipped: 103 });

    const json = await runJson<IndexStatus>(["status", "--config", g.config]);
    assert.equal(json.problemCount, 103);
    assert.equal(json.problems.length, 100);
    assert.deepEqual([json.problems[0]?.path, json.problems[99]?.path], ["pages/bin-000.md", "pages/bin-099.md"]);

    const human = await runCli(["status", "--config", g.config]);
    assert.equal(human.code, 0, human.stderr);
    assert.match(human.stdout, /^Files not cleanly indexed: 103 \(the first 100 listed\)$/m);
    assert.match(human.stdout, /^ {2}… and 3 more: SELECT path, status, error FROM files WHERE status <> 'indexed'$/m);
    assert.equal(human.stdout.match(/^ {2}skipped: /gm)?.length, 100);

    // At the limit nothing is cut, and nothing says so.
    for (const i of [100, 101, 102]) await g.remove(`pages/bin-${i}.md`);
    // Exit 0: the unchanged skipped files are not read or reported again.
    const second = await runJson<SyncSummary>(["run", "--once", "--config", g.config], 0);
    assert.deepEqual({ deleted: second.deleted, unchanged: second.unchanged, skipped: second.skipped }, { deleted: 3, unchanged: 101, skipped: 0 });
    const full = await runCli(["status", "--config", g.config]);
    assert.match(full.stdout, /^Files not cleanly indexed: 100$/m);
    assert.doesNotMatch(full.stdout, /more: SELECT/);
    assert.equal((await runJson<IndexStatus>(["status", "--config", g.config])).problemCount, 100);
  } finally {
    await g.cleanup();
  }
});
