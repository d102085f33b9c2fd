import { createHash } from "node:crypto";
import { open } from "node:fs/promises";
import { ownBuffer, withTransfer } from "./transfer.ts";

export type HashTask = { absolutePath: string; maxBytes: number };

export type HashOutcome =
  | { ok: true; size: number; mtime: number; checksum: string; bytes: ArrayBuffer }
  | { ok: false; status: "failed" | "skipped"; size: number; mtime: number; reason: string };

/**
 * Reads a file once and checksums it. The bytes go back to the main thread
 * as a transferred buffer (no copy) so the parser never reads the file again.
 */
export default async function hashFile(task: HashTask): Promise<HashOutcome> {
  let handle;
  try {
    handle = await open(task.absolutePath, "r");
  } catch (error) {
    return { ok: false, status: "failed", size: 0, mtime: 0, reason: `cannot read: ${describe(error)}` };
  }
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) return { ok: false, status: "skipped", size: 0, mtime: stat.mtimeMs, reason: "not a regular file" };
    if (stat.size > task.maxBytes) {
      return {
        ok: false,
        status: "skipped",
        size: stat.size,
        mtime: stat.mtimeMs,
        reason: `too large: ${stat.size} bytes, over the ${task.maxBytes}-byte limit (maxFileSizeBytes)`,
      };
    }
    const bytes = await handle.readFile();
    const checksum = createHash("sha256").update(bytes).digest("hex");
    const buffer = ownBuffer(bytes);
    return withTransfer<HashOutcome>({ ok: true, size: bytes.byteLength, mtime: stat.mtimeMs, checksum, bytes: buffer }, [buffer]);
  } catch (error) {
    return { ok: false, status: "failed", size: 0, mtime: 0, reason: `cannot read: ${describe(error)}` };
  } finally {
    await handle.close();
  }
}

function describe(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  return e.code ? `${e.code} ${e.message.replace(/^\w+: /, "")}` : String(e?.message ?? error);
}
