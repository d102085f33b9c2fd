import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * The checksum a sync would record for a graph file now (sha256 of its
 * bytes, as hash.worker.ts computes it), or null when it cannot be read.
 * `resolve --strategy index` records it: the bytes a user chose to keep out
 * of the index.
 */
export async function checksumOnDisk(graphRoot: string, path: string): Promise<string | null> {
  try {
    return createHash("sha256").update(await readFile(join(graphRoot, path))).digest("hex");
  } catch {
    return null;
  }
}
