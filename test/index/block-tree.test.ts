import assert from "node:assert/strict";
import { test } from "node:test";
import { renderOutline, type TreeBlock } from "../../src/index/block-tree.ts";

const block = (id: string, parentId: string | null, position: number, content: string, preBlock = false): TreeBlock => ({
  id, parentId, position, content, preBlock,
});

test("an outline follows parent and position, not the order rows arrive in", () => {
  const rows = [
    block("c", "a", 1, "second child"),
    block("p", null, 0, "title:: T", true),
    block("b", "a", 0, "first child\nmore text"),
    block("d", null, 2, "last"),
    block("a", null, 1, "top"),
    block("e", "b", 0, "grandchild"),
  ];
  assert.equal(renderOutline(rows), "title:: T\n- top\n  - first child\n    more text\n    - grandchild\n  - second child\n- last");
  assert.equal(renderOutline(rows, "b"), "- first child\n  more text\n  - grandchild");
});

test("a block whose parent is missing, or is itself, still appears once, as a root", () => {
  const rows = [block("a", null, 0, "top"), block("x", "gone", 1, "orphan"), block("s", "s", 2, "own parent"), block("", null, 3, "")];
  assert.equal(renderOutline(rows), "- top\n- orphan\n- own parent\n-");
});
