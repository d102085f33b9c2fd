import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { blockOutline } from "../../src/index/block-outline.ts";
import { hashToUuid } from "../../src/logseq/hash.ts";
import type { BlockRef, ParsedBlock, PropertyValue } from "../../src/logseq/types.ts";

// Issue #8 made hashToUuid and the block keys cheaper: block keys are compared with those of an earlier
// parse (the block diff), so they must not change. These tests hold them to the old definitions.

const text = fc.oneof(fc.string({ maxLength: 30 }), fc.string({ unit: "binary", maxLength: 10 }), fc.constantFrom("", "\u0000", "\u0001", "Σ", "😀"));

test("hashToUuid is the hash it was, for any parts", () => {
  assert.equal(hashToUuid("x"), "628b73ee-dfb3-8fbf-bf4c-c50f13a12b6e");
  assert.equal(hashToUuid(), referenceHashToUuid());
  fc.assert(fc.property(fc.array(text, { maxLength: 12 }), (parts) => {
    assert.equal(hashToUuid(...parts), referenceHashToUuid(...parts));
  }), { numRuns: 3000 });
});

const nullable = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null });
const property: fc.Arbitrary<PropertyValue> = fc.oneof(text, fc.integer(), fc.boolean(), fc.array(text, { maxLength: 3 }));
const ref = fc.record({ target: text, kind: fc.constantFrom("page", "tag", "block", "property") }) as fc.Arbitrary<BlockRef>;
const block: fc.Arbitrary<ParsedBlock> = fc.record({
  id: fc.uuid(),
  parent: fc.constant(-1),
  position: fc.nat(100),
  level: fc.integer({ min: 1, max: 9 }),
  content: text,
  properties: fc.oneof(fc.constant({}), fc.dictionary(fc.constantFrom("id", "a", "tags", "b"), property, { maxKeys: 3 })),
  marker: nullable(fc.constantFrom("TODO", "DONE")),
  priority: nullable(fc.constantFrom("A", "B", "C")),
  scheduled: nullable(fc.integer({ min: 19000101, max: 21001231 })),
  deadline: nullable(fc.integer({ min: 19000101, max: 21001231 })),
  repeater: nullable(fc.constantFrom(".+1d", "++2w")),
  refs: fc.array(ref, { maxLength: 3 }),
  preBlock: fc.boolean(),
}) as fc.Arbitrary<ParsedBlock>;

test("block keys are the keys they were: the id alone for a plain block, else the id and a hash of its other columns", () => {
  fc.assert(fc.property(fc.array(block, { maxLength: 8 }), (blocks) => {
    const { keyList, outline } = blockOutline(blocks);
    assert.deepEqual(keyList, blocks.map(referenceKey));
    assert.equal(outline.keys, keyList.join("\n"));
  }), { numRuns: 2000 });
});

/** block-outline.ts blockKey before issue #8's change. */
function referenceKey(b: ParsedBlock): string {
  const NULL = "\u0001";
  const hasKeys = Object.keys(b.properties).length > 0;
  const explicit = Object.hasOwn(b.properties, "id");
  const plain = !explicit && !b.preBlock && b.refs.length === 0 && b.marker === null && b.priority === null &&
    b.scheduled === null && b.deadline === null && b.repeater === null && !hasKeys;
  if (plain) return b.id;
  const parts = [
    explicit ? b.content : "",
    hasKeys ? JSON.stringify(b.properties) : NULL,
    b.marker ?? NULL,
    b.priority ?? NULL,
    b.scheduled === null ? NULL : String(b.scheduled),
    b.deadline === null ? NULL : String(b.deadline),
    b.repeater ?? NULL,
    b.preBlock ? "1" : "0",
  ];
  for (const r of b.refs) parts.push(r.target, r.kind);
  return `${b.id}/${referenceHashToUuid(...parts)}`;
}

/** hash.ts hashToUuid before issue #8's change. */
function referenceHashToUuid(...parts: string[]): string {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (const s of parts) {
    for (let i = 0, n = s.length; i <= n; i++) {
      const k = i < n ? s.charCodeAt(i) : 0;
      h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
      h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
      h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
      h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
    }
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  h2 = (h2 & 0xffff0fff) | 0x00008000;
  h3 = (h3 & 0x3fffffff) | 0x80000000;
  const hex = (n: number) => (n >>> 0).toString(16).padStart(8, "0");
  const a = hex(h1);
  const b = hex(h2);
  const c = hex(h3);
  const d = hex(h4);
  return `${a}-${b.slice(0, 4)}-${b.slice(4)}-${c.slice(0, 4)}-${c.slice(4)}${d}`;
}
