// The long-running service (`run` without --once) as a child process, for
// the scenarios that measure it through its control socket.
import type { ChildProcess } from "node:child_process";
import { collect, startCli } from "./child.ts";
import { callService, controlSocketPath } from "../../src/control/control-client.ts";

export type Service = { child: ChildProcess; socket: string; exited: Promise<{ code: number | null; stdout: string; stderr: string }> };

/** Starts `run` without --once; a string says why the service is not available. */
export async function startService(config: string, database: string): Promise<Service | string> {
  const child = startCli(["run", "--config", config]);
  const exited = collect(child, 3_600_000);
  const early = await Promise.race([exited, sleep(2000).then(() => null)]);
  if (early !== null) {
    return `the long-running service is not available (\`run\` without --once exited ${early.code} within 2 s: ${early.stderr.trim().split("\n")[0] ?? ""})`;
  }
  return { child, socket: controlSocketPath(database), exited };
}

export async function stopService(service: Service): Promise<void> {
  service.child.kill("SIGTERM");
  const done = await Promise.race([service.exited, sleep(60_000).then(() => null)]);
  if (done === null) {
    service.child.kill("SIGKILL");
    await service.exited;
  }
}

export async function serviceState(socket: string): Promise<string | null> {
  const reply = await callService(socket, "status", undefined).catch(() => null);
  const result = reply?.result as { service?: { state?: string } } | undefined;
  return result?.service?.state ?? null;
}

/** Unref'd, so a timer that lost a race never keeps the benchmark process alive. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
