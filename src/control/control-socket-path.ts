import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { lstat, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join, resolve } from "node:path";
import process from "node:process";

/**
 * Longest Unix socket path the OS takes (sun_path less its NUL: 108 bytes on
 * Linux, 104 on macOS and the BSDs). A longer path fails or, worse, binds a
 * truncated one.
 */
const MAX_SOCKET_PATH_BYTES = process.platform === "linux" ? 107 : 103;

/**
 * The running service's control socket for `database`. Client and server
 * both call this, so they always agree. Normally `<database>.sock`, beside
 * the database it serves; when that path is too long for a socket, a short
 * one keyed by a hash of the absolute database path, in $XDG_RUNTIME_DIR or
 * else in a private folder under the temp folder.
 */
export function controlSocketPath(database: string): string {
  const absolute = resolve(database);
  const beside = `${absolute}.sock`;
  if (Buffer.byteLength(beside) <= MAX_SOCKET_PATH_BYTES) return beside;
  const key = createHash("sha256").update(absolute).digest("hex").slice(0, 16);
  return join(fallbackFolder(), `${key}.sock`);
}

function fallbackFolder(): string {
  const runtime = process.env["XDG_RUNTIME_DIR"];
  if (runtime !== undefined && isAbsolute(runtime)) return join(runtime, "sync-pipeline");
  return join(tmpdir(), `sync-pipeline-${process.getuid?.() ?? "user"}`);
}

/**
 * Makes sure a socket can be created at `path`: its folder exists, and when
 * it is our fallback folder (shared /tmp), that it is a real folder owned by
 * us and closed to others, so no other user can plant or read our socket.
 */
export async function prepareSocketFolder(path: string, database: string): Promise<void> {
  if (path === `${resolve(database)}.sock`) return;
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH_BYTES) throw new Error(`the control socket path ${path} is too long for a Unix socket`);
  const folder = dirname(path);
  await mkdir(folder, { mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== "EEXIST") throw error;
  });
  const info = await lstat(folder);
  const uid = process.getuid?.();
  if (!info.isDirectory() || (uid !== undefined && info.uid !== uid) || (info.mode & 0o077) !== 0) {
    throw new Error(`${folder} (for the control socket) must be a folder owned by this user with mode 0700; move it away or fix it`);
  }
}
