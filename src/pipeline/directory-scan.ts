import { readdirSync, statSync, type Dirent, type Stats } from "node:fs";
import { join } from "node:path";
import type { GraphConfig } from "../logseq/types.ts";
import { mtimeOf, type FileSnapshot } from "./file-snapshot.ts";
import { isGraphPath, isIgnoredPath } from "./graph-files.ts";

/** The graph folder is missing or not a folder: nothing may be deleted from the index. */
export class GraphMissing extends Error {
  readonly code = "GRAPH_MISSING";
  override name = "GraphMissing";
}

/** DirectoryState: every graph file under a folder, with size and mtime. */
export type DirectoryState = {
  files: Map<string, FileSnapshot>;
  /** Folders that could not be listed: files indexed under them are kept, not taken as deleted. */
  unreadable: string[];
};

/** Entries handled between yields to the event loop, so a scan of a big graph never stalls the service. */
const YIELD_EVERY = 2000;

/**
 * Lists the graph's files (skipping ignored folders without descending into
 * them) and stats each one. `under` limits the scan to one subfolder.
 *
 * Synchronous fs calls, in slices: measured on 20,000 files, async stat
 * calls queue on libuv's thread pool and take five times as long (0.93 s
 * against 0.17 s).
 */
export async function scanDirectory(root: string, graph: GraphConfig, under = ""): Promise<DirectoryState> {
  try {
    const s = statSync(join(root, under));
    if (!s.isDirectory()) throw new GraphMissing(`graph folder ${join(root, under)} is not a folder`);
  } catch (error) {
    if (error instanceof GraphMissing) throw error;
    if (under !== "") return { files: new Map(), unreadable: [] };
    throw new GraphMissing(`graph folder ${root} does not exist or cannot be read: ${(error as Error).message}`);
  }
  const files = new Map<string, FileSnapshot>();
  const unreadable: string[] = [];
  const folders = [under];
  let sinceYield = 0;
  for (let folder = folders.pop(); folder !== undefined; folder = folders.pop()) {
    let entries: Dirent[];
    try {
      entries = readdirSync(join(root, folder), { withFileTypes: true });
    } catch {
      unreadable.push(folder);
      continue;
    }
    for (const entry of entries) {
      const rel = folder === "" ? entry.name : `${folder}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!isIgnoredPath(rel, graph)) folders.push(rel);
      } else if ((entry.isFile() || entry.isSymbolicLink()) && isGraphPath(rel, graph)) {
        const s = statOrNull(join(root, rel));
        if (s?.isFile()) files.set(rel, { path: rel, size: s.size, mtime: mtimeOf(s) });
      }
      if (++sinceYield >= YIELD_EVERY) {
        sinceYield = 0;
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  }
  return { files, unreadable };
}

/** Gone between readdir and stat, or not stat-able: not part of this snapshot. */
function statOrNull(path: string): Stats | null {
  try {
    return statSync(path, { throwIfNoEntry: false }) ?? null;
  } catch {
    return null;
  }
}
