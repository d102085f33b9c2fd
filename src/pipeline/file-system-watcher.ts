import { realpath } from "node:fs/promises";
import { relative, resolve, sep } from "node:path";
import watcher from "@parcel/watcher";
import type { GraphConfig } from "../logseq/types.ts";
import type { SyncEventKind } from "./sync-event.ts";

/** One raw change reported by the watcher, with a graph-relative, `/`-separated path. */
export type WatchEvent = { path: string; kind: SyncEventKind };

export type FileSystemWatcherOptions = {
  root: string;
  graph: GraphConfig;
  /** Called with every batch the watcher reports (paths outside the graph dropped). */
  onEvents: (events: WatchEvent[]) => void;
  /** Called when the watcher reports an error (e.g. an inotify limit); events may have been lost. */
  onError: (error: Error) => void;
};

/**
 * FileSystemWatcher: `@parcel/watcher` subscribed to the graph folder, with
 * never-indexed folders ignored at the source (dot-folders, node_modules,
 * Logseq's backups, the graph's `:hidden` folders) so the OS does not even
 * watch them.
 *
 * Known gaps it does not close by itself (the event router does): a rename
 * arrives as delete + create; files created inside freshly created nested
 * folders are often never reported; an inotify overflow is dropped silently.
 */
export class FileSystemWatcher {
  #subscription: watcher.AsyncSubscription | undefined;
  #lastEventAt = 0;

  private constructor() {}

  static async start(options: FileSystemWatcherOptions): Promise<FileSystemWatcher> {
    const root = resolve(options.root);
    // The backend may report real paths; accept events under either spelling of the root.
    const roots = [...new Set([root, await realpath(root).catch(() => root)])];
    const self = new FileSystemWatcher();
    self.#subscription = await watcher.subscribe(
      root,
      (error, events) => {
        self.#lastEventAt = performance.now();
        if (error) {
          options.onError(error);
          return;
        }
        const out: WatchEvent[] = [];
        for (const event of events) {
          const path = graphRelative(roots, event.path);
          if (path !== null) out.push({ path, kind: event.type });
        }
        if (out.length > 0) options.onEvents(out);
      },
      { ignore: ignoreGlobs(options.graph) },
    );
    return self;
  }

  /**
   * Unsubscribes once the backend has been quiet for a moment (at most
   * `maxWaitMs`): it batches changes for ~50 ms, and unsubscribing drops
   * batches not yet delivered — changes the OS already reported.
   */
  async close(options: { quietMs?: number; maxWaitMs?: number } = {}): Promise<void> {
    const { quietMs = 100, maxWaitMs = 1000 } = options;
    const start = performance.now();
    const deadline = start + maxWaitMs;
    while (performance.now() < deadline && performance.now() - Math.max(start, this.#lastEventAt) < quietMs) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const subscription = this.#subscription;
    this.#subscription = undefined;
    await subscription?.unsubscribe();
  }
}

/** Patterns relative to the graph root (the watcher resolves them against it). */
export function ignoreGlobs(graph: GraphConfig): string[] {
  const hidden = graph.hidden.map((h) => h.replace(/^\/+|\/+$/g, "")).filter((h) => h !== "" && !h.includes("*"));
  return ["**/.*", "**/node_modules", "logseq/bak", "logseq/version-files", ...hidden];
}

/** `absolute` relative to whichever root contains it, `/`-separated; null for the root itself or outside. */
export function graphRelative(roots: readonly string[], absolute: string): string | null {
  for (const root of roots) {
    const rel = relative(root, absolute);
    if (rel === "" || rel.startsWith("..") || resolve(root, rel) !== resolve(absolute)) continue;
    return sep === "/" ? rel : rel.split(sep).join("/");
  }
  return null;
}
