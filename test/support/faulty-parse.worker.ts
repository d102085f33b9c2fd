import process from "node:process";
import parse, { type ParseOutcome, type ParseTask } from "../../src/workers/parse.worker.ts";

/**
 * The real parse worker, except for two files: `throws.md` makes the task
 * throw, `crash.md` kills its thread. Loaded by a real parsing Bulkhead in
 * tests, to check that a rejected parse task gives a `failed` row and that
 * the rest of the sync goes on (issue #13 row 3).
 */
export default function faultyParse(task: ParseTask): ParseOutcome {
  if (task.path.endsWith("throws.md")) throw new RangeError("Maximum call stack size exceeded (injected)");
  if (task.path.endsWith("crash.md")) process.exit(7);
  return parse(task);
}
