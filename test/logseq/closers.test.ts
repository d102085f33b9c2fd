/**
 * The closer lookups answer exactly what the plain forward searches (the
 * parser's rules before they were made linear) answer, on random text rich
 * in brackets, parentheses, backticks and emphasis marks: both through the
 * direct search (cheap lines) and through the tables (after the direct
 * budget is spent).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { InlineClosers } from "../../src/logseq/inline-closers.ts";
import { CloserFinder, closesFence, isEndBlockAt } from "../../src/logseq/regions.ts";
import { LE, LS, skipWs, splitLines } from "../../src/logseq/lines.ts";

/** Small seeded PRNG (mulberry32): the same cases on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomText(next: () => number, alphabet: string, length: number): string {
  let s = "";
  for (let k = 0; k < length; k++) s += alphabet[Math.floor(next() * alphabet.length)];
  return s;
}

// The forward searches as they were.
function refDoubleBracket(text: string, i: number, end: number): number {
  let depth = 0;
  let j = i;
  while (j < end) {
    const c = text[j];
    if (c === "\n") return -1;
    if (c === "[" && text[j + 1] === "[") {
      depth++;
      j += 2;
      continue;
    }
    if (c === "]" && text[j + 1] === "]") {
      depth--;
      j += 2;
      if (depth === 0) return j;
      continue;
    }
    j++;
  }
  return -1;
}
function refCloseParen(text: string, i: number, le: number): number {
  let depth = 1;
  for (let j = i + 1; j < le; j++) {
    if (text[j] === "(") depth++;
    else if (text[j] === ")" && --depth === 0) return j + 1;
  }
  return -1;
}
function refBacktick(text: string, n: number, from: number, le: number): number {
  let j = from;
  while (j < le) {
    const k = text.indexOf("`", j);
    if (k < 0 || k >= le) return -1;
    let m = 1;
    while (text[k + m] === "`") m++;
    if (m === n) return k + m;
    j = k + m;
  }
  return -1;
}
function refEmphasis(text: string, c: string, n: number, from: number, le: number): number {
  const delim = c.repeat(n);
  let j = from;
  while (j < le) {
    const k = text.indexOf(delim, j);
    if (k < 0 || k + n > le) return -1;
    if (!/\s/.test(text[k - 1] as string) && (n === 2 || text[k + 1] !== c)) return k;
    j = k + 1;
  }
  return -1;
}

/** Spends an InlineClosers' direct-search budget, so that later answers come from its tables. */
function spend(c: InlineClosers, length: number): void {
  for (let k = 0; k < 2 * length + 70; k++) c.doubleBracket(0, 0);
}

test("[[ ]], ( ), backtick and emphasis closers equal the forward searches", () => {
  const next = rng(13);
  for (let round = 0; round < 400; round++) {
    const text = randomText(next, "[[]]((a)) `*_~\n", 20 + Math.floor(next() * 120));
    const end = text.length;
    const direct = new InlineClosers(text, 0, end);
    const tabled = new InlineClosers(text, 0, end);
    spend(tabled, end);
    for (let i = 0; i < end; i++) {
      const nl = text.indexOf("\n", i);
      const le = nl < 0 ? end : nl;
      if (text[i] === "[" && text[i + 1] === "[") {
        const want = refDoubleBracket(text, i, end);
        assert.equal(direct.doubleBracket(i, end), want, `[[ at ${i} in ${JSON.stringify(text)}`);
        assert.equal(tabled.doubleBracket(i, end), want, `[[ (table) at ${i} in ${JSON.stringify(text)}`);
      }
      if (text[i] === "(") {
        const want = refCloseParen(text, i, le);
        assert.equal(direct.closeParen(i, le), want, `( at ${i} in ${JSON.stringify(text)}`);
        assert.equal(tabled.closeParen(i, le), want, `( (table) at ${i} in ${JSON.stringify(text)}`);
      }
    }
    // cursor-based lookups: queries in increasing order, as the scanner makes them
    const cursors = new InlineClosers(text, 0, end);
    for (let i = 0; i < end; i++) {
      const nl = text.indexOf("\n", i);
      const le = nl < 0 ? end : nl;
      if (text[i] === "`") {
        let n = 1;
        while (text[i + n] === "`") n++;
        assert.equal(cursors.backtickCloser(n, i + n, le), refBacktick(text, n, i + n, le), `\` at ${i} in ${JSON.stringify(text)}`);
      }
      const c = text[i] as string;
      if (c === "*" || c === "_" || c === "~") {
        const n = text[i + 1] === c ? 2 : 1;
        const k = cursors.emphasis(c.charCodeAt(0), n, i + n + 1, le);
        assert.equal(k, refEmphasis(text, c, n, i + n + 1, le), `${c} at ${i} in ${JSON.stringify(text)}`);
      }
    }
  }
});

test("fence and #+END_ closers equal the forward searches, directly and from the tables", () => {
  const next = rng(7);
  const pieces = ["```", "````", "~~~", "  ```", "``` x", "#+BEGIN_SRC", "#+END_SRC", "#+end_src x", "#+END_S", "#+END_QUOTE", "text", ""];
  for (let round = 0; round < 300; round++) {
    const lines: string[] = [];
    const count = 5 + Math.floor(next() * 40);
    for (let k = 0; k < count; k++) lines.push(pieces[Math.floor(next() * pieces.length)] as string);
    const text = lines.join("\n");
    const n = splitLines(text);
    const finder = new CloserFinder(text, n, LS);
    for (let from = 1; from <= n; from++) {
      for (const [ch, len] of [[96, 3], [96, 4], [126, 3]] as const) {
        let want = false;
        for (let k = from; k < n && !want; k++) want = closesFence(text, skipWs(text, LS[k] as number, LE[k] as number), LE[k] as number, ch, len);
        assert.equal(finder.fence(from, ch, len), want, `fence ${ch}×${len} from ${from} in ${JSON.stringify(text)}`);
      }
      for (const name of ["SRC", "S", "QUOTE", "X"]) {
        let want = false;
        for (let k = from; k < n && !want; k++) want = isEndBlockAt(text, skipWs(text, LS[k] as number, LE[k] as number), LE[k] as number, name);
        assert.equal(finder.end(from, name), want, `END_${name} from ${from} in ${JSON.stringify(text)}`);
      }
    }
  }
});
