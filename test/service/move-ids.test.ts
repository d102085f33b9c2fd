import assert from "node:assert/strict";
import { rename } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { runJson, tempGraph } from "../support/cli.ts";
import { queryRows } from "../support/db.ts";
import { makeSandbox, pollUntil, search, ServiceProcess, writePage } from "./service-harness.ts";

type IdHit = { path: string; content: string; blockId: string };

/** Block id by block content, for the hits of `probe`. */
async function idsByContent(sandbox: Parameters<typeof search>[0], probe: string): Promise<Record<string, string>> {
  const hits = (await search(sandbox, probe)) as unknown as IdHit[];
  return Object.fromEntries(hits.map((h) => [h.content, h.blockId]));
}

const PAGE = "- alpha block idprobe\n- beta block idprobe\n\t- gamma child idprobe\n";

/**
 * Issue #14: docs/parser.md promises derived block ids stable across edits of
 * other blocks. Ids hash the page name, which a move changes: the name the
 * file was first indexed under (files.id_seed) is kept and used instead.
 */
test("service: after a move, an edit to one block keeps the other blocks' ids, also across a restart", async (t) => {
  const sandbox = await makeSandbox();
  t.after(() => sandbox.cleanup());
  await writePage(sandbox, "pages/first name.md", PAGE);
  let service = new ServiceProcess(sandbox.configPath);
  t.after(() => service.kill());
  await service.ready();
  const original = await idsByContent(sandbox, "idprobe");
  assert.equal(Object.keys(original).length, 3);

  await rename(join(sandbox.graph, "pages/first name.md"), join(sandbox.graph, "pages/second name.md"));
  await pollUntil(async () => (await search(sandbox, "idprobe")).every((h) => h.path === "pages/second name.md"), "move");
  assert.deepEqual(await idsByContent(sandbox, "idprobe"), original, "a move keeps every id");

  await writePage(sandbox, "pages/second name.md", PAGE.replace("beta block", "beta edited block"));
  await pollUntil(async () => "beta edited block idprobe" in (await idsByContent(sandbox, "idprobe")), "edit");
  const edited = await idsByContent(sandbox, "idprobe");
  assert.equal(edited["alpha block idprobe"], original["alpha block idprobe"]);
  assert.equal(edited["gamma child idprobe"], original["gamma child idprobe"]);

  assert.equal(await service.stop("SIGINT"), 0);
  await writePage(sandbox, "pages/second name.md", PAGE.replace("alpha block", "alpha edited block"));
  service = new ServiceProcess(sandbox.configPath);
  await service.ready();
  const afterRestart = await idsByContent(sandbox, "idprobe");
  assert.equal(afterRestart["beta block idprobe"], original["beta block idprobe"]);
  assert.equal(afterRestart["gamma child idprobe"], original["gamma child idprobe"]);
  assert.equal(await service.stop("SIGINT"), 0);
});

test("run --once: a page moved offline, then edited, keeps the ids of the blocks left alone", async () => {
  const g = await tempGraph({ "pages/first name.md": PAGE });
  try {
    const ids = async () =>
      Object.fromEntries((await queryRows(g.database, "SELECT content, id FROM blocks")).map((r) => [r["content"], r["id"]]));
    await runJson(["run", "--once", "--config", g.config]);
    const original = await ids();
    await rename(join(g.graph, "pages/first name.md"), join(g.graph, "pages/second name.md"));
    const moved = await runJson<{ renamed: number; indexed: number }>(["run", "--once", "--config", g.config]);
    assert.deepEqual({ renamed: moved.renamed, indexed: moved.indexed }, { renamed: 1, indexed: 0 });
    await g.write("pages/second name.md", PAGE.replace("beta block", "beta edited block"));
    await runJson(["run", "--once", "--config", g.config]);
    const edited = await ids();
    assert.equal(edited["alpha block idprobe"], original["alpha block idprobe"]);
    assert.equal(edited["gamma child idprobe"], original["gamma child idprobe"]);
    assert.notEqual(edited["beta edited block idprobe"], undefined);
    assert.deepEqual(await queryRows(g.database, "SELECT path, id_seed FROM files"), [{ path: "pages/second name.md", id_seed: "first name" }]);
  } finally {
    await g.cleanup();
  }
});
