import { test } from "node:test";
import assert from "node:assert/strict";
import { parseFile } from "../../src/logseq/parse.ts";
import { defaultGraphConfig } from "../../src/logseq/graph-config.ts";
import { hashToUuid } from "../../src/logseq/hash.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ids = (text: string) => parseFile("pages/p.md", text, defaultGraphConfig).blocks.map((b) => b.id);

test("id:: wins when it is a unique UUID", () => {
  assert.deepEqual(ids("- a\n  id:: 6572A8F0-1111-4444-8888-123456789ABC")[0], "6572a8f0-1111-4444-8888-123456789abc");
});

test("derived ids are UUID-shaped, stable, and survive edits of other blocks", () => {
  const a = ids("- one\n- two\n- two");
  assert.ok(a.every((id) => UUID.test(id)));
  assert.equal(new Set(a).size, 3);
  assert.deepEqual(ids("- one\n- two\n- two"), a);
  const b = ids("- zero\n- one changed\n- two\n- two");
  assert.deepEqual([b[2], b[3]], [a[1], a[2]]);
  assert.equal(hashToUuid("x"), "628b73ee-dfb3-8fbf-bf4c-c50f13a12b6e");
});

test("a duplicated id:: is not trusted: ids are derived and a warning given", () => {
  const U = "6572a8f0-3333-4444-8888-123456789abc";
  const f = parseFile("pages/p.md", `- a\n  id:: ${U}\n- b\n  id:: ${U}`, defaultGraphConfig);
  assert.ok(f.blocks.every((b) => b.id !== U && UUID.test(b.id)));
  assert.equal(f.warnings.length, 2);
});
