import process from "node:process";
import { loadConfig, type SyncConfiguration } from "../config/load-config.ts";
import { createPools } from "../bulkheads/pools.ts";
import { readGraphConfig } from "../logseq/graph-config.ts";
import { runSyncSession } from "../pipeline/sync-session.ts";
import { GraphMissing } from "../pipeline/directory-scan.ts";
import { SyncEventBus } from "../pipeline/sync-event-bus.ts";
import { ExitCode } from "./exit-code.ts";
import { createSyncLog } from "./log.ts";
import { formatSummary } from "./format.ts";
import { refuseAbsurdGraph } from "./graph-guard.ts";
import { SyncProgressBar } from "./progress.ts";
import { realpath, stat } from "node:fs/promises";
import { databaseFailure, DatabaseError } from "../index/database-error.ts";

export async function runCommand(args: { config: string; once: boolean; json: boolean; force: boolean; rebuild?: boolean }): Promise<number> {
  const loaded = await loadConfig(args.config);
  // Check the graph before touching the database: a missing (say, unmounted)
  // folder must never look like "every file was deleted".
  const graphStat = await stat(loaded.graph).catch(() => null);
  if (!graphStat?.isDirectory()) {
    throw new GraphMissing(`graph folder ${loaded.graph} does not exist or is not a folder; the index was left as it was`);
  }
  // Resolved once: a graph path that is itself a symbolic link works in every
  // mode (the watcher refuses to watch a link), and the watcher's paths and
  // the scan's are relative to the same folder.
  const root = await realpath(loaded.graph);
  await refuseAbsurdGraph(loaded.graph, root, args.force);
  const config: SyncConfiguration = Object.freeze({ ...loaded, graph: root });
  // A bar only for a person watching: never on a pipe or a log file, never mixed into --json.
  const bar = args.once && process.stderr.isTTY && !args.json ? new SyncProgressBar(process.stderr) : undefined;
  const log = createSyncLog(config, bar ? (text) => bar.log(text) : undefined);
  const graph = await readGraphConfig(config.graph);
  for (const warning of graph.warnings) log.logger.warn({ event: "Warning", context: "logseq/config.edn" }, `warning: logseq/config.edn: ${warning}`);
  if (args.rebuild) await moveIndexAside(config.database);
  // A damaged file may open and fail only when a query reads the bad block: name it and the way back.
  const asDatabaseFailure = (error: unknown) => {
    throw databaseFailure(config.database, error) ?? error;
  };
  const pools = await createPools(config, graph).catch(asDatabaseFailure);
  // The session and the service publish on one bus; the log, the bar, the metrics and the service's read model subscribe.
  const bus = new SyncEventBus({
    onSubscriberError: (error) => log.warn(error, "event subscriber"),
  });
  bus.subscribe(log.onEvent);
  try {
    if (!args.once) {
      const { runService } = await import("../pipeline/sync-service.ts");
      const { SyncServiceObserver } = await import("../observe/service-observer.ts");
      const observer = new SyncServiceObserver(config, pools, log.logger);
      bus.subscribe(observer.onEvent);
      return await runService({ config, graph, pools }, { bus, log, observer });
    }
    if (bar) bus.subscribe(bar.onEvent);
    try {
      const summary = await runSyncSession({ config, graph, pools, onEvent: bus.publish });
      process.stdout.write(args.json ? JSON.stringify(summary, null, 2) + "\n" : formatSummary(summary));
      return summary.failed + summary.skipped > 0 ? ExitCode.someFilesFailed : ExitCode.ok;
    } finally {
      // A failed session leaves no half-drawn bar (and no hidden cursor) behind the error message.
      bar?.stop();
    }
  } catch (error) {
    return asDatabaseFailure(error);
  } finally {
    await pools.close();
  }
}

/** `--rebuild`: the file goes aside (never deleted) and this run builds a new index; refused while a service holds it. */
async function moveIndexAside(database: string): Promise<void> {
  const { callService, controlSocketPath } = await import("../control/control-client.ts");
  // Any answer but "nobody listens" (null) may be a live service: never move a file from under it.
  const reply = await callService(controlSocketPath(database), "status", undefined, { timeoutMs: 10_000 }).catch(() => "no clear answer");
  if (reply !== null) throw new DatabaseError("DATABASE_LOCKED", `a sync-pipeline service holds ${database}: stop it before \`run --rebuild\``);
  const { moveAside } = await import("../index/database.ts");
  const aside = moveAside(database);
  if (aside !== null) process.stderr.write(`moved ${database} aside to ${aside}; rebuilding the index from the graph\n`);
}
