import process from "node:process";
import { loadConfig } from "../config/load-config.ts";
import { isResolutionStrategy, type SyncConflict } from "../pipeline/conflict-types.ts";
import { ExitCode } from "./exit-code.ts";

/**
 * `sync-pipeline resolve ID --strategy filesystem|index` (ResolveSyncConflict).
 * Through the running service, which records the decision and, for
 * `filesystem`, syncs the paths at once. With none running, on the database
 * itself: the decision is recorded and, for `filesystem`, the paths' rows are
 * marked so the next sync reads them again (the CLI does not sync).
 */
export async function resolveCommand(args: { config: string; id: number; strategy: string; json: boolean }): Promise<number> {
  const config = await loadConfig(args.config);
  if (!Number.isSafeInteger(args.id) || args.id < 1) return usage(`conflict id must be a positive whole number, got ${String(args.id)}`);
  const strategy = args.strategy;
  if (!isResolutionStrategy(strategy)) return usage(`--strategy must be "filesystem" or "index", got ${JSON.stringify(strategy)}`);
  const { callService, controlSocketPath, ControlRequestFailed } = await import("../control/control-client.ts");
  let conflict: SyncConflict;
  let applied: "now" | "next sync" | "kept index";
  try {
    const reply = await callService(controlSocketPath(config.database), "resolve", { id: args.id, strategy });
    if (reply !== null) {
      conflict = reply.result;
      applied = strategy === "filesystem" ? "now" : "kept index";
    } else {
      const { openDatabase } = await import("../index/database.ts");
      const { invalidateFileRows, markResolved } = await import("../pipeline/conflict-store.ts");
      const db = await openDatabase(config.database, { create: false });
      try {
        conflict = await markResolved(db.connection, args.id, strategy, { graphRoot: config.graph });
        if (strategy === "filesystem") await invalidateFileRows(db.connection, conflict.paths);
      } finally {
        db.close();
      }
      applied = strategy === "filesystem" ? "next sync" : "kept index";
    }
  } catch (error) {
    // No such conflict, or resolved already: a bad argument, told the same way with or without a service.
    const message = error instanceof Error ? error.message : String(error);
    if ((error as { code?: string }).code === "CONFLICT_NOT_OPEN" || (error instanceof ControlRequestFailed && /no conflict has id|is already resolved/.test(message))) {
      return usage(message.replace(/^the service refused the request: /, ""));
    }
    throw error;
  }
  if (args.json) process.stdout.write(JSON.stringify(conflict, null, 2) + "\n");
  else {
    const how = applied === "now" ? "the file's content is being synced now" : applied === "next sync" ? "the file is read again by the next sync" : "the indexed content is kept";
    process.stdout.write(`Resolved #${conflict.id} (${conflict.type}: ${conflict.paths.join(", ")}) with ${strategy}: ${how}.\n`);
  }
  return ExitCode.ok;
}

function usage(message: string): number {
  process.stderr.write(`sync-pipeline: ${message}\n`);
  return ExitCode.usage;
}
