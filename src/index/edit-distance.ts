const utf8 = new TextEncoder();

/**
 * DuckDB's `damerau_levenshtein(a, b)`, in JavaScript: the unrestricted
 * Damerau-Levenshtein distance (Lowrance-Wagner: insertions, deletions,
 * substitutions and transpositions of adjacent symbols, each costing 1)
 * over the strings' UTF-8 bytes, as DuckDB compares them. The in-memory
 * typo expansion (search-model.ts) must find the corrections the SQL one
 * finds, so it measures the same way: a non-ASCII letter is two bytes here
 * too.
 */
export function damerauLevenshtein(a: string, b: string): number {
  const s = utf8.encode(a);
  const t = utf8.encode(b);
  const n = s.length;
  const m = t.length;
  if (n === 0) return m;
  if (m === 0) return n;
  const max = n + m;
  const width = m + 2;
  // d[(i + 1) * width + (j + 1)]: the distance between s[0..i) and t[0..j); row and column 0 hold `max`.
  const d = new Uint32Array((n + 2) * width);
  const lastRow = new Int32Array(256);
  d[0] = max;
  for (let i = 0; i <= n; i++) {
    d[(i + 1) * width] = max;
    d[(i + 1) * width + 1] = i;
  }
  for (let j = 0; j <= m; j++) {
    d[j + 1] = max;
    d[width + j + 1] = j;
  }
  for (let i = 1; i <= n; i++) {
    let lastMatchColumn = 0;
    const si = s[i - 1] as number;
    for (let j = 1; j <= m; j++) {
      const tj = t[j - 1] as number;
      const k = lastRow[tj] as number;
      const l = lastMatchColumn;
      const cost = si === tj ? 0 : 1;
      if (cost === 0) lastMatchColumn = j;
      const substitution = (d[i * width + j] as number) + cost;
      const insertion = (d[(i + 1) * width + j] as number) + 1;
      const deletion = (d[i * width + j + 1] as number) + 1;
      const transposition = (d[k * width + l] as number) + (i - k - 1) + 1 + (j - l - 1);
      d[(i + 1) * width + j + 1] = Math.min(substitution, insertion, deletion, transposition);
    }
    lastRow[si] = i;
  }
  return d[(n + 1) * width + m + 1] as number;
}
