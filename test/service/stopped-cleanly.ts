import assert from "node:assert/strict";
import { stat } from "node:fs/promises";
import { controlSocketPath } from "../../src/control/control-socket-path.ts";
import { queryRows } from "../support/db.ts";

/**
 * After a service stopped: its control socket is gone (checked first, before
 * anything could remove a stale one), and the database opens and holds
 * exactly `paths`, each indexed.
 */
export async function assertStoppedCleanly(database: string, paths: string[]): Promise<void> {
  await assert.rejects(stat(controlSocketPath(database)), { code: "ENOENT" }, "the control socket was removed");
  const rows = await queryRows(database, "SELECT path, status FROM files ORDER BY path");
  assert.deepEqual(rows, [...paths].sort().map((path) => ({ path, status: "indexed" })));
}
