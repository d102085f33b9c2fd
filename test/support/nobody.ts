import { chmodSync, statSync } from "node:fs";
import { dirname } from "node:path";
import process from "node:process";
import { repoRoot } from "./cli.ts";

/**
 * Runs a command as nobody (setpriv, util-linux): as root, chmod 000 keeps
 * nobody out where it does not keep root out. Nobody must still reach the
 * CLI: a clone in a `mktemp -d` folder sits in a 0700 folder, so as root
 * every folder above the checkout is made traversable (o+x, not readable)
 * first, once per test process.
 */
export const AS_NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"];

if (process.getuid?.() === 0) {
  for (let dir = repoRoot; ; dir = dirname(dir)) {
    const mode = statSync(dir).mode & 0o7777;
    if ((mode & 0o001) === 0) chmodSync(dir, mode | 0o001);
    if (dirname(dir) === dir) break;
  }
}
