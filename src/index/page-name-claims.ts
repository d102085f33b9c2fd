import type { ConflictStrategy } from "../pipeline/conflict-types.ts";
import type { BatchResult, FileRow, FileWrite } from "./index-batch.ts";

// The rules of held page-name claims (page-name-holds.ts) that the main thread
// needs as well: change detection and the session's count of applied writes.
// Kept apart from the writer's statements so that the main thread of a
// `run --once` never loads DuckDB's client (about 100 ms of start-up).

/** The strategies that hold a newcomer out of the index. */
export type HoldingStrategy = Extract<ConflictStrategy, "index" | "manual">;

export function holdsNewcomers(strategy: ConflictStrategy | undefined): strategy is HoldingStrategy {
  return strategy === "index" || strategy === "manual";
}

/** A held row's error starts so (heldReason); the name is what the release statement extracts (RE2). */
export const HELD_RE2 = `^page name "(.*)" is held by `;
/** A held row a user let in (`resolve --strategy filesystem`): its next write is indexed even though the name is owned. */
export const GRANTED = "page name claim let in by resolve #";

export function heldReason(name: string, owner: string, strategy: HoldingStrategy): string {
  const until = strategy === "manual" ? `until \`sync-pipeline resolve\` lets it in or ${owner} gives the name up` : `until ${owner} gives the name up`;
  return `page name "${name}" is held by ${owner} (pageNameClash, strategy ${strategy}): not indexed ${until}`;
}

/** A `files` row held by a page-name owner (heldReason). */
export function isHeldRow(row: Pick<FileRow, "status" | "error">): boolean {
  return row.status === "skipped" && new RegExp(HELD_RE2).test(row.error ?? "");
}

/** The writes as the writer applied them: a held claim wrote its `skipped` row (and a move removed its old path). */
export function appliedWrites(writes: FileWrite[], result: BatchResult): FileWrite[] {
  if (result.held === undefined || result.held.length === 0) return writes;
  const held = new Map(result.held.map((h) => [h.path, h.file]));
  return writes.flatMap((w): FileWrite[] => {
    const file = w.op === "index" || w.op === "rename" ? held.get(w.file.path) : undefined;
    if (file === undefined) return [w];
    return w.op === "rename" ? [{ op: "delete", path: w.from }, { op: "metadata", file }] : [{ op: "metadata", file }];
  });
}
