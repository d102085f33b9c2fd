import process from "node:process";
import { processIsAlive } from "./process-alive.ts";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const PREFIX = "sync-pipeline-writer-";

/**
 * A folder of the writer's own in the temp folder, where it stages each
 * batch's NDJSON for DuckDB's reader (removed on close). Its name carries the
 * pid, so the folders that writers killed with -9 left behind (the kill trials
 * left dozens, each up to a batch's rows) are removed by the next writer:
 * those whose process is gone. A folder of a live process, or of another
 * user's (EPERM), is left alone; so are folders of the older, pid-less name.
 */
export function makeScratchFolder(dir = tmpdir()): string {
  removeOrphans(dir);
  return mkdtempSync(join(dir, `${PREFIX}${process.pid}-`));
}

function removeOrphans(dir: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(/^sync-pipeline-writer-(\d+)-/.exec(name)?.[1]);
    if (!Number.isSafeInteger(pid) || pid <= 0 || processIsAlive(pid)) continue;
    try {
      rmSync(join(dir, name), { recursive: true, force: true });
    } catch {
      // Another user's folder: not ours to remove.
    }
  }
}
