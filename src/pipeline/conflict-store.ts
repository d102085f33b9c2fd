import { LIST, VARCHAR, listValue } from "../index/duckdb.ts";
import type { DuckDBConnection, DuckDBValue } from "@duckdb/node-api";
import type { ConflictStatus, ConflictType, DetectedConflict, ResolutionStrategy, SyncConflict } from "./conflict-types.ts";
import { checksumOnDisk } from "./disk-checksum.ts";
import { letClaimIn } from "../index/page-name-holds.ts";

/**
 * The `conflicts` table's statements, over a connection that may write: the
 * writer thread's in a running service, the CLI's own when none runs. Each
 * is set-based SQL; the single writer keeps ids unique (no constraints, see
 * schema.ts).
 */

const NAMES = LIST(VARCHAR);

/** Every column as one JSON text per query: cheaper and simpler than converting values one by one. */
const ROW_JSON = `{id: id, type: type, paths: paths, detectedAt: strftime(detected_at, '%Y-%m-%dT%H:%M:%S.%gZ'),
  details: coalesce(details, '{}'::JSON), strategy: strategy, status: status,
  resolvedAt: strftime(resolved_at, '%Y-%m-%dT%H:%M:%S.%gZ'), resolution: resolution}`;

async function readConflicts(c: DuckDBConnection, where: string, params: DuckDBValue[] = []): Promise<SyncConflict[]> {
  const reader = await c.runAndReadAll(
    `SELECT coalesce(to_json(list(${ROW_JSON} ORDER BY id))::VARCHAR, '[]') FROM conflicts WHERE ${where}`,
    params,
  );
  return JSON.parse(String(reader.getRows()[0]?.[0] ?? "[]")) as SyncConflict[];
}

/**
 * Records a detected conflict, or returns the one it repeats: a conflict of
 * the same type, first path and `key` that is still open, or that a user or
 * the `index` strategy settled by keeping the index (so a checksum pass that
 * finds the same bytes again does not record them again every hour). A new
 * conflict under `manual` is open; under any other strategy it was applied
 * at once and is recorded resolved by it. Under `index`, a conflict with no
 * key of its own records the bytes it keeps out, as `resolve` does.
 */
export async function recordConflict(
  c: DuckDBConnection,
  conflict: DetectedConflict,
  options: { graphRoot?: string; now?: number } = {},
): Promise<{ conflict: SyncConflict; repeated: boolean }> {
  const first = conflict.paths[0] ?? "";
  if (conflict.key !== undefined) {
    const existing = (await readConflicts(
      c,
      `type = $1 AND paths[1] = $2 AND json_extract_string(details, '$.key') = $3 AND (status = 'open' OR resolution = 'index')`,
      [conflict.type, first, conflict.key],
    )).at(-1);
    if (existing !== undefined) return { conflict: existing, repeated: true };
  }
  const details = await withKept(conflict.details, conflict.type, conflict.resolution ?? conflict.strategy, first, options.graphRoot);
  const [id] = await insertConflicts(c, [{ ...conflict, details }], options.now ?? Date.now());
  const [row] = await readConflicts(c, `id = $1`, [id ?? 0]);
  if (row === undefined) throw new Error(`conflict ${id} vanished after its insert`);
  return { conflict: row, repeated: false };
}

/**
 * Inserts conflicts in one statement (a batch can join many page-name
 * clashes at once) and returns their ids in order. Under `manual` a conflict
 * is open; under any other strategy it was applied at once, so it is
 * recorded resolved by that strategy.
 */
export async function insertConflicts(c: DuckDBConnection, conflicts: DetectedConflict[], now = Date.now()): Promise<number[]> {
  if (conflicts.length === 0) return [];
  const rows = conflicts.map((conflict, n) => ({
    n: n + 1,
    type: conflict.type,
    paths: conflict.paths,
    details: conflict.key === undefined ? conflict.details : { ...conflict.details, key: conflict.key },
    strategy: conflict.strategy,
    status: (conflict.strategy === "manual" ? "open" : "resolved") satisfies ConflictStatus,
    resolution: conflict.resolution ?? conflict.strategy,
  }));
  const reader = await c.runAndReadAll(
    `INSERT INTO conflicts
     SELECT (SELECT coalesce(max(id), 0) FROM conflicts) + t.n, t.type, t.paths, epoch_ms($2::BIGINT), t.details, t.strategy, t.status,
       CASE WHEN t.status = 'resolved' THEN epoch_ms($2::BIGINT) END, CASE WHEN t.status = 'resolved' THEN t.resolution END
     FROM (SELECT unnest(from_json($1, '${ROW_TYPES}'), recursive := true)) t
     ORDER BY t.n
     RETURNING id`,
    [JSON.stringify(rows), now],
  );
  return reader.getRows().map((row) => Number(row[0])).sort((a, b) => a - b);
}

const ROW_TYPES = JSON.stringify([{ n: "BIGINT", type: "VARCHAR", paths: ["VARCHAR"], details: "JSON", strategy: "VARCHAR", status: "VARCHAR", resolution: "VARCHAR" }]);

/**
 * What a starting ConflictManager holds on to: open conflicts (their paths
 * stay held) and decisions that kept bytes out of the index (`details.kept`).
 * Not the whole history: a large graph can have thousands of clash rows.
 */
export function listLiveConflicts(c: DuckDBConnection): Promise<SyncConflict[]> {
  return readConflicts(c, `status = 'open' OR json_extract_string(details, '$.kept') IS NOT NULL`);
}

/** Open conflicts, or every conflict with `all`, oldest first. */
export function listConflicts(c: DuckDBConnection, options: { all?: boolean } = {}): Promise<SyncConflict[]> {
  return readConflicts(c, options.all === true ? `true` : `status = 'open'`);
}

/**
 * Types whose conflict names no bytes (a change seen in flight): keeping the
 * index records the bytes on disk at `resolve`. indexCorruption and
 * permissionDenied carry their key already (the bytes found, the error).
 */
const KEPT_BY_BYTES: ReadonlySet<ConflictType> = new Set<ConflictType>(["modifiedDuringSync", "concurrentModification"]);

/**
 * Keeping the index against a change that has no key of its own: records
 * which bytes were kept out (their checksum on disk now, as `details.kept`),
 * or the next sync, seeing the file differ from its row, would apply them as
 * if nothing had been decided.
 */
async function withKept(details: Record<string, unknown>, type: ConflictType, side: string, path: string, graphRoot: string | undefined): Promise<Record<string, unknown>> {
  if (side !== "index" || !KEPT_BY_BYTES.has(type) || graphRoot === undefined) return { ...details };
  const kept = await checksumOnDisk(graphRoot, path);
  return kept === null ? { ...details } : { ...details, kept };
}

/** No conflict has this id, or it is resolved already: `resolve` exits 2 on it. */
export class ConflictNotOpen extends Error {
  readonly code = "CONFLICT_NOT_OPEN" as const;
  override name = "ConflictNotOpen";
}

/**
 * ResolveSyncConflict's record: marks an open conflict resolved by
 * `strategy`. Applying the chosen side is the caller's (the service syncs
 * the path; without one, see `invalidateFileRows`).
 */
export async function markResolved(
  c: DuckDBConnection,
  id: number,
  strategy: ResolutionStrategy,
  options: { graphRoot?: string; now?: number } = {},
): Promise<SyncConflict> {
  const [row] = await readConflicts(c, `id = $1`, [id]);
  if (row === undefined) throw new ConflictNotOpen(`no conflict has id ${id}`);
  if (row.status !== "open") throw new ConflictNotOpen(`conflict ${id} is already resolved (${row.resolution ?? "?"})`);
  const details = await withKept(row.details, row.type, strategy, row.paths[0] ?? "", options.graphRoot);
  await c.run(
    `UPDATE conflicts SET status = 'resolved', resolved_at = epoch_ms($2::BIGINT), resolution = $3, details = $4::JSON WHERE id = $1`,
    [id, options.now ?? Date.now(), strategy, JSON.stringify(details)],
  );
  // A held page-name claim let in: its row says so, so the next write of the path is indexed (page-name-holds.ts).
  if (row.type === "pageNameClash" && strategy === "filesystem" && row.details["held"] !== undefined) await letClaimIn(c, id, String(row.details["held"]));
  const [resolved] = await readConflicts(c, `id = $1`, [id]);
  return resolved as SyncConflict;
}

/**
 * Makes the next sync read these paths again whatever their size and mtime
 * (size and mtime 0 never match a file on disk, as for a file that could
 * not be read): how `resolve --strategy filesystem` applies the file's side
 * when no service runs.
 */
export async function invalidateFileRows(c: DuckDBConnection, paths: string[]): Promise<void> {
  await c.run(`UPDATE files SET size = 0, mtime = 0 WHERE path IN (SELECT unnest($1::VARCHAR[]))`, [listValue(paths)], [NAMES]);
}

/** When the path's `files` row was last written (epoch ms), or null without one: what timestamp compares a file's mtime with. */
export async function indexedAt(c: DuckDBConnection, path: string): Promise<number | null> {
  const reader = await c.runAndReadAll(`SELECT epoch_ms(indexed_at)::DOUBLE FROM files WHERE path = $1`, [path]);
  const value = reader.getRows()[0]?.[0];
  return value === undefined || value === null ? null : Number(value);
}
