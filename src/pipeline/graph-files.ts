import type { GraphConfig } from "../logseq/types.ts";

/** File extensions Logseq reads as pages. */
const GRAPH_EXTENSIONS = [".md", ".markdown", ".org"] as const;

/** Folders never indexed, relative to the graph root. */
const ALWAYS_IGNORED_PREFIXES = ["logseq/bak/", "logseq/version-files/"];

/**
 * Whether a graph-relative, `/`-separated path is a page or journal the
 * index should hold: a Markdown or Org file outside dot-folders,
 * `node_modules`, Logseq's backup folders and the graph's `:hidden` folders.
 */
export function isGraphPath(relPath: string, graph: GraphConfig): boolean {
  const lower = relPath.toLowerCase();
  if (!GRAPH_EXTENSIONS.some((ext) => lower.endsWith(ext))) return false;
  return !isIgnoredPath(relPath, graph);
}

/** Whether a folder or file path lies in a part of the graph that is never indexed. */
export function isIgnoredPath(relPath: string, graph: GraphConfig): boolean {
  const segments = relPath.split("/");
  for (const segment of segments) {
    if (segment.startsWith(".") || segment === "node_modules") return true;
  }
  const withSlash = relPath.endsWith("/") ? relPath : relPath + "/";
  if (ALWAYS_IGNORED_PREFIXES.some((p) => withSlash.startsWith(p))) return true;
  for (const hidden of graph.hidden) {
    const h = hidden.replace(/^\/+|\/+$/g, "");
    if (h !== "" && (relPath === h || withSlash.startsWith(h + "/"))) return true;
  }
  return false;
}
