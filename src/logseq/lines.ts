/**
 * Line scan of one file: the per-file line tables (start/end of every line,
 * where each line's block content starts, which lines are not scanned for
 * refs) and small character helpers that read the text by offset.
 */

/**
 * Per-file line tables, reused across calls (parseFile is synchronous and
 * not re-entrant): LS/LE = start/end of line n in the text (end excludes a
 * trailing CR), CS = where the line's block content starts (after the
 * bullet, or the stripped continuation indentation).
 */
export let LS = new Int32Array(4096);
export let LE = new Int32Array(4096);
export let CS = new Int32Array(4096);
export let SKIP = new Uint8Array(4096);

function ensureCapacity(n: number): void {
  if (n <= LS.length) return;
  let cap = LS.length;
  while (cap < n) cap *= 2;
  LS = new Int32Array(cap);
  LE = new Int32Array(cap);
  CS = new Int32Array(cap);
  SKIP = new Uint8Array(cap);
}

/** Fills LS/LE like `text.split("\n")` with one trailing CR stripped per line and an empty last line dropped; returns the line count. */
export function splitLines(text: string): number {
  const len = text.length;
  let count = 0;
  let nl = text.indexOf("\n");
  while (nl >= 0) {
    count++;
    nl = text.indexOf("\n", nl + 1);
  }
  ensureCapacity(count + 1);
  let n = 0;
  let start = 0;
  for (;;) {
    const e = text.indexOf("\n", start);
    if (e < 0) {
      if (start < len) {
        LS[n] = start;
        LE[n] = text.charCodeAt(len - 1) === 13 ? len - 1 : len;
        n++;
      }
      return n;
    }
    LS[n] = start;
    LE[n] = e > start && text.charCodeAt(e - 1) === 13 ? e - 1 : e;
    n++;
    start = e + 1;
  }
}

/** Index of the first char in [i, e) that is not a space or tab (e if none). */
export function skipWs(text: string, i: number, e: number): number {
  while (i < e) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9) break;
    i++;
  }
  return i;
}

/** Whitespace as JavaScript's `\s` / `trim` see it. */
export function isJsSpace(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13);
  if (c < 0xa0) return false;
  return (
    c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 ||
    c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff
  );
}

/** Index of the first char in [i, e) that is not JS whitespace (e if none). */
export function skipJsWs(text: string, i: number, e: number): number {
  while (i < e && isJsSpace(text.charCodeAt(i))) i++;
  return i;
}

export function isBlankLine(text: string, n: number): boolean {
  const e = LE[n] as number;
  return skipWs(text, LS[n] as number, e) === e;
}
