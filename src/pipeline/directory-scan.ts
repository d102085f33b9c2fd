import { readdir, stat } from "node:fs/promises";
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

/** How many stat calls run at once: enough to hide latency, few enough to keep file handles bounded. */
const STAT_CONCURRENCY = 64;

/**
 * Lists the graph's files (skipping ignored folders without descending into
 * them) and stats each one. `under` limits the scan to one subfolder.
 */
export async function scanDirectory(root: string, graph: GraphConfig, under = ""): Promise<DirectoryState> {
  try {
    const s = await stat(join(root, under));
    if (!s.isDirectory()) throw new GraphMissing(`graph folder ${join(root, under)} is not a folder`);
  } catch (error) {
    if (error instanceof GraphMissing) throw error;
    if (under !== "") return { files: new Map(), unreadable: [] };
    throw new GraphMissing(`graph folder ${root} does not exist or cannot be read: ${(error as Error).message}`);
  }
  const paths: string[] = [];
  const unreadable: string[] = [];
  await walk(root, under, graph, paths, unreadable);
  const files = new Map<string, FileSnapshot>();
  let next = 0;
  const worker = async () => {
    while (next < paths.length) {
      const path = paths[next++] as string;
      try {
        const s = await stat(join(root, path));
        if (s.isFile()) files.set(path, { path, size: s.size, mtime: mtimeOf(s) });
      } catch {
        // Gone between readdir and stat: it is simply not part of this snapshot.
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(STAT_CONCURRENCY, paths.length) }, worker));
  return { files, unreadable };
}

async function walk(root: string, relDir: string, graph: GraphConfig, out: string[], unreadable: string[]): Promise<void> {
  let entries;
  try {
    entries = await readdir(join(root, relDir), { withFileTypes: true });
  } catch {
    unreadable.push(relDir);
    return;
  }
  const subdirs: Promise<void>[] = [];
  for (const entry of entries) {
    const rel = relDir === "" ? entry.name : `${relDir}/${entry.name}`;
    if (entry.isDirectory()) {
      if (!isIgnoredPath(rel, graph)) subdirs.push(walk(root, rel, graph, out, unreadable));
    } else if ((entry.isFile() || entry.isSymbolicLink()) && isGraphPath(rel, graph)) {
      out.push(rel);
    }
  }
  await Promise.all(subdirs);
}
