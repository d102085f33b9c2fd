import process from "node:process";
import { loadConfig } from "../config/load-config.ts";
import type { SyncConflict } from "../pipeline/conflict-types.ts";
import { ExitCode } from "./exit-code.ts";
import { queryServiceOrIndex } from "./index-query.ts";

/** `sync-pipeline conflicts [--all] [--json]`: open conflicts (all with --all), oldest first. */
export async function conflictsCommand(args: { config: string; all: boolean; json: boolean }): Promise<number> {
  const config = await loadConfig(args.config);
  const conflicts = await queryServiceOrIndex(config, { method: "conflicts", params: { all: args.all } }, async (connection) =>
    (await import("../pipeline/conflict-store.ts")).listConflicts(connection, { all: args.all }),
  );
  process.stdout.write(args.json ? JSON.stringify(conflicts, null, 2) + "\n" : formatConflicts(conflicts, args.all));
  return ExitCode.ok;
}

export function formatConflicts(conflicts: SyncConflict[], all: boolean): string {
  if (conflicts.length === 0) return all ? "No conflicts recorded.\n" : "No open conflicts.\n";
  const lines = conflicts.map((c) => {
    const state = c.status === "open" ? "open" : `resolved (${c.resolution ?? "?"}) ${c.resolvedAt ?? ""}`;
    return `#${c.id} ${c.type} ${c.paths.join(", ")}\n    detected ${c.detectedAt}, strategy ${c.strategy}, ${state}\n    ${JSON.stringify(c.details)}`;
  });
  const open = conflicts.filter((c) => c.status === "open").length;
  const hint = open > 0 ? "Resolve one with: sync-pipeline resolve ID --strategy filesystem|index --config FILE\n" : "";
  return lines.join("\n") + "\n" + hint;
}
