import { test } from "node:test";
import assert from "node:assert/strict";
import { parseFile } from "../../src/logseq/parse.ts";
import { defaultGraphConfig } from "../../src/logseq/graph-config.ts";

const ORG = `#+title: Org Page
#+TAGS: x, y
* TODO [#B] head [[Page]] [[https://l.com][site]] [[Target][label]] :t1:
:PROPERTIES:
:id: 6572a8f0-2222-4444-8888-123456789abc
:Foo_Bar: [[v]]
:END:
SCHEDULED: <2024-03-01 Fri +1m>
** child =[[verb]]= ~[[code]]~
#+BEGIN_SRC
* not a heading
#+END_SRC
* second`;

test("org headings, directives, drawers, links and markers", () => {
  const f = parseFile("pages/o.org", ORG, defaultGraphConfig);
  assert.deepEqual([f.page.format, f.page.originalName, f.page.tags], ["org", "Org Page", ["x", "y"]]);
  assert.deepEqual(
    f.blocks.map((b) => [b.parent, b.level, b.preBlock, b.marker, b.priority, b.scheduled, b.repeater]),
    [
      [-1, 1, true, null, null, null, null],
      [-1, 1, false, "TODO", "B", 20240301, "+1m"],
      [1, 2, false, null, null, null, null],
      [-1, 1, false, null, null, null, null],
    ],
  );
  const head = f.blocks[1];
  assert.equal(head?.id, "6572a8f0-2222-4444-8888-123456789abc");
  assert.deepEqual(head?.properties, { id: "6572a8f0-2222-4444-8888-123456789abc", "foo-bar": ["v"] });
  assert.deepEqual(head?.refs.map((r) => `${r.kind}:${r.target}`), ["property:v", "tag:t1", "page:page", "page:target"]);
  assert.deepEqual(f.blocks[2]?.refs, []);
});
