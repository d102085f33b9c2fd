// Seeded pseudo-random numbers for the benchmark graph generator.
//
// sfc32 (Small Fast Chaotic, 32-bit state words) seeded through splitmix32.
// Pure integer arithmetic on 32-bit values, so the same seed gives the same
// sequence on every engine (Node, Deno). Never use Math.random in bench code
// that must be reproducible.

function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
  z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
  return (z ^ (z >>> 15)) >>> 0;
}

export class Random {
  #a: number;
  #b: number;
  #c: number;
  #d: number;

  constructor(seed: number) {
    const state = { s: seed | 0 };
    this.#a = splitmix32(state);
    this.#b = splitmix32(state);
    this.#c = splitmix32(state);
    this.#d = splitmix32(state);
    for (let i = 0; i < 12; i++) this.uint32();
  }

  /** Uniform integer in [0, 2^32). */
  uint32(): number {
    let a = this.#a;
    let b = this.#b;
    let c = this.#c;
    let d = this.#d;
    let t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    this.#a = a;
    this.#b = b;
    this.#c = c;
    this.#d = d;
    return t >>> 0;
  }

  /** Uniform float in [0, 1). */
  next(): number {
    return this.uint32() / 4294967296;
  }

  /** Uniform integer in [min, max] (both inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError("pick from empty list");
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** Log-uniform value in [lo, hi): many small values, a few large ones. */
  logUniform(lo: number, hi: number): number {
    return lo * Math.pow(hi / lo, this.next());
  }

  /** A new independent generator derived from this one's seed stream. */
  fork(label: number): Random {
    return new Random((this.uint32() ^ Math.imul(label | 0, 0x85ebca6b)) | 0);
  }

  /** Random hex string of `length` characters. */
  hex(length: number): string {
    let out = "";
    while (out.length < length) out += this.uint32().toString(16).padStart(8, "0");
    return out.slice(0, length);
  }

  /** RFC 4122 version-4 shaped UUID (lowercase), as Logseq writes in `id::`. */
  uuid(): string {
    const h = this.hex(32);
    const variant = "89ab"[this.uint32() & 3] as string;
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }
}

/**
 * Samples ranks 0..n-1 with probability proportional to 1 / (rank + 1)^s
 * (Zipf's law), via a cumulative table and binary search.
 */
export class ZipfSampler {
  readonly size: number;
  #cdf: Float64Array;

  constructor(n: number, s = 1.0) {
    if (n < 1) throw new RangeError("ZipfSampler needs n >= 1");
    this.size = n;
    this.#cdf = new Float64Array(n);
    let total = 0;
    for (let i = 0; i < n; i++) {
      total += 1 / Math.pow(i + 1, s);
      this.#cdf[i] = total;
    }
    for (let i = 0; i < n; i++) this.#cdf[i] = (this.#cdf[i] as number) / total;
    // Guide table: #guide[k] = first rank whose cdf >= k / GUIDE, so a sample
    // only binary-searches inside one small bucket.
    this.#guide = new Uint32Array(ZipfSampler.GUIDE + 1);
    let rank = 0;
    for (let k = 0; k <= ZipfSampler.GUIDE; k++) {
      const u = k / ZipfSampler.GUIDE;
      while (rank < n - 1 && (this.#cdf[rank] as number) < u) rank++;
      this.#guide[k] = rank;
    }
  }

  static readonly GUIDE = 4096;
  #guide: Uint32Array;

  sample(rng: Random): number {
    const u = rng.next();
    const cdf = this.#cdf;
    const k = Math.floor(u * ZipfSampler.GUIDE);
    let lo = this.#guide[k] as number;
    let hi = this.#guide[k + 1] as number;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((cdf[mid] as number) < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
