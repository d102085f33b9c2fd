import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { serialiseBlocks } from "../../src/index/block-rows.ts";
import { byteSink, reserve, resetSink } from "../../src/index/row-bytes.ts";
import { putTokens } from "../../src/index/token-bytes.ts";
import { tokenize } from "../../src/index/tokenize.ts";
import type { BlockRef, ParsedBlock, PropertyValue } from "../../src/logseq/types.ts";

// Issue #8 replaced the rows' string building and the regex tokeniser for speed: these tests hold the
// new code to the old definitions, byte for byte, on text chosen to hit their edges.

const decoder = new TextDecoder();

/** Pieces that meet the tokeniser's rules: case, the final sigma and its case-ignorable context, folding, CJK, long tokens, escapes. */
const PIECES = [
  "Σ", "ΟΔΟΣ", "ΑΣ", "σ", "'", ".", ":", "^", "`", " ", "-", ",", "\"", "\\", "\n", "\t", "\u0000", "\u001f", "\u007f",
  "é", "e\u0301", "Ü", "ﬁ", "㎒", "İ", "ß", "Ǆ", "東京", "タワーで", "한국어", "😀", "\ud800", "\udc00", "·", "\u00ad",
  "a".repeat(64), "B".repeat(65), "x".repeat(63) + "é", "ABC", "x_y", "42", "Zürich", "данные", "DÉJÀ", "[[Page]]", "#tag",
];

const text = fc.oneof(
  fc.array(fc.oneof(fc.constantFrom(...PIECES), fc.string({ maxLength: 8 }), fc.string({ unit: "binary", maxLength: 6 })), { maxLength: 24 })
    .map((parts) => parts.join("")),
  fc.string({ unit: "grapheme-ascii", maxLength: 120 }),
);

function tokensOf(content: string): { tokens: string; count: number } {
  const sink = byteSink();
  // A sink that starts small and part-filled: growth and offsets are exercised too.
  sink.bytes = new Uint8Array(3);
  sink.bytes[0] = 120;
  sink.at = 1;
  const count = putTokens(sink, content);
  return { tokens: decoder.decode(sink.bytes.subarray(1, sink.at)), count };
}

test("putTokens writes tokenize(text) joined by spaces and its count, on ASCII, non-ASCII and mixed text", () => {
  const cases = [
    "ΟΔΟΣ.Α", "ΟΔΟΣ Α", "ΟΔΟΣ'", "ΑΣ:Β σ", "abc.déjà vu", "Café NAÏVE résumé [[Page Name]] #tag x_y 42",
    `${"a".repeat(65)} é ${"b".repeat(64)}`, `é ${"c".repeat(70)}`, "東京タワーで x", "ﬁne ㎒", "", " - ", "ok",
  ];
  for (const sample of cases) {
    const expected = tokenize(sample);
    assert.deepEqual(tokensOf(sample), { tokens: expected.join(" "), count: expected.length }, JSON.stringify(sample));
  }
  fc.assert(fc.property(text, (sample) => {
    const expected = tokenize(sample);
    assert.deepEqual(tokensOf(sample), { tokens: expected.join(" "), count: expected.length });
  }), { numRuns: 3000 });
});

const id = fc.oneof(fc.uuid(), fc.string({ maxLength: 12 }));
const nullable = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null });
const property: fc.Arbitrary<PropertyValue> = fc.oneof(text, fc.integer(), fc.double(), fc.boolean(), fc.array(text, { maxLength: 3 }));
const ref: fc.Arbitrary<BlockRef> = fc.record({ target: text, kind: fc.constantFrom("page", "tag", "block", "property") }) as fc.Arbitrary<BlockRef>;
const block: fc.Arbitrary<Omit<ParsedBlock, "parent">> = fc.record({
  id,
  position: fc.nat(1000),
  level: fc.integer({ min: 1, max: 40 }),
  content: text,
  properties: fc.dictionary(fc.string({ maxLength: 6 }), property, { maxKeys: 3 }),
  marker: nullable(fc.constantFrom("TODO", "DONE", "NOW")),
  priority: nullable(fc.constantFrom("A", "B", "C")),
  scheduled: nullable(fc.integer({ min: 19000101, max: 21001231 })),
  deadline: nullable(fc.integer({ min: -5, max: 21001231 })),
  repeater: nullable(fc.constantFrom(".+1d", "++2w", "\"x")),
  refs: fc.array(ref, { maxLength: 3 }),
  preBlock: fc.boolean(),
});
const blocks = fc.array(fc.tuple(block, fc.nat()), { maxLength: 12 }).map((list) =>
  list.map(([b, parent], ord): ParsedBlock => ({ ...b, parent: ord === 0 ? -1 : (parent % (ord + 1)) - 1 })),
);

test("serialiseBlocks writes the same bytes as the string-building definition it replaced, whole or in part", () => {
  fc.assert(fc.property(fc.string({ maxLength: 20 }), blocks, fc.nat(3), fc.nat(5), (path, list, skip, base) => {
    const wanted = skip === 0 ? undefined : (ord: number) => ord % (skip + 1) !== 0;
    const rows = serialiseBlocks(path, list, wanted, base);
    const expected = referenceRows(path, list, wanted, base);
    assert.equal(decoder.decode(rows.blockRows), expected.blockRows);
    assert.equal(decoder.decode(rows.refRows), expected.refRows);
    assert.equal(rows.blockRows.buffer, rows.refRows.buffer);
    // One buffer of their own, not shared: it crosses threads by transfer (block-rows.ts ownRows).
    assert.ok(rows.blockRows.buffer instanceof ArrayBuffer);
    assert.equal(rows.blockRows.buffer.byteLength, rows.blockRows.byteLength + rows.refRows.byteLength);
  }), { numRuns: 1500 });
});

/**
 * The rows' definition as one string per file (block-rows.ts before issue #8's rewrite, with its
 * later format): null and false fields left out, then one encode.
 */
function referenceRows(path: string, list: ParsedBlock[], wanted: ((ord: number) => boolean) | undefined, base: number): { blockRows: string; refRows: string } {
  const pathJson = JSON.stringify(path);
  let blockRows = "";
  let refRows = "";
  for (let ord = 0; ord < list.length; ord++) {
    if (wanted !== undefined && !wanted(ord)) continue;
    const b = list[ord] as ParsedBlock;
    const parent = b.parent >= 0 ? (list[b.parent]?.id ?? null) : null;
    const fields: [string, unknown][] = [
      ["path", path], ["ord", base + ord], ["id", b.id], ["parent_id", parent], ["position", b.position], ["level", b.level],
      ["content", b.content], ["properties", Object.keys(b.properties).length > 0 ? b.properties : null], ["marker", b.marker],
      ["priority", b.priority], ["scheduled", b.scheduled], ["deadline", b.deadline], ["repeater", b.repeater], ["pre_block", b.preBlock],
      ["length", tokenize(b.content).length], ["tokens", tokenize(b.content).join(" ")],
    ];
    blockRows += `{${fields.filter(([, value]) => value !== null && value !== false).map(([key, value]) => `"${key}":${JSON.stringify(value)}`).join(",")}}\n`;
    for (const r of b.refs) {
      refRows += `{"path":${pathJson},"ord":${base + ord},"block_id":${JSON.stringify(b.id)},"target":${JSON.stringify(r.target)},"kind":"${r.kind}"}\n`;
    }
  }
  // Encoding and decoding maps lone surrogates to U+FFFD, as the old encode did.
  const encoder = new TextEncoder();
  return { blockRows: decoder.decode(encoder.encode(blockRows)), refRows: decoder.decode(encoder.encode(refRows)) };
}

test("a sink grown past 8 MB is given back when emptied, a smaller one kept", () => {
  const sink = byteSink();
  reserve(sink, 1 << 20);
  const kept = sink.bytes;
  sink.at = 5;
  resetSink(sink);
  assert.equal(sink.at, 0);
  assert.equal(sink.bytes, kept);
  reserve(sink, 9 << 20);
  resetSink(sink);
  assert.ok(sink.bytes.byteLength < 1 << 20, `${sink.bytes.byteLength} bytes kept`);
});
