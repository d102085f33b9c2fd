import process from "node:process";
import { loadConfig } from "../config/load-config.ts";
import { checkHealth, type HealthReport } from "../observe/health.ts";
import { ExitCode } from "./exit-code.ts";
import { queryIndex } from "./index-query.ts";

/** `health` exits 1 when unhealthy: what Docker's HEALTHCHECK and most monitors read as "failing". */
export const UNHEALTHY_EXIT_CODE = 1;

/**
 * `sync-pipeline health`: the running service's own check through its
 * socket (it holds the database), or with no service the same checks done
 * here, with the database opened read-only (no queue or memory to check).
 */
export async function healthCommand(args: { config: string; json: boolean }): Promise<number> {
  const config = await loadConfig(args.config);
  const { callService, controlSocketPath } = await import("../control/control-client.ts");
  const reply = await callService(controlSocketPath(config.database), "health", undefined);
  const report = reply?.result ?? await checkHealth({
    graph: config.graph,
    thresholds: config.health,
    sampleFiles: async (n) => {
      const { sampleFileRows } = await import("../observe/index-sample.ts");
      return queryIndex(config, (connection) => sampleFileRows(connection, n));
    },
    samplePostings: async (n) => {
      const { samplePostings } = await import("../observe/index-sample.ts");
      return queryIndex(config, (connection) => samplePostings(connection, n));
    },
  });
  process.stdout.write(args.json ? JSON.stringify(report, null, 2) + "\n" : formatHealth(report));
  return report.healthy ? ExitCode.ok : UNHEALTHY_EXIT_CODE;
}

export function formatHealth(report: HealthReport): string {
  const lines = [`${report.healthy ? "healthy" : "UNHEALTHY"} (${report.service ? "the running service" : "no service running"}, ${report.checkedAt})`];
  for (const check of report.checks) lines.push(`  ${check.healthy ? "ok  " : "FAIL"} ${check.name}: ${check.detail}`);
  return lines.join("\n") + "\n";
}
