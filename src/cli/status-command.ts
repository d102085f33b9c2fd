import process from "node:process";
import { loadConfig } from "../config/load-config.ts";
import { readStatus } from "../index/status.ts";
import { ExitCode } from "./exit-code.ts";
import { formatStatus } from "./format.ts";
import { queryServiceOrIndex } from "./index-query.ts";

export async function statusCommand(args: { config: string; json: boolean }): Promise<number> {
  const config = await loadConfig(args.config);
  const status = await queryServiceOrIndex(config, { method: "status" }, readStatus);
  process.stdout.write(args.json ? JSON.stringify(status, null, 2) + "\n" : formatStatus(status));
  return ExitCode.ok;
}
