import { test } from "node:test";
import assert from "node:assert/strict";
import { runJson, tempGraph } from "../support/cli.ts";
import type { SearchHit } from "../../src/index/search.ts";
import type { SyncSummary } from "../../src/pipeline/sync-summary.ts";
import { assertIndexInvariants } from "../support/index-invariants.ts";

test("search filters by page (name or alias), tag (block or page tags) and task marker", async () => {
  const g = await tempGraph({
    "pages/Garden.md": "alias:: allotment\ntags:: outdoors\n\n- TODO water the tomatoes\n- DONE plant tomatoes\n",
    "pages/Kitchen.md": "- TODO cook tomatoes #recipes\n- tomatoes on toast\n",
  });
  try {
    await runJson<SyncSummary>(["run", "--once", "--config", g.config]);
    const contents = async (...args: string[]) =>
      (await runJson<SearchHit[]>(["search", ...args, "--config", g.config])).map((h) => h.content).sort();

    assert.deepEqual(await contents("tomatoes"), [
      "DONE plant tomatoes", "TODO cook tomatoes #recipes", "TODO water the tomatoes", "tomatoes on toast",
    ]);
    assert.deepEqual(await contents("tomatoes", "--page", "GARDEN"), ["DONE plant tomatoes", "TODO water the tomatoes"]);
    assert.deepEqual(await contents("tomatoes", "--page", "allotment"), ["DONE plant tomatoes", "TODO water the tomatoes"]);
    assert.deepEqual(await contents("tomatoes", "--marker", "todo"), ["TODO cook tomatoes #recipes", "TODO water the tomatoes"]);
    assert.deepEqual(await contents("tomatoes", "--tag", "#recipes"), ["TODO cook tomatoes #recipes"]);
    assert.deepEqual(await contents("tomatoes", "--tag", "outdoors"), ["DONE plant tomatoes", "TODO water the tomatoes"]);
    // No words, only filters: every open TODO.
    assert.deepEqual(await contents("", "--marker", "TODO"), ["TODO cook tomatoes #recipes", "TODO water the tomatoes"]);
    await assertIndexInvariants(g.database);
  } finally {
    await g.cleanup();
  }
});
