import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { termsHolding } from "../../src/index/term-expansion-memory.ts";

const visited = (terms: string[], parts: string[]): string[] => {
  const out: string[] = [];
  termsHolding(terms, parts, (term) => out.push(term));
  return out;
};

/**
 * A typo's pigeonhole filter searches each piece through a length bucket of
 * the vocabulary joined into one text (term-expansion-memory.ts): it must
 * find exactly the terms `parts.some((part) => term.includes(part))` finds,
 * whatever the matches' places (a term's start or end, several in one term,
 * adjacent terms).
 */
test("termsHolding finds the terms holding any part, each part's terms once, as the term-by-term filter does", () => {
  assert.deepEqual(visited(["abab", "ba", "xab", "abx", "zzz", "ab"], ["ab"]), ["abab", "xab", "abx", "ab"]);
  assert.deepEqual(visited(["cat", "dog", "cog"], ["og", "c"]).sort(), ["cat", "cog", "cog", "dog"]);
  assert.deepEqual(visited([], ["a"]), []);
  const letters = fc.constantFrom("a", "b", "c", "é", "中");
  fc.assert(
    fc.property(
      fc.array(fc.string({ unit: letters, minLength: 1, maxLength: 6 }), { maxLength: 40 }),
      fc.array(fc.string({ unit: letters, minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 }),
      (terms, parts) => {
        const found = new Set(visited(terms, parts));
        const wanted = new Set(terms.filter((term) => parts.some((part) => term.includes(part))));
        assert.deepEqual(found, wanted);
        // Each part visits a term at most once per place it occurs in the list.
        for (const part of parts) assert.equal(visited(terms, [part]).length, terms.filter((term) => term.includes(part)).length);
      },
    ),
    { seed: 20261130, numRuns: 500 },
  );
});
