import type { SyncConfiguration } from "../config/load-config.ts";
import type { GraphConfig } from "../logseq/types.ts";
import { type Clock, systemClock } from "./clock.ts";
import { EventDebouncer } from "./event-debouncer.ts";
import { LargeFileDebounce } from "./large-file-debounce.ts";
import { createEventFilter, isDirectoryEventWorthScanning } from "./event-filter.ts";
import type { WatchEvent } from "./file-system-watcher.ts";
import { resolveGraphPath } from "./graph-entry.ts";
import { SyncEventKind, type SyncEvent } from "./sync-event.ts";
import { parentFolder, prefixCovers } from "./sync-task-queue.ts";
import { AGED_EVENTS_MAX, heldFor, WATCHER_HOLD_MS } from "./watcher-hold.ts";

export type EventRouterOptions = {
  root: string;
  graph: GraphConfig;
  debounce: SyncConfiguration["debounce"];
  clock?: Clock;
  /** Most paths held by the debouncer; past it, events mark their folder dirty instead. */
  maxPending: number;
  /** Size the index last saw for a path (a large file's changes follow LargeFileDebounce). */
  knownSize: (path: string) => number | undefined;
  /** Whether the index holds any file under `folder` (a folder delete may hide file deletes). */
  hasIndexedUnder: (folder: string) => boolean;
  /** A graph file's change has settled: queue it. */
  onSettled: (event: SyncEvent) => void;
  /** A folder needs scanning (new folder, vanished folder). */
  scanFolder: (folder: string) => void;
  /** Events were dropped for memory's sake: rescan this folder later. */
  markDirty: (folder: string) => void;
  /**
   * How long ago a changed file was written, as far as the watcher may have
   * held its event back (watcher-hold.ts `heldFor`): that much of its
   * debounce is spent already. Asked only of callbacks of at most
   * AGED_EVENTS_MAX events. By default the file's mtime under `root`.
   */
  heldFor?: (path: string) => number;
  /** Graph files whose change (not a delete) starts or goes on settling, per batch of watcher events. */
  onChanging?: (paths: string[]) => void;
};

/** A second look at a new folder this long after the first scan: files created there before the OS watch existed are never reported. */
const FOLLOW_UP_SCAN_MS = 1000;

/** Recent settles kept before the old ones are dropped (EventRouter #noteSettled). */
const SETTLED_KEPT = 256;

type FolderScan = { timer: unknown; firstSeen: number; followUp: boolean };

/**
 * The event router: watcher events → EventFilter → EventDebouncer → the
 * orchestrator. Folder events become folder scans, because the watcher often
 * misses files created inside freshly created nested folders (and never
 * watches those folders), and a folder renamed away reports only itself.
 */
export class EventRouter {
  readonly #options: EventRouterOptions;
  readonly #clock: Clock;
  readonly #filter: (path: string) => boolean;
  readonly #debouncer: EventDebouncer;
  readonly #folders = new Map<string, FolderScan>();
  readonly #settleMs: number;
  readonly #heldFor: (path: string) => number;
  /** When recently settled paths settled (clock time): a write before that was the settled sync's to read. */
  readonly #settledAt = new Map<string, number>();
  #closed = false;

  constructor(options: EventRouterOptions) {
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#filter = createEventFilter(options.graph);
    this.#heldFor = options.heldFor ?? ((path) => heldFor(options.root, path));
    const d = options.debounce;
    this.#settleMs = Math.max(d.markdownMs, d.orgMs) + 100;
    const large = new LargeFileDebounce(d.largeFileMs);
    const isLarge = (path: string): boolean => (options.knownSize(path) ?? 0) > d.largeFileBytes;
    this.#debouncer = new EventDebouncer({
      clock: this.#clock,
      maxWaitMs: d.maxWaitMs,
      delayMs: (path) => {
        const quietMs = path.toLowerCase().endsWith(".org") ? d.orgMs : d.markdownMs;
        return isLarge(path) ? large.delayMs(path, this.#clock.now(), quietMs) : quietMs;
      },
      onSettled: (event) => {
        if (isLarge(event.path)) large.settled(event.path);
        this.#noteSettled(event.path);
        options.onSettled(event);
      },
    });
  }

  /** Paths waiting to settle, plus folders waiting to be scanned. */
  get pending(): number {
    return this.#debouncer.pending + this.#folders.size;
  }

  route(events: readonly WatchEvent[]): void {
    if (this.#closed) return;
    const at = this.#clock.now();
    const changing: string[] = [];
    const held = events.length <= AGED_EVENTS_MAX ? this.#heldFor : undefined;
    for (const { path, kind } of events) {
      this.#touchFolderScans(path);
      if (this.#filter(path)) {
        if (this.#debouncer.pending >= this.#options.maxPending) this.#options.markDirty(parentFolder(path));
        else this.#debouncer.push({ path, kind, at }, kind === SyncEventKind.delete || held === undefined ? 0 : this.#quietFor(path, held, at));
        if (kind !== SyncEventKind.delete) changing.push(path);
      } else if (kind !== SyncEventKind.update && isDirectoryEventWorthScanning(path, this.#options.graph)) {
        this.#folderEvent(path, kind);
      }
    }
    if (changing.length > 0) this.#options.onChanging?.(changing);
  }

  /**
   * How long `path` has been quiet as the watcher saw it: its age by mtime,
   * but never from before its last settle. A save can come as two events,
   * the first handed over at once and the rest held back 50 ms: the first
   * may have settled and its sync be reading the file when the rest
   * arrives, and counted from the write, that rest would settle at once,
   * beside the sync that already read it (a concurrentModification, and
   * under `index` the edit kept out).
   */
  #quietFor(path: string, heldFor: (path: string) => number, now: number): number {
    const settled = this.#settledAt.get(path);
    const credit = heldFor(path);
    return settled === undefined ? credit : Math.min(credit, Math.max(0, now - settled));
  }

  #noteSettled(path: string): void {
    const now = this.#clock.now();
    this.#settledAt.set(path, now);
    // Past WATCHER_HOLD_MS a settle limits no credit: the map keeps only recent ones.
    if (this.#settledAt.size > SETTLED_KEPT) {
      for (const [other, at] of this.#settledAt) if (now - at > WATCHER_HOLD_MS) this.#settledAt.delete(other);
    }
  }

  /** Emits every pending path and runs every pending folder scan now (shutdown). */
  flush(): void {
    this.#debouncer.flush();
    for (const [folder, scan] of [...this.#folders]) {
      this.#clock.clearTimeout(scan.timer);
      this.#folders.delete(folder);
      if (!scan.followUp) this.#options.scanFolder(folder);
    }
  }

  close(): void {
    this.#closed = true;
    this.#debouncer.clear();
    for (const scan of this.#folders.values()) this.#clock.clearTimeout(scan.timer);
    this.#folders.clear();
  }

  #folderEvent(path: string, kind: SyncEventKind): void {
    if (kind === SyncEventKind.delete) {
      if (this.#options.hasIndexedUnder(path)) this.#scheduleFolderScan(path, false);
      return;
    }
    // lstat semantics: a new link to a folder (even `..`) is never scanned, as the full scan never descends into one.
    const isFolder = resolveGraphPath(this.#options.root, path)?.stats?.isDirectory() ?? false;
    if (isFolder && !this.#closed) this.#scheduleFolderScan(path, false);
  }

  /** A scan of `folder` once it has been quiet for a moment (capped by maxWaitMs), covering nested new folders. */
  #scheduleFolderScan(folder: string, followUp: boolean): void {
    for (const [other, scan] of this.#folders) {
      if (prefixCovers(other, folder) && (!scan.followUp || followUp)) return;
      if (prefixCovers(folder, other)) {
        this.#clock.clearTimeout(scan.timer);
        this.#folders.delete(other);
      }
    }
    const firstSeen = this.#clock.now();
    const delay = followUp ? FOLLOW_UP_SCAN_MS : this.#settleMs;
    this.#folders.set(folder, { timer: this.#clock.setTimeout(() => this.#runFolderScan(folder), delay), firstSeen, followUp });
  }

  /** Any event under a folder awaiting its first scan means it is still being filled: wait longer. */
  #touchFolderScans(path: string): void {
    if (this.#folders.size === 0) return;
    const now = this.#clock.now();
    for (const [folder, scan] of this.#folders) {
      if (scan.followUp || !prefixCovers(folder, path)) continue;
      this.#clock.clearTimeout(scan.timer);
      const wait = Math.max(0, Math.min(this.#settleMs, scan.firstSeen + this.#options.debounce.maxWaitMs - now));
      scan.timer = this.#clock.setTimeout(() => this.#runFolderScan(folder), wait);
    }
  }

  #runFolderScan(folder: string): void {
    const scan = this.#folders.get(folder);
    this.#folders.delete(folder);
    this.#options.scanFolder(folder);
    if (scan && !scan.followUp && !this.#closed) this.#scheduleFolderScan(folder, true);
  }
}
