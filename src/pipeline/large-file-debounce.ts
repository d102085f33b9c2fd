/**
 * The large-file debounce rule (issue #11). An editor saves a page on every
 * pause in typing; re-diffing a 5 MB page on each of those saves costs a
 * parse of the whole page each time. But a fixed long quiet time
 * (`debounce.largeFileMs`) also delays the one save of a page edited once.
 *
 * So a large file's changes come in runs: a change less than `largeFileMs`
 * after the file's previous change continues its run; any other starts one.
 * Until a change of the run has been synced, the normal quiet time applies
 * (markdownMs/orgMs): the first save of a quiet file is searchable as fast
 * as a small file's. After that, while the file is still being typed into,
 * a change waits `largeFileMs` of quiet, and the debouncer's `maxWaitMs`
 * caps the wait: the saves of a run are coalesced into one sync at most
 * every `maxWaitMs`, after the first.
 */
export class LargeFileDebounce {
  readonly #largeFileMs: number;
  /** Large files' runs by path, the least recently changed first. */
  readonly #runs = new Map<string, { lastChangeAt: number; synced: boolean }>();

  constructor(largeFileMs: number) {
    this.#largeFileMs = largeFileMs;
  }

  /** A large file changed at `now`: its quiet time. `quietMs`: a small file's. */
  delayMs(path: string, now: number, quietMs: number): number {
    const run = this.#runs.get(path);
    this.#runs.delete(path);
    const continued = run !== undefined && now - run.lastChangeAt < this.#largeFileMs;
    const synced = continued && run.synced;
    this.#runs.set(path, { lastChangeAt: now, synced });
    this.#forgetOld(now);
    return synced ? Math.max(quietMs, this.#largeFileMs) : quietMs;
  }

  /** A large file's pending changes were handed on to be synced. */
  settled(path: string): void {
    const run = this.#runs.get(path);
    if (run !== undefined) run.synced = true;
  }

  /** Only runs still going matter: forget the others, the oldest first, once they pile up. */
  #forgetOld(now: number): void {
    if (this.#runs.size <= MAX_TRACKED) return;
    for (const [path, run] of this.#runs) {
      if (now - run.lastChangeAt < this.#largeFileMs && this.#runs.size <= MAX_TRACKED) break;
      this.#runs.delete(path);
    }
  }
}

/** Large files tracked at most: a few are typed into at a time. */
const MAX_TRACKED = 256;
