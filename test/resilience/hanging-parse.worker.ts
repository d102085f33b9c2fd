import type { ParseOutcome, ParseTask } from "../../src/workers/parse.worker.ts";

/**
 * The real parse worker, except that it never returns on `hangs.md`: a
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
