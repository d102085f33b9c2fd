import process from "node:process";
import { loadConfig } from "../config/load-config.ts";
import { createPools } from "../bulkheads/pools.ts";
import { readGraphConfig } from "../logseq/graph-config.ts";
import { runSyncSession } from "../pipeline/sync-session.ts";
import { GraphMissing } from "../pipeline/directory-scan.ts";
import { ExitCode } from "./exit-code.ts";
import { eventLogger } from "./log.ts";
import { formatSummary } from "./format.ts";
import { stat } from "node:fs/promises";

export async function runCommand(args: { config: string; once: boolean; json: boolean }): Promise<number> {
  const config = await loadConfig(args.config);
  // Check the graph before touching the database: a missing (say, unmounted)
  // folder must never look like "every file was deleted".
  const graphStat = await stat(config.graph).catch(() => null);
  if (!graphStat?.isDirectory()) {
    throw new GraphMissing(`graph folder ${config.graph} does not exist or is not a folder; the index was left as it was`);
  }
  const graph = await readGraphConfig(config.graph);
  for (const warning of graph.warnings) process.stderr.write(`warning: logseq/config.edn: ${warning}\n`);
  const onEvent = eventLogger(config);
  const pools = await createPools(config, graph);
  try {
    if (!args.once) {
      const { runService } = await import("../pipeline/sync-service.ts");
      return await runService({ config, graph, pools, onEvent });
    }
    const summary = await runSyncSession({ config, graph, pools, onEvent });
    process.stdout.write(args.json ? JSON.stringify(summary, null, 2) + "\n" : formatSummary(summary));
    return summary.failed + summary.skipped > 0 ? ExitCode.someFilesFailed : ExitCode.ok;
  } finally {
    await pools.close();
  }
}
