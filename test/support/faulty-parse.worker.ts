import process from "node:process";
import type { ParseOutcome, ParseTask } from "../../src/workers/parse.worker.ts";

/**
 * The real parse worker, except for two files: `throws.md` makes the task
 * throw, `crash.md` kills its thread. Loaded by a real parsing Bulkhead in
 * tests, to check that a rejected parse task gives a `failed` row and that
 * the rest of the sync goes on (issue #13 row 3).
 */
export default async function faultyParse(task: ParseTask): Promise<ParseOutcome> {
  if (task.path.endsWith("throws.md")) throw new RangeError("Maximum call stack size exceeded (injected)");
  if (task.path.endsWith("crash.md")) process.exit(7);
  // Imported here, not at the top: the real worker reads its workerData when
  // loaded, and `node --test dist/test/` also loads this file on the main thread.
  const { default: parse } = await import("../../src/workers/parse.worker.ts");
  return parse(task);
}
