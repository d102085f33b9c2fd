import { LIST, VARCHAR, listValue } from "./duckdb.ts";
import type { DuckDBConnection } from "@duckdb/node-api";

/** Bind types: an empty list has no item type of its own. */
const NAMES = LIST(VARCHAR);
import type { BatchResult } from "./index-batch.ts";
import { sqlString } from "./sql-string.ts";

/**
 * Page-name clashes (two files resolving to one page name): both files are
 * indexed and each `files` row carries a warning naming the other files.
 *
 * A file's error is its own (parser) warnings, then its clash text: a pure
 * function of the folder, so an index kept up to date batch by batch equals
 * a clean sync of it. Each batch brings up to date the files whose page name
 * it touched, in set-based statements over the batch's names (never one
 * statement per path): one read when no name clashes, one update more when
 * some do.
 */

const CLASH_TAIL = "; both are indexed, neither overwrites the other";

/** A clash text inside an error (always last): what precedes it is the file's own warnings. RE2, for `regexp_replace`. */
const CLASH_PART = `(^|; )page name ".*" is also defined by .*${CLASH_TAIL}$`;

export type ClashScope = {
  /** Page names the batch added pages to, or took pages from. */
  names: string[];
  /**
   * Paths whose `files` row the batch rewrote without re-indexing: a row
   * rewritten from an older copy may carry a clash text that no longer holds.
   */
  paths: string[];
  /** Page names some path newly took in this batch: their clashes are reported. */
  joined: ReadonlySet<string>;
};

/** The clashes a path newly joined, and every name in scope that clashes after the batch. */
export type Reconciled = { joined: Omit<BatchResult["pageNameClashes"][number], "id">[]; clashing: string[] };

/** The names that clash, or whose files still carry a clash text: the whole index's (ClashingNames). */
export async function clashingNames(c: DuckDBConnection): Promise<Set<string>> {
  const reader = await c.runAndReadAll(
    `SELECT p.name FROM pages p JOIN files f ON f.path = p.path
     GROUP BY p.name HAVING count(*) > 1 OR bool_or(f.error LIKE '%is also defined by%')`,
  );
  return new Set(reader.getRows().map((row) => row[0] as string));
}

/**
 * Brings the clash text of every file in scope up to date, inside the
 * caller's transaction, and returns the clashes a path newly joined (one
 * ConflictDetected each, with all the clash's paths).
 */
export async function reconcilePageNameClashes(c: DuckDBConnection, scope: ClashScope): Promise<Reconciled> {
  if (scope.names.length === 0 && scope.paths.length === 0) return { joined: [], clashing: [] };
  // The names in scope that clash, or whose files still carry a clash text
  // (a clash that just ended): usually none, and then nothing is written.
  const reader = await c.runAndReadAll(
    `WITH scope AS (
       SELECT unnest($1::VARCHAR[]) AS name
       UNION SELECT name FROM pages WHERE path IN (SELECT unnest($2::VARCHAR[])))
     SELECT p.name, list(p.path ORDER BY p.path) AS paths
     FROM pages p JOIN files f ON f.path = p.path
     WHERE p.name IN (SELECT name FROM scope)
     GROUP BY p.name
     HAVING count(*) > 1 OR bool_or(f.error LIKE '%is also defined by%')`,
    [listValue(scope.names), listValue(scope.paths)],
    [NAMES, NAMES],
  );
  const groups = reader.getRows().map((row) => ({ name: row[0] as string, paths: (row[1] as { items: string[] }).items }));
  if (groups.length === 0) return { joined: [], clashing: [] };
  // Only files indexed from their content carry clash texts: a skipped or failed row keeps its reason.
  await c.run(
    `UPDATE files SET status = CASE WHEN n.error IS NULL THEN 'indexed' ELSE 'warning' END, error = n.error
     FROM (
       SELECT f.path, nullif(concat_ws('; ',
           nullif(regexp_replace(coalesce(f.error, ''), ${sqlString(CLASH_PART)}, ''), ''),
           CASE WHEN len(m.paths) > 1 THEN 'page name "' || m.name || '" is also defined by '
             || array_to_string(list_filter(m.paths, p -> p <> m.path), ', ') || ${sqlString(CLASH_TAIL)} END), '') AS error
       FROM files f JOIN (
         SELECT name, path, list(path ORDER BY path) OVER (PARTITION BY name) AS paths
         FROM pages WHERE name IN (SELECT unnest($1::VARCHAR[]))) m ON m.path = f.path
       WHERE f.status IN ('indexed', 'warning')
     ) n
     WHERE files.path = n.path AND files.error IS DISTINCT FROM n.error`,
    [listValue(groups.map((g) => g.name))],
    [NAMES],
  );
  const clashing = groups.filter((g) => g.paths.length > 1);
  return { joined: clashing.filter((g) => scope.joined.has(g.name)), clashing: clashing.map((g) => g.name) };
}

/**
 * The writer's knowledge of which page names clash (or carry a clash text),
 * so an edit that keeps its page's name skips the clash read (5-7 ms of a
 * one-block edit). A batch can only make a name clash by giving it to a
 * path that did not have it (`joined`) or by rewriting a files row from an
 * older copy (`paths`); a name that clashes nowhere, touched by neither,
 * needs no reconciling. Unknown (undefined) until read, and again after a
 * failed batch or a repair: then the batch reconciles as before.
 */
export class ClashingNames {
  #names: Set<string> | undefined;

  /** Whether `scope` may change a clash text; reads the index's clashing names first if unknown. */
  async mayChange(c: DuckDBConnection, scope: ClashScope): Promise<boolean> {
    if (scope.joined.size > 0 || scope.paths.length > 0) return true;
    this.#names ??= await clashingNames(c);
    const names = this.#names;
    return scope.names.some((name) => names.has(name));
  }

  /** After a reconcile of `scope`: its names clash now exactly when listed in `clashing`. */
  reconciled(scope: ClashScope, clashing: readonly string[]): void {
    if (this.#names === undefined) return;
    for (const name of scope.names) this.#names.delete(name);
    for (const name of clashing) this.#names.add(name);
  }

  forget(): void {
    this.#names = undefined;
  }
}
