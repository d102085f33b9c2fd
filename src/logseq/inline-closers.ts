/**
 * Where inline openers close, for one `scanInline` range: each answer is
 * found by at most one pass over the range and remembered. Asking afresh for
 * every opener (what the scanner did before) costs a pass per opener: one
 * line of 100,000 unclosed `[[`, `**` or `[label](` took a minute (issue #13
 * row 4). Every answer here equals the one the direct forward search gives.
 *
 * Queries come with a non-decreasing position (the scanner only moves
 * forward), which is what lets the forward searches keep a cursor: a search
 * from `q` that found `k` also answers every later search from `q' <= k`.
 */
const LBRACK = 91;
const RBRACK = 93;
const LPAREN = 40;
const RPAREN = 41;
const BACKTICK = 96;
const NL = 10;

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11 || c === 0xa0 || c === 0x3000;
}

/** A remembered forward search: the first match at or after `from` (-1: none before the range end). */
type Cursor = { from: number; at: number };

/** Two-character patterns whose next occurrence the scanner asks for. */
export const PAIR_CLOSE_PAREN = 0; // "))"
export const PAIR_CLOSE_BRACE = 1; // "}}"
export const PAIR_DOLLARS = 2; // "$$"
export const PAIR_LINK_MIDDLE = 3; // "]("
const PAIRS = ["))", "}}", "$$", "]("];

export class InlineClosers {
  private readonly text: string;
  private readonly start: number;
  /** Range end (exclusive): matches must start before it. */
  private readonly end: number;
  private newline: Cursor = { from: -1, at: -1 };
  private readonly pairs: Cursor[] = PAIRS.map(() => ({ from: -1, at: -1 }));
  /** Emphasis closers by delimiter char and length (`*`, `**`, …), Org verbatim closers by mark. */
  private readonly delims = new Map<number, Cursor>();
  /** End of the `]]` closing the `[[` at a position (index - start), -1 if unclosed; built on first use. */
  private brackets: Int32Array | null = null;
  /** Index after the `)` closing the `(` at a position (index - start), -1 if unclosed; built on first use. */
  private parens: Int32Array | null = null;
  /** Start positions of the maximal backtick runs, by run length; built on first use. */
  private backtickRuns: Map<number, { at: number[]; next: number }> | null = null;

  /** Characters the direct `[[` search may still read before the table is built. */
  private directBudget: number;

  constructor(text: string, start: number, end: number) {
    this.text = text;
    this.start = start;
    this.end = end;
    this.directBudget = 2 * (end - start) + 64;
  }

  /** Index of the next `\n` at or after `i`, or the text length. */
  nextNewline(i: number): number {
    const c = this.newline;
    if (i >= c.from && i <= c.at) return c.at;
    const nl = this.text.indexOf("\n", i);
    c.from = i;
    c.at = nl < 0 ? this.text.length : nl;
    return c.at;
  }

  /** First index >= `from` where pattern `id` starts, if it starts before the range end; else -1. */
  pair(id: number, from: number): number {
    const c = this.pairs[id] as Cursor;
    if (from >= c.from && (c.at < 0 || c.at >= from) && c.from >= 0) return c.at;
    c.from = from;
    c.at = this.find(PAIRS[id] as string, from);
    return c.at;
  }

  /** `text.indexOf(pat, from)` limited to matches starting before the range end, without reading past it. */
  private find(pat: string, from: number): number {
    const limit = Math.min(this.text.length, this.end + pat.length - 1);
    if (limit - from < pat.length) return -1;
    // a slice shares the text's storage: the search stops at the range end, not at the end of the file
    const k = this.text.slice(from, limit).indexOf(pat);
    return k < 0 ? -1 : from + k;
  }

  /**
   * End (exclusive) of the `]]` closing the `[[` at `i`, counting nested
   * `[[`/`]]` pairs read left to right, as long as the closer starts before
   * `end`; -1 if the line or `end` comes first.
   */
  doubleBracket(i: number, end: number): number {
    // Most lines hold a few short links: searching directly is cheaper than
    // building the table, and the budget (about two passes over the range)
    // keeps the total linear when a line holds many.
    if (this.brackets === null && this.directBudget > 0) return this.scanDoubleBracket(i, end);
    const table = (this.brackets ??= this.buildBrackets());
    const r = i >= this.start && i < this.end ? (table[i - this.start] as number) : -1;
    return r >= 0 && r - 2 < end ? r : -1;
  }

  /** The direct forward search (depth counting from `i`), charged to `directBudget`. */
  private scanDoubleBracket(i: number, end: number): number {
    const text = this.text;
    let depth = 0;
    let j = i;
    let result = -1;
    while (j < end) {
      const c = text.charCodeAt(j);
      if (c === NL) break;
      if (c === LBRACK && text.charCodeAt(j + 1) === LBRACK) {
        depth++;
        j += 2;
        continue;
      }
      if (c === RBRACK && text.charCodeAt(j + 1) === RBRACK) {
        depth--;
        j += 2;
        if (depth === 0) {
          result = j;
          break;
        }
        continue;
      }
      j++;
    }
    this.directBudget -= j - i + 1;
    return result;
  }

  private buildBrackets(): Int32Array {
    const { text, start, end } = this;
    const table = new Int32Array(end - start).fill(-1);
    const open: number[] = [];
    let j = start;
    while (j < end) {
      const c = text.charCodeAt(j);
      if (c === LBRACK && text.charCodeAt(j + 1) === LBRACK) {
        // A run of `[` is read as pairs from its start; a search starting
        // inside the run sees the run's last pairs, whose closers these are.
        const runStart = j;
        while (j < end && text.charCodeAt(j) === LBRACK) j++;
        const pairs = (j - runStart) >> 1;
        for (let t = 0; t < pairs; t++) open.push(runStart + 2 * t);
        j = runStart + 2 * pairs;
        continue;
      }
      if (c === RBRACK && text.charCodeAt(j + 1) === RBRACK) {
        const o = open.pop();
        if (o !== undefined) table[o - start] = j + 2;
        j += 2;
        continue;
      }
      if (c === NL) open.length = 0; // a `[[` never closes on a later line
      j++;
    }
    // every `[[` inside a run answers with the pair it is read as: counting
    // pairs from i to the run end, the (k - d)-th pair of the run's k
    j = start;
    const pairEnds: number[] = [];
    while (j < end) {
      if (text.charCodeAt(j) !== LBRACK) {
        j++;
        continue;
      }
      const runStart = j;
      while (j < end && text.charCodeAt(j) === LBRACK) j++;
      const runEnd = j;
      const k = (runEnd - runStart) >> 1;
      if (k === 0) continue;
      pairEnds.length = k;
      for (let t = 0; t < k; t++) pairEnds[t] = table[runStart + 2 * t - start] as number;
      for (let p = runStart; p < runEnd; p++) {
        const d = (runEnd - p) >> 1;
        table[p - start] = d === 0 ? -1 : (pairEnds[k - d] as number);
      }
    }
    return table;
  }

  /** Index after the `)` closing the `(` at `i` (parentheses nest), if that `)` is before `le`; else -1. */
  closeParen(i: number, le: number): number {
    if (this.parens === null && this.directBudget > 0) {
      // as for `[[`: a direct search while it is cheap
      let depth = 0;
      let j = i;
      let r = -1;
      for (; j < le; j++) {
        const c = this.text.charCodeAt(j);
        if (c === LPAREN) depth++;
        else if (c === RPAREN && --depth === 0) {
          r = j + 1;
          break;
        }
      }
      this.directBudget -= j - i + 1;
      return r;
    }
    const table = (this.parens ??= this.buildParens());
    const r = i >= this.start && i < this.end ? (table[i - this.start] as number) : -1;
    return r > 0 && r - 1 < le ? r : -1;
  }

  private buildParens(): Int32Array {
    const { text, start, end } = this;
    const table = new Int32Array(end - start).fill(-1);
    const open: number[] = [];
    for (let j = start; j < end; j++) {
      const c = text.charCodeAt(j);
      if (c === LPAREN) open.push(j);
      else if (c === RPAREN) {
        const o = open.pop();
        if (o !== undefined) table[o - start] = j + 1;
      }
    }
    return table;
  }

  /**
   * The first closer at or after `from` for an emphasis run of `n` × char
   * `c` (not after whitespace; a single one not followed by another `c`),
   * if it ends by `le`; else -1. Same answer as searching forward from `from`.
   */
  emphasis(c: number, n: number, from: number, le: number): number {
    const key = c * 4 + n;
    let cur = this.delims.get(key);
    if (cur === undefined) this.delims.set(key, (cur = { from: -1, at: -1 }));
    if (!(cur.from >= 0 && from >= cur.from && (cur.at < 0 || cur.at >= from))) {
      const delim = String.fromCharCode(c).repeat(n);
      let j = from;
      let found = -1;
      for (;;) {
        const k = this.find(delim, j);
        if (k < 0) break;
        if (!isSpace(this.text.charCodeAt(k - 1)) && (n === 2 || this.text.charCodeAt(k + 1) !== c)) {
          found = k;
          break;
        }
        j = k + 1;
      }
      cur.from = from;
      cur.at = found;
    }
    return cur.at >= 0 && cur.at + n <= le ? cur.at : -1;
  }

  /** Org `=verbatim=`/`~code~`: the first `mark` at or after `from` not after whitespace, if before `le`; else -1. */
  verbatim(mark: number, from: number, le: number): number {
    const key = -mark; // apart from the emphasis keys
    let cur = this.delims.get(key);
    if (cur === undefined) this.delims.set(key, (cur = { from: -1, at: -1 }));
    if (!(cur.from >= 0 && from >= cur.from && (cur.at < 0 || cur.at >= from))) {
      const ch = String.fromCharCode(mark);
      let j = from;
      let found = -1;
      for (;;) {
        const k = this.find(ch, j);
        if (k < 0) break;
        if (!isSpace(this.text.charCodeAt(k - 1))) {
          found = k;
          break;
        }
        j = k + 1;
      }
      cur.from = from;
      cur.at = found;
    }
    return cur.at >= 0 && cur.at < le ? cur.at : -1;
  }

  /** End of the first backtick run of exactly `n` starting at or after `from` and before `le`, else -1. */
  backtickCloser(n: number, from: number, le: number): number {
    const runs = (this.backtickRuns ??= this.buildBacktickRuns());
    const list = runs.get(n);
    if (list === undefined) return -1;
    while (list.next < list.at.length && (list.at[list.next] as number) < from) list.next++;
    const k = list.next < list.at.length ? (list.at[list.next] as number) : -1;
    return k >= 0 && k < le ? k + n : -1;
  }

  private buildBacktickRuns(): Map<number, { at: number[]; next: number }> {
    const { text, start, end } = this;
    const runs = new Map<number, { at: number[]; next: number }>();
    let j = start;
    while (j < end) {
      if (text.charCodeAt(j) !== BACKTICK) {
        j++;
        continue;
      }
      const k = j;
      while (text.charCodeAt(j) === BACKTICK) j++; // a run is counted whole, as the scanner does
      let list = runs.get(j - k);
      if (list === undefined) runs.set(j - k, (list = { at: [], next: 0 }));
      list.at.push(k);
    }
    return runs;
  }
}
