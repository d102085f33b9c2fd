import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import process from "node:process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DEFAULT_WRITE_OPTIONS, IndexWriter } from "../../src/index/index-writer.ts";
import { defaultGraphConfig } from "../../src/logseq/graph-config.ts";
import { contentOf, indexWrite, parserTreeOf } from "../support/index-writes.ts";
import { indexedDocument } from "../../src/index/indexed-document.ts";
import type { IndexedDocument } from "../../src/index/index-batch.ts";
import type { ParseMemory } from "../../src/index/partial-parse.ts";

/**
 * Issue #11: a large page saved again is parsed in part (partial-parse.ts):
 * the top-level blocks around the edit, spliced into the previous parse.
 * Whatever the edit, the document must be the one a whole parse gives: the
 * same outline (keys and tree), page and block count, and the rows it
 * carries equal to the whole parse's rows of those blocks. Edits the rule
 * cannot splice (the first block, an unclosed code fence, `id::`, a text
 * that occurs elsewhere) fall back to a whole parse.
 */
const PATH = "pages/partial.md";
const SEED = "partial";
const decoder = new TextDecoder();

type Line = { text: string; depth: number };

/** 1,200 blocks: every third top-level, the two after it its children, one of those with a child of its own. */
function lines(): Line[] {
  return Array.from({ length: 1200 }, (_, i) => ({ text: `entry ${i} [[topic${i % 7}]]`, depth: i % 3 === 0 ? 0 : i % 3 === 1 ? 1 : 2 }));
}

let title = "Partial";

function render(page: Line[]): string {
  return `title:: ${title}\n` + page.map((l) => `${"  ".repeat(l.depth)}- ${l.text}\n`).join("");
}

/** Where the block first numbered `n` is now. */
function at(page: Line[], n: number): number {
  const index = page.findIndex((l) => l.text.startsWith(`entry ${n} `));
  assert.ok(index >= 0, `block ${n} is gone`);
  return index;
}

function rowsByOrd(doc: IndexedDocument): Map<number, string> {
  const text = decoder.decode(doc.blockRows) + decoder.decode(doc.refRows);
  const rows = new Map<number, string>();
  for (const line of text.split("\n")) {
    if (line === "") continue;
    const ord = (JSON.parse(line) as { ord: number }).ord;
    rows.set(ord, (rows.get(ord) ?? "") + line + "\n");
  }
  return rows;
}

/** Parses `text` against `previous` and checks it against a whole parse; returns the memory and whether it was partial. */
function check(text: string, previous: ParseMemory, what: string): { memory: ParseMemory; partial: boolean; rows: number } {
  const bytes = new TextEncoder().encode(text);
  const { doc, keys } = indexedDocument(PATH, text, defaultGraphConfig, { idSeed: SEED, previousKeys: previous, bytes });
  const whole = indexedDocument(PATH, text, defaultGraphConfig, { idSeed: SEED }).doc;
  assert.ok(doc.outline !== undefined && whole.outline !== undefined, what);
  assert.equal(doc.outline.keys, whole.outline.keys, what);
  assert.deepEqual(Array.from(doc.outline.place), Array.from(whole.outline.place), what);
  assert.deepEqual([doc.page, doc.blockCount, doc.warnings], [whole.page, whole.blockCount, whole.warnings], what);
  const wholeRows = rowsByOrd(whole);
  const rows = rowsByOrd(doc);
  for (const [ord, row] of rows) assert.equal(row, wholeRows.get(ord), `${what}: ord ${ord}`);
  assert.deepEqual(doc.source, doc.source === null ? null : bytes, what);
  // A partial parse takes the page from the previous parse (page-level rows come from the first blocks).
  return { memory: keys, partial: doc.page === previous.text?.page, rows: rows.size };
}

test("a large page's edits parsed in part give the whole parse's outline and rows; edits that cannot be spliced fall back to a whole parse", () => {
  let page = lines();
  let memory = indexedDocument(PATH, render(page), defaultGraphConfig, { idSeed: SEED }).keys;
  assert.ok(memory.text !== undefined, "a whole parse of a large page leaves its text for the next");
  const steps: [string, (p: Line[]) => Line[], boolean][] = [
    ["edit a child", (p) => (((p[at(p, 601)] as Line).text = "entry 601 edited [[other]]"), p), true],
    ["edit a top-level block", (p) => (((p[at(p, 600)] as Line).text = "entry 600 edited"), p), true],
    // Offsets are in bytes: blocks after multi-byte text (a whole parse after it, below, maps them from the text).
    ["non-ASCII text", (p) => (((p[at(p, 500)] as Line).text = "entry 500 café 日本 😀"), p), true],
    ["an edit after it", (p) => (((p[at(p, 800)] as Line).text = "entry 800 edited ü"), p), true],
    ["insert a top-level block", (p) => (p.splice(at(p, 900), 0, { text: "new top", depth: 0 }), p), true],
    ["insert a child", (p) => (p.splice(at(p, 301), 0, { text: "new child", depth: 1 }), p), true],
    ["delete a top-level block and its children", (p) => (p.splice(at(p, 450), 3), p), true],
    ["indent a top-level block", (p) => (((p[at(p, 300)] as Line).depth = 1), p), true],
    ["outdent a child to the top", (p) => (((p[at(p, 700)] as Line).depth = 0), p), true],
    ["a multi-line block with a closed code fence", (p) => (((p[at(p, 30)] as Line).text = "code\n  ```\n  - not a block\n  ```"), p), true],
    ["append at the end", (p) => [...p, { text: "the end", depth: 0 }], true],
    ["edit the last block", (p) => (((p[p.length - 1] as Line).text = "the very end"), p), true],
    ["edit the first block (the page's properties are in the pre-block)", (p) => (((p[at(p, 0)] as Line).text = "entry 0 edited"), p), true],
    ["edit the title (page-level)", (p) => ((title = "Partial two"), p), false],
    ["an unclosed code fence", (p) => (((p[at(p, 90)] as Line).text = "```js"), p), false],
    // Blocks 91 to 150 become lines of block 90.
    ["close it further down", (p) => (((p[at(p, 150)] as Line).text = "entry 150 closes\n  ```"), p), false],
    ["an id:: property", (p) => (((p[at(p, 210)] as Line).text = "with id\n  id:: 66a0c3e2-0000-4000-8000-000000000001"), p), false],
    ["a text that occurs elsewhere", (p) => (((p[at(p, 240)] as Line).text = "entry 999 [[topic5]]"), p), false],
    ["two edits far apart (the region between them holds no id::)", (p) => (((p[at(p, 1003)] as Line).text = "one edit"), ((p[at(p, 1150)] as Line).text = "another edit"), p), true],
    ["a block indented under nothing", (p) => (((p[at(p, 330)] as Line).depth = 0), ((p[at(p, 331)] as Line).depth = 3), p), true],
  ];
  for (const [what, change, partial] of steps) {
    page = change(page);
    const outcome = check(render(page), memory, what);
    assert.equal(outcome.partial, partial, `${what}: parsed in part`);
    memory = outcome.memory;
  }
});

test("random edits of a large page: the document parsed in part is the whole parse's (fast-check)", () => {
  const texts = ["alpha", "béta [[Gamma]] 😀", "日本", "TODO task", "#tag", "```", "  ```", "id:: 66a0c3e2-0000-4000-8000-000000000002", "title:: x"];
  const op = fc.record({
    at: fc.nat(1199),
    kind: fc.constantFrom("insert", "delete", "indent", "outdent", "edit", "line"),
    text: fc.constantFrom(...texts),
  });
  let runs = 0;
  let partials = 0;
  // PARTIAL_SEED=<n> replays a run's edits (fast-check names the seed of a failed property itself).
  const seed = Number(process.env["PARTIAL_SEED"] ?? Math.floor(Math.random() * 2 ** 31));
  fc.assert(
    fc.property(fc.array(op, { minLength: 1, maxLength: 4 }), (ops) => {
      let page = lines();
      let memory = indexedDocument(PATH, render(page), defaultGraphConfig, { idSeed: SEED }).keys;
      for (const o of ops) {
        page = page.map((l) => ({ ...l }));
        const i = o.at % page.length;
        const line = page[i] as Line;
        if (o.kind === "insert") page.splice(i, 0, { text: o.text, depth: line.depth });
        else if (o.kind === "delete") page.splice(i, 1);
        else if (o.kind === "indent") line.depth = Math.min(line.depth + 1, 3);
        else if (o.kind === "outdent") line.depth = Math.max(line.depth - 1, 0);
        else if (o.kind === "edit") line.text = o.text;
        else line.text += `\n${"  ".repeat(line.depth + 1)}${o.text}`;
        const outcome = check(render(page), memory, JSON.stringify(o));
        memory = outcome.memory;
        runs++;
        if (outcome.partial) partials++;
      }
    }),
    { numRuns: Number(process.env["PARTIAL_RUNS"] ?? 15), seed },
  );
  // Not vacuous: the partial path must carry a good share of the parses (none when it is broken). Over 150 seeds
  // the share was 0.37-0.94 (median 0.68), and one CI run met 10 of 32 (0.31) where a third was asked: a fifth.
  assert.ok(partials >= runs / 5, `only ${partials} of ${runs} parses were partial (seed ${seed}, replay with PARTIAL_SEED=${seed})`);
});

test("documents parsed in part, written as diffs, leave the tables a whole rewrite leaves", async () => {
  const dir = await mkdtemp(join(tmpdir(), "partial-parse-"));
  const diffing = await IndexWriter.open(join(dir, "diff.duckdb"), defaultGraphConfig);
  const whole = await IndexWriter.open(join(dir, "whole.duckdb"), defaultGraphConfig, undefined, { ...DEFAULT_WRITE_OPTIONS, incremental: false });
  try {
    let page = lines();
    let previous: ParseMemory | undefined;
    const edits: ((p: Line[]) => void)[] = [
      () => {},
      (p) => ((p[at(p, 601)] as Line).text = "entry 601 edited [[other]]"),
      (p) => p.splice(at(p, 900), 0, { text: "new top", depth: 0 }, { text: "its child", depth: 1 }),
      (p) => ((p[at(p, 300)] as Line).depth = 1),
      (p) => p.splice(at(p, 450), 3),
    ];
    for (const edit of edits) {
      edit(page);
      page = page.map((l) => ({ ...l }));
      const write = indexWrite(PATH, render(page), SEED, previous);
      previous = write.keys;
      await diffing.apply({ writes: [write] });
      await whole.apply({ writes: [indexWrite(PATH, render(page), SEED)] });
      assert.deepEqual(await contentOf(diffing.readConnection), await contentOf(whole.readConnection));
      assert.deepEqual(await parserTreeOf(diffing.readConnection, PATH), await parserTreeOf(whole.readConnection, PATH));
    }
    // The last edit deleted a top-level block and its two children: 3 blocks, 3 refs, 9 postings, the page row, the files
    // row (2), and the position of each of the 250 top-level blocks after them.
    assert.deepEqual(diffing.writeStats().lastBatch, { rowsTouched: 3 + 3 + 9 + 1 + 2 + 250, incrementalFiles: 1, wholeFiles: 0 });
  } finally {
    diffing.close();
    whole.close();
    await rm(dir, { recursive: true, force: true });
  }
});
