import assert from "node:assert/strict";
import { runCli } from "../support/cli.ts";
import { askService } from "../service/service-harness.ts";
import type { SyncConflict } from "../../src/pipeline/conflict-types.ts";

/** A conflicts row without its times, which a test cannot know: they are checked for shape instead. */
export type ConflictRow = Omit<SyncConflict, "detectedAt" | "resolvedAt">;

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** `sync-pipeline conflicts --all --json` (through the service when one runs), times checked and dropped. */
export async function conflictRows(config: string, options: { all?: boolean; command?: string[] } = {}): Promise<ConflictRow[]> {
  return (await listConflicts(config, options)).map(({ detectedAt, resolvedAt, ...row }) => {
    assert.match(detectedAt, ISO);
    if (row.status === "open") assert.equal(resolvedAt, null);
    else assert.match(resolvedAt ?? "", ISO);
    return row;
  });
}

/** Through the running service's socket in this process, as the CLI asks first (tests poll this); else the CLI. */
async function listConflicts(config: string, options: { all?: boolean; command?: string[] }): Promise<SyncConflict[]> {
  if (options.command === undefined) {
    const served = await askService(config, "conflicts", { all: options.all !== false });
    if (served !== null) return served;
  }
  const args = ["conflicts", "--json", "--config", config, ...(options.all === false ? [] : ["--all"])];
  const result = await runCli(args, options.command === undefined ? {} : { command: options.command });
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as SyncConflict[];
}
