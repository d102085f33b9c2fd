import { test } from "node:test";
import assert from "node:assert/strict";
import { byteSink } from "../../src/index/row-bytes.ts";
import { putTokens } from "../../src/index/token-bytes.ts";
import { foldText, tokenize } from "../../src/index/tokenize.ts";

test("tokens are letter/digit runs of any script, lower-cased and accent-folded", () => {
  assert.deepEqual(tokenize("Café NAÏVE résumé [[Page Name]] #tag x_y 42"), ["cafe", "naive", "resume", "page", "name", "tag", "x", "y", "42"]);
  assert.deepEqual(tokenize("Привет, мир! Ελληνικά"), ["привет", "мир", "ελληνικα"]);
  assert.deepEqual(tokenize("東京タワーで"), ["東", "京", "タ", "ワ", "ー", "で"]);
  assert.deepEqual(tokenize("--- ... !!!"), []);
  assert.equal(foldText("Ÿes Ça"), "yes ca");
});

test("tokens longer than 64 characters are dropped", () => {
  assert.deepEqual(tokenize(`short ${"a".repeat(65)} ${"b".repeat(64)}`), ["short", "b".repeat(64)]);
});

test("the rows' tokens (putTokens) are tokenize joined by spaces, with the count, on ASCII and non-ASCII text", () => {
  const samples = [
    "Hello, World! x_y 42",
    "",
    "   ",
    `${"a".repeat(70)} b`,
    `ok ${"z".repeat(64)}`,
    "Café naïve 東京",
    "- TODO [#A] write the [[Benchmark Report]] #perf SCHEDULED: <2024-01-15 Mon>",
  ];
  for (const text of samples) {
    const tokens = tokenize(text);
    const sink = byteSink();
    const count = putTokens(sink, text);
    assert.deepEqual({ tokens: new TextDecoder().decode(sink.bytes.subarray(0, sink.at)), count }, { tokens: tokens.join(" "), count: tokens.length }, text);
  }
});
