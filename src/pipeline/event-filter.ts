import type { GraphConfig } from "../logseq/types.ts";
import { isGraphPath, isIgnoredPath } from "./graph-files.ts";

/**
 * File names editors, sync tools and the OS write next to real files while
 * saving. Most would already fail `isGraphPath` (wrong extension or a leading
 * dot); they are listed anyway so the filter does not depend on that, and
 * because some (Office's `~$x.md` owner files) do end in `.md`.
 */
const ARTIFACT_NAME_PATTERNS: readonly RegExp[] = [
  /^\.#/, // Emacs lock file: .#page.md
  /^#.*#$/, // Emacs auto-save: #page.md#
  /~$/, // Emacs/gedit/Kate backup: page.md~
  /^\..*\.sw[a-px]$/, // Vim swap: .page.md.swp, .swo, ..., .swx (swap probe)
  /^4913$/, // Vim's probe for whether the folder is writable
  /^\.DS_Store$/, // macOS Finder metadata
  /\.tmp$/i, // generic temp files, incl. Syncthing's .syncthing.page.md.tmp
  /^\.syncthing\./, // Syncthing temp file under any suffix
  /\.crswap$/, // Chromium File System Access API swap file
  /^~\$/, // Microsoft Office owner/lock file: ~$page.md
];

/** Folder Logseq writes backups into; never indexed (even if `graph-files` changes). */
const LOGSEQ_BACKUP_PREFIX = "logseq/bak/";

/** Whether a path's last segment is an editor, sync-tool or OS temporary file. */
export function isEditorArtifact(relPath: string): boolean {
  const name = relPath.slice(relPath.lastIndexOf("/") + 1);
  return ARTIFACT_NAME_PATTERNS.some((re) => re.test(name));
}

/**
 * The watcher's file filter: true for a graph-relative, `/`-separated path
 * whose events are worth debouncing and syncing.
 */
export function createEventFilter(graph: GraphConfig): (relPath: string) => boolean {
  return (relPath) =>
    isGraphPath(relPath, graph) &&
    !isEditorArtifact(relPath) &&
    !(relPath + "/").startsWith(LOGSEQ_BACKUP_PREFIX);
}

/**
 * Whether a folder event (created, deleted, renamed) should trigger a rescan of
 * that folder: not in an ignored, hidden or dot folder. `""` is the graph root.
 */
export function isDirectoryEventWorthScanning(relPath: string, graph: GraphConfig): boolean {
  const folder = relPath.replace(/^\/+|\/+$/g, "");
  if (folder === "") return true;
  if ((folder + "/").startsWith(LOGSEQ_BACKUP_PREFIX)) return false;
  return !isIgnoredPath(folder, graph);
}
