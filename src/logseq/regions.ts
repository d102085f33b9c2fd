/** Code fences (```/~~~) and `#+BEGIN_…`/`#+END_…` regions: where they open and whether they close. */
import { LE, skipWs } from "./lines.ts";

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

/** Whether the line at `i` starts with `#+END_NAME` (case-insensitive, prefix match). */
export function isEndBlockAt(text: string, i: number, e: number, name: string): boolean {
  if (text.charCodeAt(i) !== 35 || text.charCodeAt(i + 1) !== 43) return false;
  return text.slice(i + 2, Math.min(e, i + 6 + name.length)).toUpperCase() === "END_" + name;
}

/**
 * Finds whether a region opened on line `from - 1` is closed by a line in
 * [from, to): a fence of `ch` × at least `len`, or `#+END_<name>`. Failures
 * are remembered per scope (one scan over the file, or over one block):
 * queries come in increasing line order, so "no fence of `ch` × ≥ L after
 * line m" answers every later query with a run ≥ L, and an unclosed
 * `#+BEGIN_X` stays unclosed. This keeps unclosed fences from rescanning to
 * the end for every opener (quadratic).
 */
export class CloserFinder {
  private noFenceMin: [number, number] = [Infinity, Infinity]; // backtick, tilde
  private noEnd: Set<string> | null = null;
  private readonly text: string;
  private readonly to: number;
  /** Start of the text on each line: CS (block content) or LS (whole line). */
  private readonly starts: Int32Array;
  constructor(text: string, to: number, starts: Int32Array) {
    this.text = text;
    this.to = to;
    this.starts = starts;
  }

  fence(from: number, ch: number, len: number): boolean {
    const slot = ch === 96 ? 0 : 1;
    if (len >= (this.noFenceMin[slot] as number)) return false;
    const text = this.text;
    for (let k = from; k < this.to; k++) {
      const e = LE[k] as number;
      const i = skipWs(text, this.starts[k] as number, e);
      if (closesFence(text, i, e, ch, len)) return true;
    }
    this.noFenceMin[slot] = len;
    return false;
  }

  end(from: number, name: string): boolean {
    if (this.noEnd !== null && this.noEnd.has(name)) return false;
    const text = this.text;
    for (let k = from; k < this.to; k++) {
      const e = LE[k] as number;
      const i = skipWs(text, this.starts[k] as number, e);
      if (isEndBlockAt(text, i, e, name)) return true;
    }
    (this.noEnd ??= new Set()).add(name);
    return false;
  }
}
