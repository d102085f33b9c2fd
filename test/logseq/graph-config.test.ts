import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { defaultGraphConfig, parseGraphConfig, readGraphConfig } from "../../src/logseq/graph-config.ts";
import { MAX_EDN_DEPTH, readEdn } from "../../src/logseq/edn.ts";

const REAL = `;; comment
{:meta/version 1
 :hidden ["/archived" "drafts/"] ; trailing comment
 :file/name-format :triple-lowbar
 :journal/page-title-format "yyyy-MM-dd"
 :property/separated-by-commas #{:Related :see_also}
 :macros {"poem" "Rose is $1, \\"violet\\" $2\\n"}
 :ignored #"\\d+\\.md"
 :default-queries {:journals [{:query [:find (pull ?b [*]) :where [?b :block/marker ?m]] #_ :discarded}]}
 :char \\a
 :journals-directory "daily"
 :pages-directory "notes/"}`;

test("reads the fields that matter from a real-looking config.edn", () => {
  assert.deepEqual(parseGraphConfig(REAL), {
    hidden: ["archived", "drafts"],
    fileNameFormat: "triple-lowbar",
    journalPageTitleFormat: "yyyy-MM-dd",
    separatedByCommas: ["related", "see-also"],
    journalsDirectory: "daily",
    pagesDirectory: "notes",
    warnings: [],
  });
});

test("broken EDN gives defaults and a warning, never throws", () => {
  const c = parseGraphConfig('{:hidden ["a"');
  assert.deepEqual({ ...c, warnings: [] }, { ...defaultGraphConfig, warnings: [] });
  assert.deepEqual(c.warnings, ["config.edn is not valid EDN (unclosed '[' at line 1); using defaults"]);
  assert.equal(parseGraphConfig("[1 2]").warnings.length, 1);
  assert.equal(parseGraphConfig("{:a 1} extra").warnings.length, 1);
});

test("EDN values: strings with escapes, sets, regexes, numbers, nil", () => {
  assert.deepEqual(readEdn('[nil true -1.5 "a\\tb\\u00e9" #{:k} #"x\\"y" sym]'), [
    null, true, -1.5, "a\tbé", { set: [{ kw: "k" }] }, { regex: 'x\\"y' }, { sym: "sym" },
  ]);
});

test("readGraphConfig: missing file → defaults without warning; present file is read", async () => {
  const dir = mkdtempSync(tmpdir() + "/lsq-");
  assert.deepEqual(await readGraphConfig(dir), { ...defaultGraphConfig, hidden: [], separatedByCommas: [], warnings: [] });
  mkdirSync(dir + "/logseq");
  writeFileSync(dir + "/logseq/config.edn", "{:file/name-format :triple-lowbar}");
  assert.equal((await readGraphConfig(dir)).fileNameFormat, "triple-lowbar");
});

test("config.edn nested deeper than MAX_EDN_DEPTH gives defaults and a warning, without recursion", () => {
  const deep = (open: string, close: string, n: number) => `{:hidden ["a"] :x ${open.repeat(n)}${close.repeat(n)}}`;
  // the map itself is one level
  assert.deepEqual(parseGraphConfig(deep("[", "]", MAX_EDN_DEPTH - 1)).hidden, ["a"]);
  for (const text of [
    deep("[", "]", MAX_EDN_DEPTH),
    deep("(", ")", 100_000),
    deep("{:k ", "}", 100_000),
    deep("#{", "}", 100_000),
    `{:x ${"#tag ".repeat(100_000)}1}`,
    `{:x ${"#_ ".repeat(100_000)}1 2}`,
  ]) {
    const c = parseGraphConfig(text);
    assert.deepEqual({ ...c, warnings: [] }, { ...defaultGraphConfig, warnings: [] });
    assert.deepEqual(c.warnings, [`config.edn is not valid EDN (nested deeper than ${MAX_EDN_DEPTH} levels at line 1); using defaults`]);
  }
  // quotes nest nothing: any number of them is fine
  assert.deepEqual(parseGraphConfig(`{:hidden ${"'".repeat(100_000)}["b"]}`).hidden, ["b"]);
});

test("EDN: tagged literals, discards (`#_ #_ a b` drops only a, as before) and errors read as before", () => {
  assert.deepEqual(readEdn('[#inst "2024" #_ 1 2 #_ #_ 3 4 5 (a [b {:c #{d}}])]'), [
    { tag: "inst", value: "2024" }, 2, 4, 5, [{ sym: "a" }, [{ sym: "b" }, { map: [[{ kw: "c" }, { set: [{ sym: "d" }] }]] }]],
  ]);
  assert.throws(() => readEdn("(]"), /unexpected '\]' at line 1/);
  assert.throws(() => readEdn("[1\n(2"), /unclosed '\(' at line 2/);
  assert.throws(() => readEdn("{:a}"), /map with an odd number of forms/);
  assert.throws(() => readEdn("[#t #_ 1]"), /tagged literal without value/);
  assert.throws(() => readEdn("#t"), /unexpected end of input/);
});
