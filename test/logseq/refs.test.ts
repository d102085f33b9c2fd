import { test } from "node:test";
import assert from "node:assert/strict";
import { parseFile } from "../../src/logseq/parse.ts";
import { defaultGraphConfig } from "../../src/logseq/graph-config.ts";

const U = "6572a8f0-1111-4444-8888-123456789abc";
const refs = (line: string) => parseFile("pages/p.md", "- " + line, defaultGraphConfig).blocks[0]?.refs.map((r) => `${r.kind}:${r.target}`);

test("page refs, tags and multi-word tags, lower-cased and NFC", () => {
  assert.deepEqual(refs("[[Page One]] #Tag #[[Multi Word]] [[Cafe\u0301]]"), ["page:page one", "tag:tag", "tag:multi word", "page:café"]);
});

test("namespace refs also ref their parents", () => {
  assert.deepEqual(refs("[[a/b/c]]"), ["page:a/b/c", "namespace:a", "namespace:a/b"]);
});

test("embeds and block refs (UUIDs only)", () => {
  assert.deepEqual(refs(`{{embed [[E]]}} {{embed ((${U}))}} ((${U})) ((nope))`), [
    "embed-page:e",
    `embed-block:${U}`,
    `block:${U}`,
  ]);
});

test("nothing inside inline code, fences, $$…$$ or {{query}} counts", () => {
  assert.deepEqual(refs("`[[a]]` ``#b`` {{query [[c]]}} $$[[d]]$$ [[e]]"), ["page:e"]);
  assert.deepEqual(parseFile("pages/p.md", "- x\n  ```\n  [[f]]\n  ```", defaultGraphConfig).blocks[0]?.refs, []);
});

test("hashtag ends follow mldoc: trailing punctuation, commas, quotes", () => {
  assert.deepEqual(refs("#end. #x,y #a;b #q\"r #1 ## #"), ["tag:end", "tag:x", "tag:a;b", "tag:q", "tag:1"]);
});

test("tags inside emphasis are not tags (as in mldoc); links are", () => {
  assert.deepEqual(refs("**bold #no** #yes **[[link]]**"), ["tag:yes", "page:link"]);
});

test("nested links, markdown links to pages and bare URLs", () => {
  assert.deepEqual(refs("[[a [[b]] c]] [label]([[L]]) https://x.com/#anchor"), ["page:a [[b]] c", "page:b", "page:l"]);
});
