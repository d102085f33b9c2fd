import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

/** The FTS5 baseline's SQLite driver (scenarios/fts5-child.ts), at the version its figures were measured with. */
export const FTS5_DRIVER = "better-sqlite3@12.11.1";

const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

/**
 * Installs the FTS5 baseline's driver on first use instead of with the
 * project. better-sqlite3 has no prebuilt binary for this machine (its
 * install downloads one from GitHub, and falls back to compiling SQLite
 * from source): as a dev dependency, every `npm ci` (CI's and a newcomer's)
 * compiled it: 4.8 minutes of CI's `npm ci` on 2026-11-29 (load about
 * 12), for a baseline only `npm run bench` uses. Its types stay a dev
 * dependency, so the script type-checks without it.
 */
export function ensureFts5Driver(log: (line: string) => void): void {
  try {
    createRequire(import.meta.url).resolve("better-sqlite3");
    return;
  } catch {
    log(`installing ${FTS5_DRIVER} for the FTS5 baseline (once; without a prebuilt binary it compiles SQLite, a few minutes)…`);
  }
  // npm's output goes to stderr: the bench's stdout is its report.
  execFileSync("npm", ["install", "--no-save", FTS5_DRIVER], { cwd: repoRoot, stdio: ["ignore", 2, 2] });
}
