/**
 * The content-aware diff behind an incremental write (issue #11): which of a
 * file's indexed blocks a new parse keeps. Each block is reduced to a digest
 * of its content columns (not its place in the tree: see
 * incremental-write.ts); the diff pairs equal digests in order, as a
 * longest common subsequence.
 *
 * An editor's save changes one spot of a file, so the common prefix and
 * suffix are trimmed first in linear time; only the middle left between
 * them goes through the quadratic LCS table, and a middle too large for it
 * returns null: the caller then rewrites the whole file.
 */

/** Cells of the LCS table at most (oldMiddle × newMiddle): 4M cells of 2 bytes stay within 8 MB. */
export const MAX_DIFF_CELLS = 4_000_000;

/** Index pairs (old, new) of the blocks the new parse keeps, both increasing. */
export type BlockPairs = { oldIndex: number[]; newIndex: number[] };

export function diffBlocks(before: readonly string[], after: readonly string[], maxCells = MAX_DIFF_CELLS): BlockPairs | null {
  const oldIndex: number[] = [];
  const newIndex: number[] = [];
  let start = 0;
  while (start < before.length && start < after.length && before[start] === after[start]) {
    oldIndex.push(start);
    newIndex.push(start);
    start++;
  }
  let oldEnd = before.length;
  let newEnd = after.length;
  while (oldEnd > start && newEnd > start && before[oldEnd - 1] === after[newEnd - 1]) {
    oldEnd--;
    newEnd--;
  }
  const m = oldEnd - start;
  const n = newEnd - start;
  if (m > 0 && n > 0) {
    if (m * n > maxCells) return null;
    const middle = lcs(before.slice(start, oldEnd), after.slice(start, newEnd));
    for (const [i, j] of middle) {
      oldIndex.push(start + i);
      newIndex.push(start + j);
    }
  }
  for (let k = 0; k < before.length - oldEnd; k++) {
    oldIndex.push(oldEnd + k);
    newIndex.push(newEnd + k);
  }
  return { oldIndex, newIndex };
}

/** The classic suffix-length table, walked forward: pairs in increasing order. */
function lcs(a: readonly string[], b: readonly string[]): [number, number][] {
  const m = a.length;
  const n = b.length;
  const width = n + 1;
  // Lengths never exceed min(m, n) ≤ sqrt(maxCells) = 2,000: Uint16 suffices.
  const table = new Uint16Array((m + 1) * width);
  for (let i = m - 1; i >= 0; i--) {
    for (let j = n - 1; j >= 0; j--) {
      table[i * width + j] = a[i] === b[j]
        ? (table[(i + 1) * width + j + 1] as number) + 1
        : Math.max(table[(i + 1) * width + j] as number, table[i * width + j + 1] as number);
    }
  }
  const pairs: [number, number][] = [];
  let i = 0;
  let j = 0;
  while (i < m && j < n) {
    if (a[i] === b[j]) {
      pairs.push([i, j]);
      i++;
      j++;
    } else if ((table[(i + 1) * width + j] as number) >= (table[i * width + j + 1] as number)) i++;
    else j++;
  }
  return pairs;
}
