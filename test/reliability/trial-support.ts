import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { repoRoot, runCli } from "../support/cli.ts";

/** A CLI child process that a trial may kill -9 at any moment. */
export type Victim = { child: ChildProcess; exited: Promise<number | null>; output(): string };

export function spawnCli(args: string[]): Victim {
  const child = spawn(process.execPath, [join(repoRoot, "bin/sync-pipeline.js"), ...args], { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return { child, exited, output: () => output };
}

/** SIGKILL now; true when the process was still running (the fault really hit it). */
export async function killNine(victim: Victim): Promise<boolean> {
  const alive = victim.child.exitCode === null && victim.child.signalCode === null;
  if (alive) victim.child.kill("SIGKILL");
  await victim.exited;
  return alive && victim.child.signalCode === "SIGKILL";
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Writes a config file for `graph` and `database` (absolute paths), plus any settings. */
export async function writeConfig(path: string, graph: string, database: string, settings: Record<string, unknown> = {}): Promise<string> {
  await writeFile(path, JSON.stringify({ graph, database, logLevel: "warn", ...settings }));
  return path;
}

/** `run --once` into a fresh database file: the reference a recovered index must equal. */
export async function cleanSync(graph: string, database: string, config: string): Promise<void> {
  await rm(database, { force: true });
  await rm(`${database}.wal`, { force: true });
  await writeConfig(config, graph, database);
  const result = await runCli(["run", "--once", "--json", "--config", config]);
  assert.ok(result.code === 0 || result.code === 1, `clean sync exited ${result.code}\n${result.stderr}`);
}

/** `run --once` after a crash: it must finish (0, or 1 when some file failed to parse, as the clean sync may too). */
export async function recover(config: string): Promise<string> {
  const result = await runCli(["run", "--once", "--json", "--config", config]);
  assert.ok(result.code === 0 || result.code === 1, `restart after kill -9 exited ${result.code}\n${result.stderr}${result.stdout}`);
  return result.stdout;
}
