import type { TaskGroup } from "../../src/bulkheads/task-groups.ts";
import type { ParseOutcome, ParseTask, ReadParseOutcome, ReadParseTask } from "../../src/workers/parse.worker.ts";

/**
 * The real parse worker, except that it never returns on `hangs.md` (alone or
 * in a group of files read and parsed together): a
 * stand-in for a parser caught in an endless loop (ours has none we know of,
 * so it is built here); and that it takes 100 ms on anything under `slow/`.
 * Loaded by a real parsing Bulkhead.
 */
export default async function hangingParse(task: ParseTask): Promise<ParseOutcome> {
  if (task.path.endsWith("hangs.md")) for (;;);
  // A slow but healthy parse: 100 ms.
  if (task.path.startsWith("slow/")) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
  // Imported here, not at the top: the real worker reads its workerData when loaded,
  // and `node --test dist/test/` also loads this file on the main thread.
  const { default: parse } = await import("../../src/workers/parse.worker.ts");
  return parse(task);
}

/** The real group export (task-groups.ts), except that a group holding `hangs.md` never returns. */
export async function readAndParseGroup(group: TaskGroup<ReadParseTask>): Promise<ReadParseOutcome[]> {
  if (group.tasks.some((task) => task.path.endsWith("hangs.md"))) for (;;);
  const { readAndParseGroup: real } = await import("../../src/workers/parse.worker.ts");
  return real(group);
}
