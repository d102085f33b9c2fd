import type { IndexedFileState } from "../index/index-writer.ts";
import type { Clock } from "./clock.ts";
import { graphEntryKind } from "./graph-entry.ts";
import { UNCACHED, type IndexView } from "./index-view.ts";

/** Indexed files of a new file's content walked to find the one it was moved from, at most. */
export const MAX_MOVE_CANDIDATES = 16;

/** A vanished indexed file whose content a new file may claim (a move). */
type Vanished = { state: IndexedFileState; claimed: boolean };

export type MovePairingOptions = {
  clock: Clock;
  graphRoot: string;
  /** What the index holds and will hold per path. */
  view: IndexView;
  /** How long a vanished file's delete is held back, waiting for a create with its content. */
  pairWindowMs: number;
  /** Upper bound on that hold while creates are still being worked on. */
  maxPairWaitMs: number;
  /** PauseSyncOperations: a held delete stays held. */
  paused: () => boolean;
  /** Creates may still be on their way (files being hashed, tasks queued, events being debounced). */
  busy: () => boolean;
  /** Writes a delete whose pairing window closed with no move. */
  writeDelete: (path: string) => Promise<void>;
  /** Something the orchestrator's idleness depends on changed. */
  changed: () => void;
};

/**
 * Moves as one write. @parcel/watcher reports a rename as a delete and a
 * create, and a scan sees a path gone and another new: a vanished indexed
 * file's delete is held for `pairWindowMs` (longer while creates are still
 * being worked on), and a new file with the same content claims it, so the
 * pair is written as a rename (its rows move, block ids kept) instead of a
 * delete and a fresh index.
 */
export class MovePairing {
  readonly #options: MovePairingOptions;
  readonly #vanished = new Map<string, Vanished>();
  /** Vanished files by checksum: a new file with the same content is a move. */
  readonly #vanishedByChecksum = new Map<string, IndexedFileState>();
  /** Deletes held back, by path: their timers. */
  readonly #held = new Map<string, unknown>();

  constructor(options: MovePairingOptions) {
    this.#options = options;
  }

  /** Deletes held back, waiting for a move to claim them. */
  get held(): number {
    return this.#held.size;
  }

  /**
   * Whether a vanished file awaits its move. When none does, a new file is
   * read and parsed in one task (file-sync.ts); `claimMove` still runs once
   * its checksum is known, so a move whose create came first is still paired.
   */
  get mayMove(): boolean {
    return this.#vanishedByChecksum.size > 0;
  }

  /**
   * A new file's content: the vanished file it was moved from, claimed, if
   * any. Among the registered vanished files, and unless `vanishedOnly`,
   * among the indexed files of that content that are gone from disk.
   */
  async claimMove(checksum: string, options: { vanishedOnly?: boolean } = {}): Promise<IndexedFileState | undefined> {
    const vanished = this.#vanishedByChecksum.get(checksum);
    if (vanished !== undefined && movable(vanished)) {
      this.#vanishedByChecksum.delete(checksum);
      this.claim(vanished.path);
      return vanished;
    }
    if (options.vanishedOnly === true) return undefined;
    const { view } = this.#options;
    // Content many files share (an empty journal, a template) would cost a walk of each per new file: a few do.
    for (const path of (await view.pathsWithChecksum(checksum)).slice(0, MAX_MOVE_CANDIDATES)) {
      const state = await view.latest(path);
      if (state === undefined || state.checksum !== checksum || !movable(state) || this.#vanished.get(path)?.claimed) continue;
      if (graphEntryKind(this.#options.graphRoot, path) !== "none") continue;
      this.register(path, state);
      this.#unregisterChecksum(state);
      this.claim(path);
      return state;
    }
    return undefined;
  }

  /** The path is gone: its delete is written now (nothing to pair), swallowed (a move took it) or held. */
  async missing(path: string): Promise<void> {
    const state = this.#vanished.has(path) ? undefined : await this.#options.view.latest(path);
    const vanished = this.#vanished.get(path) ?? this.register(path, state);
    // Nothing the index holds or will hold (a new file gone before it was written): nothing to delete.
    if (vanished === undefined) return this.#options.view.willHold(path) ? this.#options.writeDelete(path) : undefined;
    if (vanished.claimed) {
      this.#vanished.delete(path);
      return undefined;
    }
    if (!this.#held.has(path)) this.#hold(path, this.#options.clock.now());
    return undefined;
  }

  /**
   * An indexed file vanished: its content is up for a move. Without a state,
   * the view's cached row; a row the cache lost is registered by the delete's
   * task (`missing`), and until then `claimMove` finds it through the view.
   */
  register(path: string, state: IndexedFileState | undefined | typeof UNCACHED = this.#options.view.cached(path)): Vanished | undefined {
    if (state === undefined || state === UNCACHED || state.checksum === null || !movable(state)) return undefined;
    const existing = this.#vanished.get(path);
    if (existing && !existing.claimed) return existing;
    const vanished = { state, claimed: false };
    this.#vanished.set(path, vanished);
    this.#vanishedByChecksum.set(state.checksum, state);
    return vanished;
  }

  /** The path exists again: its old content is no longer up for a move. */
  forget(path: string): void {
    const vanished = this.#vanished.get(path);
    if (vanished === undefined) return;
    this.#vanished.delete(path);
    // A claimed entry only waited to swallow the moved file's delete event: with
    // the path back, a later delete must be written, not swallowed.
    if (vanished.claimed) return;
    this.#unregisterChecksum(vanished.state);
    const timer = this.#held.get(path);
    if (timer !== undefined) {
      this.#options.clock.clearTimeout(timer);
      this.#held.delete(path);
    }
  }

  /** A move took `from`'s content: its delete must not be written. */
  claim(from: string): void {
    const vanished = this.#vanished.get(from);
    if (vanished) vanished.claimed = true;
    const timer = this.#held.get(from);
    if (timer !== undefined) {
      this.#options.clock.clearTimeout(timer);
      this.#held.delete(from);
      this.#vanished.delete(from);
    }
  }

  /** Closing: every held delete is written now. */
  releaseAll(): void {
    for (const path of [...this.#held.keys()]) this.#release(path, true);
  }

  #hold(path: string, since: number): void {
    const { clock } = this.#options;
    this.#held.set(path, clock.setTimeout(() => {
      // Paused: writing the delete now would change the index; its pairing window restarts on resume.
      if (this.#options.paused()) return this.#hold(path, clock.now());
      if (this.#options.busy() && clock.now() - since < this.#options.maxPairWaitMs) this.#hold(path, since);
      else this.#release(path, false);
    }, this.#options.pairWindowMs));
  }

  /** The pairing window closed with no move: write the delete. */
  #release(path: string, closing: boolean): void {
    const timer = this.#held.get(path);
    if (timer !== undefined) this.#options.clock.clearTimeout(timer);
    this.#held.delete(path);
    const vanished = this.#vanished.get(path);
    this.#vanished.delete(path);
    if (vanished && !vanished.claimed) {
      this.#unregisterChecksum(vanished.state);
      const added = this.#options.writeDelete(path);
      if (!closing) void added.finally(() => this.#options.changed());
    }
    this.#options.changed();
  }

  #unregisterChecksum(state: IndexedFileState): void {
    if (state.checksum !== null && this.#vanishedByChecksum.get(state.checksum) === state) {
      this.#vanishedByChecksum.delete(state.checksum);
    }
  }
}

function movable(state: IndexedFileState): boolean {
  return state.status === "indexed" || state.status === "warning";
}
