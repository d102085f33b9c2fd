import process from "node:process";
import { loadConfig } from "../config/load-config.ts";
import { ExitCode } from "./exit-code.ts";

/**
 * PauseSyncOperations / ResumeSyncOperations on the running service. Only
 * its user can reach the control socket (mode 0600), so only its user can
 * pause it. With no service running there is nothing to pause: exit 3 (cannot run).
 */
export async function pauseCommand(args: { config: string; json: boolean }, method: "pause" | "resume"): Promise<number> {
  const config = await loadConfig(args.config);
  const { callService, controlSocketPath } = await import("../control/control-client.ts");
  const reply = await callService(controlSocketPath(config.database), method, undefined);
  if (reply === null) {
    process.stderr.write(`sync-pipeline: no service is running for ${config.database}; nothing to ${method}\n`);
    return ExitCode.cannotRun;
  }
  const { paused, pending } = reply.result;
  const queued = pending.create + pending.update + pending.delete + pending.settling + pending.heldDeletes;
  process.stdout.write(
    args.json
      ? JSON.stringify(reply.result, null, 2) + "\n"
      : paused
        ? `Paused: nothing is written until \`sync-pipeline resume\`; changes are still collected (${queued} pending now).\n`
        : `Resumed: applying ${queued} pending changes.\n`,
  );
  return ExitCode.ok;
}
