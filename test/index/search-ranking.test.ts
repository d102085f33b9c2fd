import { test } from "node:test";
import assert from "node:assert/strict";
import { runJson, tempGraph } from "../support/cli.ts";
import { assertIndexInvariants } from "../support/index-invariants.ts";
import type { SearchHit } from "../../src/index/search.ts";
import type { SyncSummary } from "../../src/pipeline/sync-summary.ts";

/**
 * One small graph where each ranking rule decides an order on its own: put
 * any one rule out of action and its query's full hit list changes. Blocks
 * that tie on score come out in key order (file order), so every fixture puts
 * the block a rule must promote last.
 */
const GRAPH = {
  // Length normalisation: both blocks hold "kiwi" once; only the shorter one's length lifts it.
  "pages/Fruit Notes.md": "- kiwi grows on vines in warm valleys with plenty of sun and rain\n- kiwi\n",
  // Exact page name: "garden" is a title word of both pages, and also a content word of the second;
  // only the exact-name weight puts the page called Garden first.
  "pages/Garden Plan.md": "- the garden plan for spring\n",
  "pages/Garden.md": "- seeds and soil\n",
  // More matched terms first: the market block holds both query words but is long, so it scores
  // below the Zucchini page's title weight; matching both words must still win.
  "pages/Market.md": "- apple stalls sell apple cider and one zucchini every saturday morning near the old town square\n- apple pie\n",
  "pages/Zucchini.md": "- a summer squash\n",
};

type Ranked = { page: string; content: string; matched: number };

test("ranking: shorter blocks, exact page names and more matched terms come first (full ordered lists)", async () => {
  const g = await tempGraph(GRAPH);
  try {
    const sync = await runJson<SyncSummary>(["run", "--once", "--config", g.config]);
    assert.equal(sync.indexed, 5);
    await assertIndexInvariants(g.database);
    const ranked = async (query: string): Promise<Ranked[]> =>
      (await runJson<SearchHit[]>(["search", query, "--config", g.config])).map(({ page, content, matched }) => ({ page, content, matched }));

    // BM25 length normalisation.
    assert.deepEqual(await ranked("kiwi"), [
      { page: "Fruit Notes", content: "kiwi", matched: 1 },
      { page: "Fruit Notes", content: "kiwi grows on vines in warm valleys with plenty of sun and rain", matched: 1 },
    ]);
    // Typing a page's exact name brings that page first.
    assert.deepEqual(await ranked("garden"), [
      { page: "Garden", content: "seeds and soil", matched: 1 },
      { page: "Garden Plan", content: "the garden plan for spring", matched: 1 },
    ]);
    // Blocks matching more of the query's terms come before higher-scoring blocks matching fewer.
    assert.deepEqual(await ranked("apple zucchini"), [
      { page: "Market", content: "apple stalls sell apple cider and one zucchini every saturday morning near the old town square", matched: 2 },
      { page: "Zucchini", content: "a summer squash", matched: 1 },
      { page: "Market", content: "apple pie", matched: 1 },
    ]);
  } finally {
    await g.cleanup();
  }
});
