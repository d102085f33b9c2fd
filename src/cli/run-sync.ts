import process from "node:process";
import type { SyncConfiguration } from "../config/load-config.ts";
import type { Pools } from "../bulkheads/pools.ts";
import type { GraphConfig } from "../logseq/types.ts";
import { runSyncSession, type SessionReads } from "../pipeline/sync-session.ts";
import { SyncEventBus } from "../pipeline/sync-event-bus.ts";
import { ExitCode } from "./exit-code.ts";
import { createSyncLog } from "./log.ts";
import { formatSummary } from "./format.ts";
import { databaseFailure } from "../index/database-error.ts";

/** What run-command.ts started: the pools (the writer opening the index) and, under --once, the session's first reads. */
export type RunStart = {
  config: SyncConfiguration;
  graph: GraphConfig;
  opening: Promise<Pools>;
  reads?: SessionReads;
};

/** `run` once the writer thread is starting: the log and the bus, then the service, or one session under --once. */
export async function runSync(args: { once: boolean; json: boolean }, start: RunStart): Promise<number> {
  const { config, graph } = start;
  // A bar only for a person watching: never on a pipe or a log file, never mixed into --json.
  const bar = args.once && process.stderr.isTTY && !args.json ? new (await import("./progress.ts")).SyncProgressBar(process.stderr) : undefined;
  const log = createSyncLog(config, bar ? (text) => bar.log(text) : undefined, { once: args.once });
  for (const warning of graph.warnings) log.logger.warn({ event: "Warning", context: "logseq/config.edn" }, `warning: logseq/config.edn: ${warning}`);
  // A damaged file may open and fail only when a query reads the bad block: name it and the way back.
  const asDatabaseFailure = (error: unknown) => {
    throw databaseFailure(config.database, error) ?? error;
  };
  const pools = await start.opening.catch(asDatabaseFailure);
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
      const summary = await runSyncSession({ config, graph, pools, onEvent: bus.publish }, start.reads === undefined ? {} : { reads: start.reads });
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
