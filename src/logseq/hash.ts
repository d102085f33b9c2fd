/**
 * Fast, pure-JS 128-bit string hash (cyrb128-style: four 32-bit lanes mixed
 * with Math.imul) formatted as a UUID. Used for derived block ids, where
 * node:crypto per block is too slow and not available everywhere.
 */

/**
 * Hashes the strings `parts` (UTF-16 code units, each followed by a 0
 * separator) into a UUID-formatted string (version nibble 8, RFC 4122
 * variant). Hashing the parts in place avoids building a concatenated string.
 */
export function hashToUuid(...parts: string[]): string {
  startUuidHash();
  for (let p = 0; p < parts.length; p++) addToUuidHash(parts[p] as string);
  return finishUuidHash();
}

/** The lanes of the hash being built by `addToUuidHash` (one at a time per thread). */
let u1 = 0;
let u2 = 0;
let u3 = 0;
let u4 = 0;

/**
 * `hashToUuid` part by part, for a caller with a varying number of parts
 * (block-outline.ts): no array of them, no rest-argument copy.
 */
export function startUuidHash(): void {
  u1 = 1779033703;
  u2 = 3144134277;
  u3 = 1013904242;
  u4 = 2773480762;
}

export function addToUuidHash(s: string): void {
  let h1 = u1;
  let h2 = u2;
  let h3 = u3;
  let h4 = u4;
  for (let i = 0, n = s.length; i <= n; i++) {
    const k = i < n ? s.charCodeAt(i) : 0;
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  u1 = h1;
  u2 = h2;
  u3 = h3;
  u4 = h4;
}

export function finishUuidHash(): string {
  let h1 = Math.imul(u3 ^ (u1 >>> 18), 597399067);
  let h2 = Math.imul(u4 ^ (u2 >>> 22), 2869860233);
  let h3 = Math.imul(h1 ^ (u3 >>> 17), 951274213);
  let h4 = Math.imul(h2 ^ (u4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  // Version 8 (custom) and RFC 4122 variant bits.
  h2 = (h2 & 0xffff0fff) | 0x00008000;
  h3 = (h3 & 0x3fffffff) | 0x80000000;
  return uuidOf(h1, h2, h3, h4);
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(s: string): boolean {
  return s.length === 36 && UUID_RE.test(s);
}

/**
 * Block-id hashing, cheaper than `hashToUuid` for the hot path: the page
 * name is hashed once per file (`blockIdSeed`), then each block's content is
 * read two UTF-16 units at a time into four xxHash32-style lanes (one lane
 * per 32-bit word, round-robin), so about one `Math.imul` per character.
 * The occurrence number and length are mixed in before a cross-lane
 * avalanche. Deterministic across engines (pure 32-bit integer arithmetic).
 */
export type BlockIdSeed = { a: number; b: number; c: number; d: number };

const P1 = 0x9e3779b1 | 0;
const P2 = 0x85ebca77 | 0;
const P3 = 0xc2b2ae3d | 0;
const P4 = 0x27d4eb2f | 0;

export function blockIdSeed(pageName: string): BlockIdSeed {
  let a = 0x6a09e667 | 0;
  let b = 0xbb67ae85 | 0;
  let c = 0x3c6ef372 | 0;
  let d = 0xa54ff53a | 0;
  for (let i = 0; i < pageName.length; i++) {
    const k = pageName.charCodeAt(i);
    a = b ^ Math.imul(a ^ k, P1);
    b = c ^ Math.imul(b ^ k, P2);
    c = d ^ Math.imul(c ^ k, P3);
    d = a ^ Math.imul(d ^ k, P4);
  }
  return { a, b, c, d };
}

function round(acc: number, w: number): number {
  acc = (acc + Math.imul(w, P2)) | 0;
  acc = (acc << 13) | (acc >>> 19);
  return Math.imul(acc, P1);
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, P2);
  h ^= h >>> 13;
  h = Math.imul(h, P3);
  return h ^ (h >>> 16);
}

/** Lanes after `absorbContent`, read by `contentKey` and `blockIdFromContent`. */
let la = 0;
let lb = 0;
let lc = 0;
let ld = 0;

/**
 * Reads `content` into the lanes (starting from the page's seed) and returns
 * a 30-bit hash of it (a small integer), for finding blocks with equal content.
 */
export function absorbContent(seed: BlockIdSeed, content: string): number {
  let a = seed.a;
  let b = seed.b;
  let c = seed.c;
  let d = seed.d;
  const n = content.length;
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    a = round(a, content.charCodeAt(i) | (content.charCodeAt(i + 1) << 16));
    b = round(b, content.charCodeAt(i + 2) | (content.charCodeAt(i + 3) << 16));
    c = round(c, content.charCodeAt(i + 4) | (content.charCodeAt(i + 5) << 16));
    d = round(d, content.charCodeAt(i + 6) | (content.charCodeAt(i + 7) << 16));
  }
  for (; i < n; i++) {
    a = round(a, content.charCodeAt(i) + 0x10000);
    const t = a;
    a = b;
    b = c;
    c = d;
    d = t;
  }
  a = round(a, n);
  la = a;
  lb = b;
  lc = c;
  ld = d;
  return fmix(a ^ b ^ c ^ d) & 0x3fffffff;
}

const HEXC = new Uint8Array(16);
for (let i = 0; i < 16; i++) HEXC[i] = "0123456789abcdef".charCodeAt(i);
const CODES: number[] = new Array(36).fill(45);

function putHex(at: number, h: number): number {
  for (let s = 28; s >= 0; s -= 4) {
    if (at === 8 || at === 13 || at === 18 || at === 23) at++; // dashes stay
    CODES[at++] = HEXC[(h >>> s) & 15] as number;
  }
  return at;
}

/** The UUID (version nibble 8, RFC 4122 variant) of the content last absorbed, for its `occurrence` (earlier blocks with the same content). */
export function blockIdFromContent(occurrence: number): string {
  let a = la;
  let b = round(lb, occurrence);
  let c = lc;
  let d = ld;
  a = fmix(a ^ d);
  b = fmix(b ^ a);
  c = fmix(c ^ b);
  d = fmix(d ^ c);
  a = fmix(a ^ d);
  b = (b & 0xffff0fff) | 0x00008000;
  c = (c & 0x3fffffff) | 0x80000000;
  return uuidOf(a, b, c, d);
}

/**
 * Four 32-bit words as a UUID's 36 characters, from one array of char codes:
 * building it from hex pieces, slices and a template cost more than the
 * hash (issue #8).
 */
function uuidOf(a: number, b: number, c: number, d: number): string {
  let at = putHex(0, a);
  at = putHex(at, b);
  at = putHex(at, c);
  putHex(at, d);
  const k = CODES as number[] & { length: 36 };
  return String.fromCharCode(
    k[0]!, k[1]!, k[2]!, k[3]!, k[4]!, k[5]!, k[6]!, k[7]!, k[8]!, k[9]!, k[10]!, k[11]!,
    k[12]!, k[13]!, k[14]!, k[15]!, k[16]!, k[17]!, k[18]!, k[19]!, k[20]!, k[21]!, k[22]!, k[23]!,
    k[24]!, k[25]!, k[26]!, k[27]!, k[28]!, k[29]!, k[30]!, k[31]!, k[32]!, k[33]!, k[34]!, k[35]!,
  );
}

/** `absorbContent` + `blockIdFromContent`. */
export function blockIdHash(seed: BlockIdSeed, content: string, occurrence: number): string {
  absorbContent(seed, content);
  return blockIdFromContent(occurrence);
}
