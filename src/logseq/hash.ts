/**
 * Fast, pure-JS 128-bit string hash (cyrb128-style: four 32-bit lanes mixed
 * with Math.imul) formatted as a UUID. Used for derived block ids, where
 * node:crypto per block is too slow and not available everywhere.
 */

const HEX: string[] = [];
for (let i = 0; i < 256; i++) HEX.push((i < 16 ? "0" : "") + i.toString(16));

function hex32(n: number): string {
  return (
    (HEX[(n >>> 24) & 255] as string) +
    (HEX[(n >>> 16) & 255] as string) +
    (HEX[(n >>> 8) & 255] as string) +
    (HEX[n & 255] as string)
  );
}

/**
 * Hashes the strings `parts` (UTF-16 code units, each followed by a 0
 * separator) into a UUID-formatted string (version nibble 8, RFC 4122
 * variant). Hashing the parts in place avoids building a concatenated string.
 */
export function hashToUuid(...parts: string[]): string {
  let h1 = 1779033703;
  let h2 = 3144134277;
  let h3 = 1013904242;
  let h4 = 2773480762;
  for (let p = 0; p < parts.length; p++) {
    const s = parts[p] as string;
    for (let i = 0, n = s.length; i <= n; i++) {
      const k = i < n ? s.charCodeAt(i) : 0;
      h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
      h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
      h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
      h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
    }
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  // Version 8 (custom) and RFC 4122 variant bits.
  h2 = (h2 & 0xffff0fff) | 0x00008000;
  h3 = (h3 & 0x3fffffff) | 0x80000000;
  const a = hex32(h1);
  const b = hex32(h2);
  const c = hex32(h3);
  const d = hex32(h4);
  return `${a}-${b.slice(0, 4)}-${b.slice(4)}-${c.slice(0, 4)}-${c.slice(4)}${d}`;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(s: string): boolean {
  return s.length === 36 && UUID_RE.test(s);
}
