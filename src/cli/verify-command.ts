import process from "node:process";
import { existsSync } from "node:fs";
import { realpath, stat } from "node:fs/promises";
import { loadConfig, type SyncConfiguration } from "../config/load-config.ts";
import { readGraphConfig } from "../logseq/graph-config.ts";
import { GraphMissing } from "../pipeline/directory-scan.ts";
import { databaseFailure, DatabaseError } from "../index/database-error.ts";
import type { HashOutcome } from "../workers/hash.worker.ts";
import type { GraphConfig } from "../logseq/types.ts";
import { VERIFY_CLASS_TEXT, VERIFY_CLASSES, type RepairReport, type VerifyReport } from "../index/verify-report.ts";
import { ExitCode } from "./exit-code.ts";

/** A verify of a big graph reads every indexed file: give the service time. */
const SERVICE_TIMEOUT_MS = 30 * 60_000;

/**
 * `sync-pipeline verify [--repair] [--json]`: through the running service
 * when there is one (it holds the database), otherwise on the file itself.
 * Exit 0 when the index agrees with the folder (after --repair: once
 * repaired), ExitCode.indexDiffers when it does not.
 */
export async function verifyCommand(args: { config: string; repair: boolean; json: boolean }): Promise<number> {
  const loaded = await loadConfig(args.config);
  const graphStat = await stat(loaded.graph).catch(() => null);
  if (!graphStat?.isDirectory()) {
    throw new GraphMissing(`graph folder ${loaded.graph} does not exist or is not a folder; the index was left as it was`);
  }
  const config: SyncConfiguration = Object.freeze({ ...loaded, graph: await realpath(loaded.graph) });
  const { callService, controlSocketPath } = await import("../control/control-client.ts");
  const reply = await callService(controlSocketPath(config.database), "verify", { repair: args.repair }, { timeoutMs: SERVICE_TIMEOUT_MS });
  let result: VerifyReport | RepairReport;
  if (reply !== null) {
    result = reply.result;
  } else {
    if (!existsSync(config.database)) {
      throw new DatabaseError("DATABASE_MISSING", `no index at ${config.database}: run \`sync-pipeline run --once\` first`);
    }
    const graph = await readGraphConfig(config.graph);
    result = await (args.repair ? repairHere(config, graph) : verifyHere(config, graph)).catch((error: unknown) => {
      throw databaseFailure(config.database, error) ?? error;
    });
  }
  process.stdout.write(args.json ? JSON.stringify(result, null, 2) + "\n" : formatResult(result));
  const final = "after" in result ? result.after : result;
  return final.clean ? ExitCode.ok : ExitCode.indexDiffers;
}

/** No service: a read-only open (nothing changes) and a hashing bulkhead of our own. */
async function verifyHere(config: SyncConfiguration, graph: GraphConfig): Promise<VerifyReport> {
  const { openDatabase } = await import("../index/database.ts");
  const { checkTables } = await import("../index/verify-tables.ts");
  const { verifyIndex } = await import("../index/verify.ts");
  const { Bulkhead } = await import("../bulkheads/bulkhead.ts");
  const db = await openDatabase(config.database, { create: false, readOnly: true });
  const hashing = new Bulkhead({ name: "hashing", worker: "hash", ...config.pools.hashing });
  try {
    const outcome = await verifyIndex(config, graph, {
      checkTables: () => checkTables(db.connection),
      hash: (task) => hashing.run<HashOutcome>(task),
    });
    return outcome.report;
  } finally {
    await hashing.close();
    db.close();
  }
}

/** No service: the pipeline's own pools and a sync session do the repair. */
async function repairHere(config: SyncConfiguration, graph: GraphConfig): Promise<RepairReport> {
  const { createPools } = await import("../bulkheads/pools.ts");
  const { runSyncSession } = await import("../pipeline/sync-session.ts");
  const { poolAccess, verifyAndRepair } = await import("../index/verify.ts");
  const pools = await createPools(config, graph);
  try {
    return await verifyAndRepair(config, graph, poolAccess(pools, async () => {
      const s = await runSyncSession({ config, graph, pools });
      return s.files - s.unchanged + s.deleted;
    }));
  } finally {
    await pools.close();
  }
}

export function formatResult(result: VerifyReport | RepairReport): string {
  if (!("after" in result)) return formatReport(result);
  if (result.found.clean) return formatReport(result.found);
  const deleted = Object.entries(result.rowsDeleted).filter(([, n]) => n > 0).map(([table, n]) => `${table} ${n}`);
  return (
    `Found:\n${indent(formatReport(result.found))}` +
    `Repaired: dropped the content of ${result.contentDropped} files to parse again; ` +
    `deleted rows: ${deleted.length > 0 ? deleted.join(", ") : "none"}; the sync read again or deleted ${result.synced} files.\n` +
    `After the repair:\n${indent(formatReport(result.after))}`
  );
}

function formatReport(report: VerifyReport): string {
  const head = `${report.files} files on disk, ${report.checksummed} checksummed`;
  if (report.clean) return `Index verified: ${head}; the index agrees with the folder and with itself.\n`;
  let text = `Index differs: ${head}.\n`;
  for (const name of VERIFY_CLASSES) {
    const finding = report.differences[name];
    if (finding === undefined) continue;
    const more = finding.count > finding.examples.length ? `, …` : "";
    text += `  ${VERIFY_CLASS_TEXT[name]} (${name}): ${finding.count} — ${finding.examples.join(", ")}${more}\n`;
  }
  return text;
}

function indent(text: string): string {
  return text.replace(/^/gm, "  ").replace(/ {2}$/, "");
}
