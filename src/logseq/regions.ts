/** Code fences (```/~~~) and `#+BEGIN_…`/`#+END_…` regions: where they open and whether they close. */
import { LE, skipWs } from "./lines.ts";

/** Warning for an unclosed fence of `len` × `ch` opened on 0-based line `n` (a long run is shown by its length). */
export function unclosedFence(n: number, ch: number, len: number): string {
  const run = len <= 8 ? String.fromCharCode(ch).repeat(len) : `${String.fromCharCode(ch).repeat(3)}… (${len} long)`;
  return `line ${n + 1}: unclosed code fence ${run}`;
}

/** Warning for an unclosed `#+BEGIN_<name>` on 0-based line `n` (a long name is cut). */
export function unclosedBegin(n: number, name: string): string {
  return `line ${n + 1}: unclosed #+BEGIN_${name.length <= 40 ? name : name.slice(0, 40) + "…"}`;
}

/** Length of a fence run (``` or ~~~, at least 3) at `i` before `e`, else 0. */
export function fenceRunAt(text: string, i: number, e: number): number {
  const c = text.charCodeAt(i);
  if (i >= e || (c !== 96 && c !== 126)) return 0;
  let j = i + 1;
  while (j < e && text.charCodeAt(j) === c) j++;
  return j - i >= 3 ? j - i : 0;
}

/** Whether line text[i, e) (i = first non-blank) closes a fence of `ch` × `len`. */
export function closesFence(text: string, i: number, e: number, ch: number, len: number): boolean {
  if (text.charCodeAt(i) !== ch) return false;
  const r = fenceRunAt(text, i, e);
  return r >= len && skipWs(text, i + r, e) === e;
}

/** `#+BEGIN_NAME` at `i` → "NAME" (upper-cased) or null. */
export function beginBlockNameAt(text: string, i: number, e: number): string | null {
  if (text.charCodeAt(i) !== 35 || text.charCodeAt(i + 1) !== 43 || i + 8 > e) return null;
  if (text.slice(i + 2, i + 8).toUpperCase() !== "BEGIN_") return null;
  let j = i + 8;
  while (j < e && text.charCodeAt(j) !== 32 && text.charCodeAt(j) !== 9) j++;
  return j === i + 8 ? null : text.slice(i + 8, j).toUpperCase();
}

/**
 * Whether the line at `i` starts with `#+END_NAME` (case-insensitive, prefix
 * match: `#+end_src` and `#+END_SRC extra` close SRC).
 */
export function isEndBlockAt(text: string, i: number, e: number, name: string): boolean {
  const w = endWordAt(text, i, e);
  return w !== null && w.startsWith(name);
}

/** For a `#+END_…` line at `i`: what follows `#+END_`, upper-cased; else null. */
function endWordAt(text: string, i: number, e: number): string | null {
  if (text.charCodeAt(i) !== 35 || text.charCodeAt(i + 1) !== 43 || i + 6 > e) return null;
  if (text.slice(i + 2, i + 6).toUpperCase() !== "END_") return null;
  return text.slice(i + 6, e).toUpperCase();
}

/**
 * Finds whether a region opened on line `from - 1` is closed by a line in
 * [from, to): a fence of `ch` × at least `len`, or `#+END_<name>`. Queries
 * come in increasing line order. While cheap (about two passes over the
 * lines in all), a query searches directly; then each kind reads the lines
 * up to `to` once: for fences, the longest closing run of each fence
 * character on any later line (a suffix maximum); for `#+END_`, the last
 * line closing each name (a sorted index). Every later query is then O(1) or
 * O(log n): asking afresh per opener rescanned to the end each time, and a
 * file of unclosed openers (fences of falling length, `#+BEGIN_` with
 * distinct names) was quadratic.
 */
export class CloserFinder {
  private readonly text: string;
  private readonly to: number;
  /** Start of the text on each line: CS (block content) or LS (whole line). */
  private readonly starts: Int32Array;
  /** Lines from here on are summarised by the tables below. */
  private fenceFrom = -1;
  /** Longest closing run of ``` / ~~~ on line fenceFrom + k or later. */
  private backticks: Int32Array | null = null;
  private tildes: Int32Array | null = null;
  private endFrom = -1;
  private ends: EndIndex | null = null;

  /** Lines the direct searches may still read before the tables are built (about two passes). */
  private directLines: number;

  constructor(text: string, to: number, starts: Int32Array, from = 0) {
    this.text = text;
    this.to = to;
    this.starts = starts;
    this.directLines = 2 * (to - from) + 16;
  }

  fence(from: number, ch: number, len: number): boolean {
    if (from >= this.to) return false;
    if (this.backticks === null && this.directLines > 0) {
      for (let k = from; k < this.to; k++) {
        this.directLines--;
        const e = LE[k] as number;
        if (closesFence(this.text, skipWs(this.text, this.starts[k] as number, e), e, ch, len)) return true;
        if (this.directLines <= 0) break;
      }
      if (this.directLines > 0) return false;
    }
    if (this.backticks === null || from < this.fenceFrom) this.readFences(from);
    const longest = ch === 96 ? this.backticks : this.tildes;
    return ((longest as Int32Array)[from - this.fenceFrom] as number) >= len;
  }

  private readFences(from: number): void {
    const text = this.text;
    const n = this.to - from;
    const backticks = new Int32Array(n + 1);
    const tildes = new Int32Array(n + 1);
    for (let k = n - 1; k >= 0; k--) {
      let b = backticks[k + 1] as number;
      let t = tildes[k + 1] as number;
      const e = LE[from + k] as number;
      const i = skipWs(text, this.starts[from + k] as number, e);
      const r = fenceRunAt(text, i, e);
      if (r > 0 && skipWs(text, i + r, e) === e) {
        if (text.charCodeAt(i) === 96) b = Math.max(b, r);
        else t = Math.max(t, r);
      }
      backticks[k] = b;
      tildes[k] = t;
    }
    this.fenceFrom = from;
    this.backticks = backticks;
    this.tildes = tildes;
  }

  end(from: number, name: string): boolean {
    if (from >= this.to) return false;
    if (this.ends === null && this.directLines > 0) {
      // Regions usually close a few lines on: a direct search is cheaper than
      // the index while the lines it reads stay within about two passes.
      for (let k = from; k < this.to; k++) {
        this.directLines--;
        const e = LE[k] as number;
        if (isEndBlockAt(this.text, skipWs(this.text, this.starts[k] as number, e), e, name)) return true;
        if (this.directLines <= 0) break;
      }
      if (this.directLines > 0) return false; // read to the end: unclosed
    }
    if (this.ends === null || from < this.endFrom) {
      const words: Array<[string, number]> = [];
      for (let k = from; k < this.to; k++) {
        const e = LE[k] as number;
        const w = endWordAt(this.text, skipWs(this.text, this.starts[k] as number, e), e);
        if (w !== null) words.push([w, k]);
      }
      this.endFrom = from;
      this.ends = new EndIndex(words);
    }
    return this.ends.lastLineWithPrefix(name) >= from;
  }
}

/** `#+END_` lines by what follows `#+END_`: the last line whose word starts with a given name. */
class EndIndex {
  private readonly words: string[];
  /** maxLine[j][x] = the largest line among words x … x + 2^j - 1 (sparse table for range maxima). */
  private readonly maxLine: Int32Array[] = [];

  constructor(entries: Array<[string, number]>) {
    entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]));
    this.words = entries.map((x) => x[0]);
    const m = entries.length;
    let row = Int32Array.from(entries, (x) => x[1]);
    this.maxLine.push(row);
    for (let w = 1; 2 * w <= m; w *= 2) {
      const prev = row;
      row = new Int32Array(m - 2 * w + 1);
      for (let x = 0; x < row.length; x++) row[x] = Math.max(prev[x] as number, prev[x + w] as number);
      this.maxLine.push(row);
    }
  }

  /** The last line whose word starts with `prefix`, or -1. */
  lastLineWithPrefix(prefix: string): number {
    const words = this.words;
    // words starting with the prefix sit together, from the first word >= prefix
    let lo = 0;
    let hi = words.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((words[mid] as string) < prefix) lo = mid + 1;
      else hi = mid;
    }
    const first = lo;
    hi = words.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((words[mid] as string).startsWith(prefix)) lo = mid + 1;
      else hi = mid;
    }
    if (lo === first) return -1;
    // maximum over [first, lo): two overlapping power-of-two windows
    const j = 31 - Math.clz32(lo - first);
    const row = this.maxLine[j] as Int32Array;
    return Math.max(row[first] as number, row[lo - (1 << j)] as number);
  }
}
