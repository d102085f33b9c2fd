import process from "node:process";
import { loadConfig, type SyncConfiguration } from "../config/load-config.ts";
import { createPools, createPoolsReadingStamps } from "../bulkheads/pools.ts";
import { readGraphConfig } from "../logseq/graph-config.ts";
import { GraphMissing, scanDirectory } from "../pipeline/directory-scan.ts";
import { refuseAbsurdGraph } from "./graph-guard.ts";
import { realpath, stat } from "node:fs/promises";
import { DatabaseError } from "../index/database-error.ts";

/**
 * `run`: checks the config and the graph, then starts what takes longest
 * first. The writer thread (started in bin/, see prestartWriter) opens the
 * index and, under --once, reads what it knows of every file, while this
 * thread loads the modules the sync needs (run-sync.ts) and scans the folder:
 * on two cores a no-op catch-up pays for about the longer of the two instead
 * of their sum.
 */
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
  const graph = await readGraphConfig(config.graph);
  if (args.rebuild) await moveIndexAside(config.database);
  // No index file yet (a first run, --rebuild): every file will be parsed (pools.ts PoolOptions).
  const options = { parseAtOnce: await stat(config.database).then(() => false, () => true) };
  const { opening, stamps } = args.once
    ? createPoolsReadingStamps(config, graph, options)
    : { opening: createPools(config, graph, undefined, options), stamps: undefined };
  const sync = import("./run-sync.ts");
  // A first index: the session's orchestrator is loaded while the writer opens the index (sync-session.ts loads
  // it only when there is work, which a no-op catch-up never has).
  if (args.once && options.parseAtOnce) void import("../pipeline/sync-orchestrator.ts").catch(() => {});
  const reads = stamps === undefined ? undefined : { stamps, disk: scanDirectory(config.graph, graph) };
  // All are awaited in run-sync.ts; a failure before then is not unhandled.
  for (const started of [opening, sync, reads?.stamps, reads?.disk]) started?.catch(() => {});
  return (await sync).runSync(args, { config, graph, opening, ...(reads === undefined ? {} : { reads }) });
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
