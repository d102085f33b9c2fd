import type { FileWrite } from "./index-batch.ts";

/**
 * Which of a batch's diff candidates are applied as a block diff (issue #11)
 * and which are rewritten whole with the rest of the batch.
 *
 * A diff is about 20 statements for its file alone, and two of them look up
 * the file's blocks by path: 40–100 ms a file on this machine, growing with
 * the index. A whole rewrite joins the batch's few set-based statements and
 * costs about 2 ms for a small page. A batch of 500 edited pages (a
 * `git pull`, a sync client catching up, a catch-up after a week offline)
 * took 60–80 s diffed one by one, against about 2 s written whole.
 *
 * So: a file with at least `alwaysBlocks` blocks is always diffed (its
 * rewrite costs more than the diff's statements, and it is what the diff is
 * for); of the smaller ones, the first `maxSmall` in batch order are diffed
 * and the others rewritten whole. A live edit, a batch of one or a few
 * files, is always diffed. What a whole rewrite gives up: an edited block's
 * kept id (its unchanged blocks keep theirs, kept-ids.ts); the tables are
 * otherwise the same either way.
 */
export type DiffBudget = { maxSmall: number; alwaysBlocks: number };

export const DEFAULT_DIFF_BUDGET: DiffBudget = Object.freeze({ maxSmall: 8, alwaysBlocks: 1000 });

/** The candidates to diff, in batch order. */
export function withinDiffBudget<W extends Extract<FileWrite, { op: "index" }>>(candidates: readonly W[], budget: DiffBudget): W[] {
  let small = 0;
  return candidates.filter((w) => w.doc.blockCount >= budget.alwaysBlocks || small++ < budget.maxSmall);
}
