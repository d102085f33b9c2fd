/**
 * ForegroundGate: someone waits for an answer (a search or another read
 * through the service's socket), so background work steps aside. One counter
 * in shared memory: the main thread raises it for the length of each
 * foreground read, and the hashing and parsing threads look at it before each
 * file (BackgroundYield) and wait while it is up.
 *
 * On two cores a catch-up keeps both busy (two parse threads, the writer,
 * DuckDB): a search got what was left of them, 106-117 ms at p50 and 314-354
 * ms at p95 during a 20,000-file catch-up (issue #8: target p95 100 ms); with
 * the parse threads stepping aside, 68-69 and 203-207. A file's parse takes
 * about 0.2 ms, so they stop within a file of the read starting. Holding the
 * writer's statements back as well, giving DuckDB a second thread for the
 * read, or sorting each batch's postings changed nothing measurable: what is
 * left is the SQL a catch-up answers through (the search model loads at its
 * end), which for the most frequent words grows with the postings (`the
 * with`: 127 ms on a finished 20,000-file index at one DuckDB thread).
 */
export class ForegroundGate {
  /** Shared with the threads that yield (their workerData): see the views below. */
  readonly memory = new SharedArrayBuffer(GATE_BYTES);
  readonly #ints = new Int32Array(this.memory, 0, 2);
  readonly #waitedMs = new BigInt64Array(this.memory, 8, 1);
  #reads = 0;

  /** Runs `read` with the background held back. */
  async hold<T>(read: () => Promise<T>): Promise<T> {
    this.#reads++;
    Atomics.add(this.#ints, HOLDING, 1);
    try {
      return await read();
    } finally {
      if (Atomics.sub(this.#ints, HOLDING, 1) === 1) Atomics.notify(this.#ints, HOLDING);
    }
  }

  /** For `status`: reads held for since the start, held now, threads waiting now, and the milliseconds they waited in all. */
  stats(): { reads: number; holding: number; waiting: number; backgroundWaitMs: number } {
    return {
      reads: this.#reads,
      holding: Atomics.load(this.#ints, HOLDING),
      waiting: Atomics.load(this.#ints, WAITING),
      backgroundWaitMs: Number(Atomics.load(this.#waitedMs, 0)),
    };
  }
}

/** Int32 0: foreground reads running; Int32 1: background threads waiting for them; BigInt64 at byte 8: milliseconds waited. */
const GATE_BYTES = 16;
const HOLDING = 0;
const WAITING = 1;

/**
 * A background thread's side of the gate. A thread never gives more than
 * `share` of any `windowMs` to waiting: a client searching without pause
 * (an assistant through MCP, a stuck loop) still leaves it the rest of its
 * time (a bound by construction), and a counter left up by a bug cannot
 * stop it.
 */
export class BackgroundYield {
  readonly #ints: Int32Array | undefined;
  readonly #waitedMs: BigInt64Array | undefined;
  readonly #windowMs: number;
  readonly #budgetMs: number;
  #windowStart = Number.NEGATIVE_INFINITY;
  #waited = 0;

  /** `memory`: the gate's (from workerData); none: `wait` never waits. */
  constructor(memory: SharedArrayBuffer | undefined, options: { windowMs?: number; share?: number } = {}) {
    this.#ints = memory === undefined ? undefined : new Int32Array(memory, 0, 2);
    this.#waitedMs = memory === undefined ? undefined : new BigInt64Array(memory, 8, 1);
    this.#windowMs = options.windowMs ?? 1000;
    this.#budgetMs = this.#windowMs * (options.share ?? 0.5);
  }

  /** Between two units of work: waits while the gate is held, within the budget. Returns the milliseconds waited. */
  wait(): number {
    const ints = this.#ints;
    if (ints === undefined) return 0;
    let held = Atomics.load(ints, HOLDING);
    if (held === 0) return 0;
    const started = performance.now();
    if (started - this.#windowStart >= this.#windowMs) {
      this.#windowStart = started;
      this.#waited = 0;
    }
    const until = started + this.#budgetMs - this.#waited;
    // This window's share is spent: on with the work.
    if (until <= started) return 0;
    Atomics.add(ints, WAITING, 1);
    for (let left = until - started; held > 0 && left > 0; left = until - performance.now()) {
      Atomics.wait(ints, HOLDING, held, left);
      held = Atomics.load(ints, HOLDING);
    }
    Atomics.sub(ints, WAITING, 1);
    const waited = performance.now() - started;
    this.#waited += waited;
    Atomics.add(this.#waitedMs as BigInt64Array, 0, BigInt(Math.round(waited)));
    return waited;
  }
}
