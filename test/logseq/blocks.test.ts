import { test } from "node:test";
import assert from "node:assert/strict";
import { parseFile } from "../../src/logseq/parse.ts";
import { defaultGraphConfig } from "../../src/logseq/graph-config.ts";

const shape = (text: string) =>
  parseFile("pages/p.md", text, defaultGraphConfig).blocks.map((b) => [b.parent, b.position, b.level, b.content, b.preBlock]);

test("bullets, nesting by indentation, continuation lines and pre-block", () => {
  assert.deepEqual(shape("intro\n\n- a\n  more a\n\t- b\n\t\t- c\n- d\n    - e\n    - f\n  - g\n"), [
    [-1, 0, 1, "intro", true],
    [-1, 1, 1, "a\nmore a", false],
    [1, 0, 2, "b", false],
    [2, 0, 3, "c", false],
    [-1, 2, 1, "d", false],
    [4, 0, 2, "e", false],
    [4, 1, 2, "f", false],
    [4, 2, 2, "g", false],
  ]);
});

test("empty bullet, heading lines and headings inside bullets are blocks", () => {
  assert.deepEqual(shape("-\n- # h1\n## h2\n  text\n"), [
    [-1, 0, 1, "", false],
    [-1, 1, 1, "# h1", false],
    [-1, 2, 1, "## h2\n  text", false],
  ]);
});

test("bullets inside code fences and #+BEGIN blocks are not blocks", () => {
  assert.deepEqual(shape("- ```\n  - x\n  ```\n- #+BEGIN_QUOTE\n  - y\n  #+END_QUOTE\n- z"), [
    [-1, 0, 1, "```\n- x\n```", false],
    [-1, 1, 1, "#+BEGIN_QUOTE\n- y\n#+END_QUOTE", false],
    [-1, 2, 1, "z", false],
  ]);
});

test("an unclosed fence is text and gives a warning", () => {
  const f = parseFile("pages/p.md", "- a\n  ```\n- b\n", defaultGraphConfig);
  assert.equal(f.blocks.length, 2);
  assert.deepEqual(f.warnings, ["line 2: unclosed code fence ```"]);
});

test("an empty file yields a page and no blocks; CRLF and BOM are handled", () => {
  const e = parseFile("pages/Empty.md", "", defaultGraphConfig);
  assert.deepEqual([e.page.name, e.blocks.length], ["empty", 0]);
  assert.deepEqual(shape("\ufeff- a\r\n  - b\r\n"), [
    [-1, 0, 1, "a", false],
    [0, 0, 2, "b", false],
  ]);
});

test("-x and * are not bullets in Markdown", () => {
  assert.deepEqual(shape("- a\n-x\n* y"), [[-1, 0, 1, "a\n-x\n* y", false]]);
});
