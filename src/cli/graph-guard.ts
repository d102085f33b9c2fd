import { existsSync } from "node:fs";
import { realpath } from "node:fs/promises";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { ConfigInvalid } from "../config/config-invalid.ts";

/**
 * Refuses a `graph` that is almost certainly a mistake: a filesystem root or
 * the user's home folder (`"graph": "/"` once indexed ~10,000 system files in
 * 20 s). Such a folder is accepted when it really is a Logseq graph (holds
 * `logseq/config.edn`) or with `--force`. `root` is the graph's real path.
 */
export async function refuseAbsurdGraph(graph: string, root: string, force: boolean): Promise<void> {
  if (force || existsSync(join(root, "logseq", "config.edn"))) return;
  const home = await realpath(homedir()).catch(() => null);
  const what = dirname(root) === root ? "the filesystem root" : root === home ? "your home folder" : null;
  if (what === null) return;
  throw new ConfigInvalid(
    `graph: ${graph} is ${what}, not a Logseq graph (it has no logseq/config.edn); refusing to index it. ` +
      "Point graph at your Logseq folder, or run with --force to index it anyway",
  );
}
