/**
 * The modifiedDuringSync tests' rewriter (modified-during-sync.test.ts `rewriter`): saves a new version of a page
 * every 10 ms until told to stop, then settles on one known version, B.
 *
 * Each save is atomic (write aside, rename over), so a read, which holds the file open, always sees one version
 * whole and is never overtaken; the path's new size and mtime overtake the commit, which comes after a parse of
 * the 2 MB read (tens of ms). Saved in place on a clock (every 25 ms), a read was sometimes overtaken too: under
 * load in CI, five reads in a row took longer than the period and the file failed as "kept changing while being
 * read (5 tries)". A thread of its own, its priority raised where permitted (root), keeps the period under load
 * better than the test's event loop, which also reads the CLI's output.
 */
import { readlinkSync, renameSync, writeFileSync } from "node:fs";
import { setPriority } from "node:os";
import { isMainThread, parentPort, workerData } from "node:worker_threads";

export type RewriterData = {
  /** The page rewritten. */
  file: string;
  /** Where each version is written before it is renamed over the page. */
  aside: string;
  /** [stop flag, versions saved]: set by the test to stop; counted here. */
  control: SharedArrayBuffer;
};

/** Versions of one 2 MB page, all of one size: reading and parsing it takes long enough to be overtaken by a save. */
export const version = (word: string) =>
  Array.from({ length: 2000 }, (_, i) => `- ${word} ${String(i).padStart(6, "0")} ${"x".repeat(1000)}\n`).join("");
/** The n-th version saved: each new, never back to bytes read before. */
export const numbered = (n: number) => version(`v${String(n).padStart(4, "0")}`);
/** The version saved last, once stopped. */
export const B = version("bravo");

const PERIOD_MS = 10;

if (!isMainThread && parentPort !== null) rewrite(workerData as RewriterData);

function rewrite({ file, aside, control }: RewriterData): void {
  try {
    setPriority(Number(readlinkSync("/proc/thread-self").split("/").pop()), -10);
  } catch {
    // Not permitted: the default priority.
  }
  const flags = new Int32Array(control);
  const save = (bytes: Buffer) => {
    writeFileSync(aside, bytes);
    renameSync(aside, file);
  };
  let bytes = Buffer.from(numbered(0));
  for (let n = 0; Atomics.load(flags, 0) === 0; n++) {
    save(bytes);
    Atomics.store(flags, 1, n + 1);
    bytes = Buffer.from(numbered(n + 1));
    Atomics.wait(flags, 0, 0, PERIOD_MS);
  }
  save(Buffer.from(B));
  parentPort?.postMessage("settled");
}
