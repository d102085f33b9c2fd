import { LIST, VARCHAR, listValue } from "./duckdb.ts";
import type { DuckDBConnection } from "@duckdb/node-api";
import { pageIdentity } from "../logseq/page-name.ts";
import type { GraphConfig } from "../logseq/types.ts";
import { insertConflicts } from "../pipeline/conflict-store.ts";
import type { ConflictStatus, ConflictStrategy } from "../pipeline/conflict-types.ts";
import type { BatchResult, FileRow, FileWrite, IndexBatch } from "./index-batch.ts";
import { GRANTED, HELD_RE2, heldReason, holdsNewcomers, type HoldingStrategy } from "./page-name-claims.ts";
import { sqlString } from "./sql-string.ts";

/**
 * Page-name clashes under the `index` and `manual` strategies: the path that
 * already owns a page name in the index keeps it, and a file that newly
 * claims it is held: nothing of it is indexed (earlier content of the path,
 * under another name, is removed: the file no longer says that), and its
 * `files` row is `skipped` with a reason naming the owner. Between new
 * claimants of an unowned name in one batch, the first by path order owns it.
 *
 * When the owner gives the name up (deleted, moved, retitled), the held rows
 * get size and mtime 0 (any later scan reads them again) and the batch lists
 * them as released, for the caller to sync again at once.
 *
 * Set-based: one read for the batch's claimed names (one more for the titles
 * of moved pages when the batch moves any), one update for released names.
 */

const NAMES = LIST(VARCHAR);

/** A claim the batch holds out: the write that made it, and the `files` row written instead. */
export type HeldClaim = { name: string; owner: string; file: FileRow; from?: string };

type Claim = { path: string; name: string; had: string; write: FileWrite };

/**
 * Rewrites the batch so held claims write nothing but their `skipped` row:
 * an `index` write becomes delete + metadata, a move delete(from) + metadata(to).
 */
export async function holdClaims(
  c: DuckDBConnection,
  batch: IndexBatch,
  graph: GraphConfig,
  hasFileRow: (path: string) => boolean,
): Promise<{ batch: IndexBatch; held: HeldClaim[] }> {
  const strategy = batch.pageNameClash;
  if (!holdsNewcomers(strategy)) return { batch, held: [] };
  const claims = await claimsOf(c, batch.writes, graph);
  if (claims.length === 0) return { batch, held: [] };
  // Paths whose pages rows this batch replaces or removes: they own nothing unless they claim their name again.
  const leaving = new Set(batch.writes.flatMap((w) => (w.op === "index" ? [w.file.path] : w.op === "delete" ? [w.path] : w.op === "rename" ? [w.from] : [])));
  // Only a claimant with a files row can have been let in: new files (a whole first sync) skip that scan of files.
  const rowed = claims.filter((cl) => hasFileRow(cl.path)).map((cl) => cl.path);
  const names = listValue([...new Set(claims.map((cl) => cl.name))]);
  const grantedRows = ` UNION ALL SELECT NULL, path, true FROM files WHERE path IN (SELECT unnest($2::VARCHAR[])) AND starts_with(error, ${sqlString(GRANTED)})`;
  const reader = await c.runAndReadAll(
    `SELECT name, path, false AS granted FROM pages WHERE name IN (SELECT unnest($1::VARCHAR[]))${rowed.length === 0 ? "" : grantedRows}`,
    rowed.length === 0 ? [names] : [names, listValue(rowed)],
    rowed.length === 0 ? [NAMES] : [NAMES, NAMES],
  );
  const owners = new Map<string, string[]>();
  const had = new Set<string>();
  const granted = new Set<string>();
  for (const [name, path, isGranted] of reader.getRows() as [string | null, string, boolean][]) {
    if (isGranted) granted.add(path);
    else if (name !== null) {
      had.add(`${path}\0${name}`);
      if (!leaving.has(path)) owners.set(name, [...(owners.get(name) ?? []), path]);
    }
  }
  const byName = new Map<string, Claim[]>();
  // Appended in place: copying the group per claim was quadratic in a batch whose files share one name.
  for (const claim of claims) {
    const group = byName.get(claim.name);
    if (group === undefined) byName.set(claim.name, [claim]);
    else group.push(claim);
  }
  const held = new Map<FileWrite, HeldClaim>();
  for (const [name, group] of byName) {
    group.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    // A path that held the name before this batch keeps it (an edit, a move within the name).
    const keepers = group.filter((cl) => had.has(`${cl.had}\0${name}`));
    let owner = [...(owners.get(name) ?? [])].sort()[0] ?? keepers[0]?.path;
    for (const claim of group) {
      if (keepers.includes(claim) || granted.has(claim.path)) continue;
      if (owner === undefined) {
        owner = claim.path;
        continue;
      }
      const file = claim.write.op === "delete" ? undefined : claim.write.file;
      if (file === undefined) continue;
      held.set(claim.write, {
        name, owner, file: { ...file, status: "skipped", error: heldReason(name, owner, strategy) },
        ...(claim.write.op === "rename" ? { from: claim.write.from } : {}),
      });
    }
  }
  if (held.size === 0) return { batch, held: [] };
  const writes = batch.writes.flatMap((w): FileWrite[] => {
    const h = held.get(w);
    if (h === undefined) return [w];
    return [{ op: "delete", path: h.from ?? h.file.path }, { op: "metadata", file: h.file }];
  });
  return { batch: { ...batch, writes }, held: [...held.values()] };
}

/** The names the batch's index writes and moves of pages claim. */
async function claimsOf(c: DuckDBConnection, writes: FileWrite[], graph: GraphConfig): Promise<Claim[]> {
  const claims: Claim[] = [];
  const moves = writes.filter((w): w is Extract<FileWrite, { op: "rename" }> => w.op === "rename");
  const titles = new Map<string, string | null>();
  if (moves.length > 0) {
    // A move's new name follows from its new path and the page's title (as IndexWriter #rename computes it).
    const reader = await c.runAndReadAll(`SELECT path, properties->>'title' FROM pages WHERE path IN (SELECT unnest($1::VARCHAR[]))`,
      [listValue(moves.map((m) => m.from))], [NAMES]);
    for (const [path, title] of reader.getRows() as [string, string | null][]) titles.set(path, title);
  }
  for (const w of writes) {
    if (w.op === "index") claims.push({ path: w.file.path, name: w.doc.page.name, had: w.file.path, write: w });
    else if (w.op === "rename" && titles.has(w.from)) {
      claims.push({ path: w.file.path, name: pageIdentity(w.file.path, titles.get(w.from) ?? null, graph).name, had: w.from, write: w });
    }
  }
  return claims;
}

/**
 * The batch's clash records, inside its transaction. Under filesystem (and
 * timestamp, its alias) each clash a path newly joined is applied: one
 * resolved row. Under index/manual a clash can only be a claim `resolve` let
 * in, recorded by that resolution already: the held claims are recorded.
 */
export async function recordClashes(
  c: DuckDBConnection,
  strategy: ConflictStrategy | undefined,
  clashes: Omit<BatchResult["pageNameClashes"][number], "id">[],
  held: HeldClaim[],
  goneNames: string[],
): Promise<Pick<BatchResult, "pageNameClashes" | "held" | "released">> {
  if (holdsNewcomers(strategy)) {
    return { ...await settleHolds(c, strategy, held, goneNames), held: held.map((h) => ({ path: h.file.path, file: h.file })) };
  }
  const ids = await insertConflicts(c, clashes.map((g) => ({ type: "pageNameClash", paths: g.paths, details: { name: g.name }, strategy: "filesystem" })));
  return { pageNameClashes: clashes.map((g, i) => ({ ...g, id: ids[i] ?? 0 })) };
}

/**
 * Inside the batch's transaction: records a conflicts row per held claim
 * (paths: the newcomer, then the owner; under manual it stays open), and
 * releases the rows held on names the batch left without an owner. An open
 * conflict of a released path is over: nothing is in the way any more.
 */
async function settleHolds(
  c: DuckDBConnection,
  strategy: HoldingStrategy,
  held: HeldClaim[],
  goneNames: string[],
): Promise<{ pageNameClashes: BatchResult["pageNameClashes"]; released: string[] }> {
  const ids = await insertConflicts(c, held.map((h) => ({
    type: "pageNameClash", paths: [h.file.path, h.owner], details: { name: h.name, held: h.file.path }, strategy,
  })));
  const status: ConflictStatus = strategy === "manual" ? "open" : "resolved";
  const pageNameClashes = held.map((h, i) => ({ id: ids[i] ?? 0, name: h.name, paths: [h.file.path, h.owner], strategy, status }));
  if (goneNames.length === 0) return { pageNameClashes, released: [] };
  const reader = await c.runAndReadAll(
    `UPDATE files SET size = 0, mtime = 0
     WHERE status = 'skipped' AND regexp_extract(error, ${sqlString(HELD_RE2)}, 1) IN (
       SELECT unnest($1::VARCHAR[]) EXCEPT SELECT name FROM pages)
     RETURNING path`,
    [listValue(goneNames)],
    [NAMES],
  );
  const released = reader.getRows().map((row) => row[0] as string).sort();
  if (released.length > 0) {
    await c.run(
      `UPDATE conflicts SET status = 'resolved', resolved_at = now(), resolution = 'filesystem'
       WHERE type = 'pageNameClash' AND status = 'open' AND paths[1] IN (SELECT unnest($1::VARCHAR[]))`,
      [listValue(released)],
      [NAMES],
    );
  }
  return { pageNameClashes, released };
}

/**
 * `resolve ID --strategy filesystem` of a held claim: marks its row so the
 * next write of the path is indexed although the name is owned (both files
 * are then flagged, as under filesystem), and makes any sync read it again.
 * Stored in the row, so it holds with or without a service, across restarts.
 */
export async function letClaimIn(c: DuckDBConnection, id: number, path: string): Promise<void> {
  await c.run(
    `UPDATE files SET size = 0, mtime = 0, error = $2 WHERE path = $1 AND status = 'skipped' AND starts_with(error, 'page name "')`,
    [path, `${GRANTED}${id} (filesystem): indexed on its next sync`],
  );
}
