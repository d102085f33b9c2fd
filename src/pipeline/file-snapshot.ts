/** A file's state on disk at one moment: what size+mtime change detection compares. */
export type FileSnapshot = {
  /** Graph-relative, `/`-separated. */
  path: string;
  size: number;
  /** ms since the epoch, exactly as `stat` reports it. */
  mtime: number;
};

/**
 * Modification time in whole milliseconds. Node reports fractional
 * milliseconds, Deno whole ones: truncating makes an index built under one
 * runtime a no-op under the other. (Two same-size writes within one
 * millisecond are caught by the periodic checksum verification.)
 */
export function mtimeOf(stat: { mtimeMs: number }): number {
  return Math.trunc(stat.mtimeMs);
}
