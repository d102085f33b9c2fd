import type { FileRow, FileWrite } from "../index/index-batch.ts";
import type { IndexedFileState } from "../index/index-writer.ts";
import { pathsOf } from "./batch-processor.ts";

/**
 * What the index holds per path (as of the last committed batch) and what it
 * *will* hold once the writes handed to the BatchProcessor commit. A task
 * compares a file with `latest`, so a fast revert is not mistaken for
 * "unchanged" while the edit's write is still pending (issue #13 row 1).
 */
export class IndexView {
  /** What the index holds per path, as of the last committed batch. */
  readonly known = new Map<string, IndexedFileState>();
  /** Paths of `known` by checksum, to find a moved file whose delete has not been seen yet. */
  readonly #knownByChecksum = new Map<string, Set<string>>();
  /** Per path, the latest write handed over and not yet committed. */
  readonly #pending = new Map<string, FileWrite>();

  constructor(known: Iterable<IndexedFileState>) {
    for (const state of known) this.#setKnown(state);
  }

  /** What the index will hold for `path` once every write handed over so far commits. */
  latest(path: string): IndexedFileState | undefined {
    const write = this.#pending.get(path);
    if (write === undefined) return this.known.get(path);
    return write.op === "delete" || (write.op === "rename" && write.from === path) ? undefined : write.file;
  }

  /** Every path's latest state. */
  states(): IndexedFileState[] {
    if (this.#pending.size === 0) return [...this.known.values()];
    const states: IndexedFileState[] = [];
    for (const path of new Set([...this.known.keys(), ...this.#pending.keys()])) {
      const state = this.latest(path);
      if (state !== undefined) states.push(state);
    }
    return states;
  }

  isPending(path: string): boolean {
    return this.#pending.has(path);
  }

  /** Known paths whose committed content has this checksum. */
  pathsWithChecksum(checksum: string): string[] {
    return [...(this.#knownByChecksum.get(checksum) ?? [])];
  }

  /** A write was handed to the BatchProcessor. */
  pend(write: FileWrite): void {
    for (const path of pathsOf(write)) this.#pending.set(path, write);
  }

  /** A write committed: `known` follows it. */
  commit(write: FileWrite): void {
    switch (write.op) {
      case "delete":
        this.#deleteKnown(write.path);
        break;
      case "rename":
        this.#deleteKnown(write.from);
        this.#setKnown(write.file);
        break;
      case "index":
      case "metadata":
        this.#setKnown(write.file);
        break;
    }
    this.settle(write);
  }

  /** A write committed or failed for good: later tasks compare with `known` again, unless a newer write is pending. */
  settle(write: FileWrite): void {
    for (const path of pathsOf(write)) if (this.#pending.get(path) === write) this.#pending.delete(path);
  }

  #setKnown(state: IndexedFileState): void {
    this.#deleteKnown(state.path);
    this.known.set(state.path, state);
    if (state.checksum === null) return;
    let paths = this.#knownByChecksum.get(state.checksum);
    if (paths === undefined) this.#knownByChecksum.set(state.checksum, (paths = new Set()));
    paths.add(state.path);
  }

  #deleteKnown(path: string): void {
    const old = this.known.get(path);
    if (old === undefined) return;
    this.known.delete(path);
    if (old.checksum === null) return;
    const paths = this.#knownByChecksum.get(old.checksum);
    paths?.delete(path);
    if (paths?.size === 0) this.#knownByChecksum.delete(old.checksum);
  }
}

/** Whether the index's row for a file already says what `file` says (a metadata write that changes nothing). */
export function sameFileRow(known: FileRow | undefined, file: FileRow): boolean {
  return known !== undefined && known.size === file.size && known.mtime === file.mtime && known.checksum === file.checksum &&
    known.status === file.status && known.error === file.error && known.idSeed === file.idSeed;
}
