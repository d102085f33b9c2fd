import { test } from "node:test";
import assert from "node:assert/strict";
import { parseFile } from "../../src/logseq/parse.ts";
import { defaultGraphConfig } from "../../src/logseq/graph-config.ts";

test("page properties: keys normalised, values coerced, alias and tags", () => {
  const f = parseFile(
    "pages/p.md",
    'title:: My Page\nalias:: a1, [[A Two]]\ntags:: t1, #t2\nMy_Key:: 5\npublic:: true\nq:: "x, [[y]]"\ntype:: [[Kind]] and #k2\nplain:: some text\nempty::\n\n- b',
    defaultGraphConfig,
  );
  assert.deepEqual(f.page.properties, {
    title: "My Page",
    alias: ["a1", "A Two"],
    tags: ["t1", "t2"],
    "my-key": 5,
    public: true,
    q: '"x, [[y]]"',
    type: ["Kind", "k2"],
    plain: "some text",
    empty: "",
  });
  assert.deepEqual([f.page.name, f.page.aliases, f.page.tags], ["my page", ["a1", "a two"], ["t1", "t2"]]);
  assert.deepEqual(f.blocks[0]?.refs, [
    { target: "a1", kind: "property" },
    { target: "a two", kind: "property" },
    { target: "t1", kind: "tag" },
    { target: "t2", kind: "tag" },
    { target: "kind", kind: "property" },
    { target: "k2", kind: "property" },
  ]);
});

test("block properties sit right under the first line; key::value is not a property", () => {
  const f = parseFile("pages/p.md", "- a\n  owner:: [[Bob]]\n  n:: -3\n  text\n  late:: x\n- key::value", defaultGraphConfig);
  assert.deepEqual(f.blocks[0]?.properties, { owner: ["Bob"], n: -3 });
  assert.deepEqual(f.blocks[0]?.refs, [{ target: "bob", kind: "property" }]);
  assert.deepEqual(f.blocks[1]?.properties, {});
});

test("comma-separated refs only for alias, tags and :property/separated-by-commas", () => {
  const g = { ...defaultGraphConfig, separatedByCommas: ["related"] };
  const f = parseFile("pages/p.md", "related:: x, y\nother:: x, y\n", g);
  assert.deepEqual(f.page.properties, { related: ["x", "y"], other: "x, y" });
});

test("a first bullet holding only properties is the pre-block", () => {
  const f = parseFile("pages/p.md", "- title:: T\n  tags:: x\n- body", defaultGraphConfig);
  assert.deepEqual([f.page.originalName, f.page.tags, f.blocks[0]?.preBlock, f.blocks[1]?.preBlock], ["T", ["x"], true, false]);
});

test("YAML front matter gives page properties", () => {
  const f = parseFile("pages/p.md", "---\ntitle: Front\ntags: a, b\n---\n\n- x", defaultGraphConfig);
  assert.deepEqual(f.page.properties, { title: "Front", tags: ["a", "b"] });
  assert.equal(f.page.originalName, "Front");
});
