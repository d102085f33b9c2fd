import { test } from "node:test";
import assert from "node:assert/strict";
import { openDatabase } from "../../src/index/database.ts";
import { searchIndex, type SearchHit } from "../../src/index/search.ts";
import { searchPages, type PageHit } from "../../src/index/page-search.ts";
import { containsPhrase, parseQuery } from "../../src/index/search-query.ts";
import { adjacentSwaps, pieces } from "../../src/index/term-expansion.ts";
import { runCli, runJson, tempGraph } from "../support/cli.ts";

/**
 * Issue #12: the queries people type. One small graph where each expansion
 * decides an outcome of its own; the frequent words of a question (how, do,
 * I, a, on) are made frequent by the filler pages, as they are in a real graph.
 */
const FILLER = Array.from({ length: 8 }, (_, i) => [`pages/Diary ${i}.md`, `- how do I get on with a day like ${i}\n`]);
const GRAPH: Record<string, string> = {
  "pages/Flashcards.md": "- cards help you remember\n- review flashcards daily\n",
  "pages/Flash.md": "- a flash of light\n",
  "pages/Calculator.md": "- the calculator sums numbers\n",
  "pages/Keyboard shortcuts.md": "- press keys for keyboard shortcuts\n",
  "pages/Tasks.md": "- set a deadline date on a task\n",
  "pages/Musings.md": "- how do I set out on a walk when I do not know how\n",
  "pages/Phrases.md": "- a block reference points here\n- reference to a block elsewhere\n",
  "pages/Misc.md": "- my notebook\n- one note\n",
  "pages/Memory.md": "- remember this\n- remember that\n- remeber the typo\n",
  "pages/Plants.md": "- water the plants\n",
  "pages/Garden.md": "- seeds and soil\n- water daily\n",
  ...Object.fromEntries(FILLER),
};

type Row = { page: string; content: string; terms: Record<string, string[]>; matched?: number };

test("as-you-type prefixes, typo corrections, phrases and questions rank as people expect (full ordered lists)", async () => {
  const g = await tempGraph(GRAPH);
  try {
    await runJson(["run", "--once", "--config", g.config]);
    const db = await openDatabase(g.database, { create: false, readOnly: true });
    try {
      const search = async (text: string, limit = 10): Promise<Row[]> =>
        (await searchIndex(db.connection, { text, limit })).map(({ page, content, terms }) => ({ page, content, terms }));
      const matchedOf = async (text: string) => (await searchIndex(db.connection, { text, limit: 10 })).map((h) => [h.page, h.content, h.matched]);
      const pagesOf = async (text: string, limit = 3): Promise<string[]> => (await search(text, limit)).map((h) => h.page);

      // The word being typed completes to indexed terms; the page so named comes first through its title.
      assert.deepEqual(await search("flashc"), [
        { page: "Flashcards", content: "cards help you remember", terms: { flashc: ["flashcards"] } },
        { page: "Flashcards", content: "review flashcards daily", terms: { flashc: ["flashcards"] } },
      ]);
      // A word typed in full ranks its exact matches above its completions.
      assert.deepEqual(await search("flash"), [
        { page: "Flash", content: "a flash of light", terms: { flash: ["flash"] } },
        { page: "Flashcards", content: "cards help you remember", terms: { flash: ["flashcards"] } },
        { page: "Flashcards", content: "review flashcards daily", terms: { flash: ["flashcards"] } },
      ]);
      // A space after the word ends it: no completions.
      assert.deepEqual(await pagesOf("flash "), ["Flash"]);
      // Completions weigh less than the word itself, in content too.
      assert.deepEqual((await search("note")).map((h) => h.content), ["one note", "my notebook"]);
      // One letter completes to nothing (it would match half the vocabulary).
      assert.deepEqual(await search("f"), []);

      // Typos: 1 edit for 4-7 letters (a missing letter, a swap), 2 edits from 8 letters; --json says the correction.
      assert.deepEqual(await search("calculater "), [
        { page: "Calculator", content: "the calculator sums numbers", terms: { calculater: ["calculator"] } },
      ]);
      assert.deepEqual(await search("keybord shortcts "), [
        { page: "Keyboard shortcuts", content: "press keys for keyboard shortcuts", terms: { keybord: ["keyboard"], shortcts: ["shortcuts"] } },
      ]);
      assert.deepEqual(await search("tsak "), [{ page: "Tasks", content: "set a deadline date on a task", terms: { tsak: ["task"] } }]);
      assert.deepEqual(await search("clculatr "), [{ page: "Calculator", content: "the calculator sums numbers", terms: { clculatr: ["calculator"] } }], "2 edits, 8 letters");
      assert.deepEqual(await search("keybrd "), [], "2 edits from keyboard, but 6 letters allow 1");
      assert.deepEqual(await search("tsk "), [], "3-letter words are not corrected");
      // A word found in a block or two may itself be the typo: commoner close words match too, below it.
      assert.deepEqual((await search("remeber ")).map((h) => [h.content, h.terms]), [
        ["remeber the typo", { remeber: ["remeber"] }],
        ["remember this", { remeber: ["remember"] }],
        ["remember that", { remeber: ["remember"] }],
        ["cards help you remember", { remeber: ["remember"] }],
      ]);
      // A page's name counts for all its blocks: "water daily" on the Garden page matches both words.
      assert.deepEqual(await matchedOf("garden water "), [
        ["Garden", "water daily", 2],
        ["Garden", "seeds and soil", 1],
        ["Plants", "water the plants", 1],
      ]);

      // Phrases: the words in that order, within one block.
      assert.deepEqual(await search('"block reference"'), [
        { page: "Phrases", content: "a block reference points here", terms: { block: ["block"], reference: ["reference"] } },
      ]);
      assert.deepEqual((await search("block reference ")).map((h) => h.content), ["a block reference points here", "reference to a block elsewhere"]);
      assert.deepEqual(await search('"reference block"'), []);

      // A question: its frequent words (how, do, I, a, on) weigh little, so the block answering with the rare
      // ones (set, date, task) comes first, above a block that holds more of the question's words.
      assert.deepEqual((await search("how do I set a due date on a task", 2)).map((h) => h.page), ["Tasks", "Musings"]);
    } finally {
      db.close();
    }
  } finally {
    await g.cleanup();
  }
});

test("search --pages finds pages by fuzzy name: any order, partial words, typos; through the CLI with --json", async () => {
  const g = await tempGraph({ ...GRAPH, "pages/Shortcuts.md": "alias:: Hotkeys\n\n- see keyboard\n" });
  try {
    await runJson(["run", "--once", "--config", g.config]);
    const pages = async (text: string): Promise<string[]> => (await runJson<PageHit[]>(["search", "--pages", text, "--config", g.config])).map((p) => p.page);
    assert.deepEqual(await pages("keybord short"), ["Keyboard shortcuts", "Shortcuts"]);
    assert.deepEqual(await pages("shortcuts keyboard"), ["Keyboard shortcuts", "Shortcuts"]);
    assert.deepEqual(await pages("hotkey"), ["Shortcuts"], "an alias, as a prefix");
    assert.deepEqual(await pages("calculater"), ["Calculator"]);
    assert.deepEqual(await pages("ashcard"), ["Flashcards"], "inside a word");
    assert.deepEqual(await pages("zzz"), []);
    const text = await runCli(["search", "--pages", "flashc", "--config", g.config]);
    assert.equal(text.stdout, "1. Flashcards  pages/Flashcards.md\n2. Flash  pages/Flash.md\n", "a completion above a 1-edit typo");
    const bad = await runCli(["search", "--pages", "x", "--tag", "y", "--config", g.config]);
    assert.equal(bad.code, 3);
    assert.match(bad.stderr, /--pages finds pages by title: it takes no --page, --tag or --marker/);
    const hits = await runJson<SearchHit[]>(["search", "keybord", "--config", g.config]);
    assert.deepEqual(hits.map((h) => h.terms), [{ keybord: ["keyboard"] }, { keybord: ["keyboard"] }]);
  } finally {
    await g.cleanup();
  }
});

test("query parsing: phrases, plain words, the word being typed", () => {
  assert.deepEqual(parseQuery('say "Block  Reference" now'), { words: ["block", "reference", "say", "now"], phrases: [["block", "reference"]], prefix: "now" });
  assert.deepEqual(parseQuery("keyboard "), { words: ["keyboard"], phrases: [], prefix: null });
  assert.deepEqual(parseQuery('"one two"'), { words: ["one", "two"], phrases: [["one", "two"]], prefix: null });
  assert.deepEqual(parseQuery('"one two'), { words: ["one", "two"], phrases: [], prefix: "two" }, "an open quote is still being typed");
  assert.deepEqual(parseQuery('"single"'), { words: ["single"], phrases: [], prefix: null });
  assert.deepEqual(parseQuery("Café?"), { words: ["cafe"], phrases: [], prefix: null });
  assert.equal(containsPhrase(["a", "b", "a", "c"], ["a", "c"]), true);
  assert.equal(containsPhrase(["a", "b", "c"], ["a", "c"]), false);
  assert.equal(containsPhrase(["a", "b"], ["b", "c"]), false);
  assert.deepEqual(pieces("keybord", 2), ["key", "bord"]);
  assert.deepEqual(pieces("calculater", 3), ["cal", "cul", "ater"]);
  assert.deepEqual(adjacentSwaps("tsak"), ["stak", "task", "tska"]);
});
