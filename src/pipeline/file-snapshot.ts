/** A file's state on disk at one moment: what size+mtime change detection compares. */
export type FileSnapshot = {
  /** Graph-relative, `/`-separated. */
  path: string;
  size: number;
  /** ms since the epoch, exactly as `stat` reports it. */
  mtime: number;
};
