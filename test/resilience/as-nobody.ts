import { execFileSync, spawn } from "node:child_process";
import { chmod, chown } from "node:fs/promises";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import process from "node:process";
import { repoRoot, type CliResult } from "../support/cli.ts";
import { AS_NOBODY } from "../support/nobody.ts";

/**
 * chmod 000 makes a file unreadable except to root: as root, the CLI runs as
 * nobody (setpriv, util-linux) over a folder nobody owns, as in
 * test/spine/bad-input.test.ts.
 */

/** The command that runs the CLI as a user chmod 000 keeps out; gives `root` to that user. */
export function unprivilegedCli(root: string): string[] {
  if (process.getuid?.() !== 0) return [process.execPath, join(repoRoot, "bin/sync-pipeline.js")];
  execFileSync("setpriv", ["--version"], { stdio: "ignore" });
  execFileSync("chown", ["-R", "65534:65534", root]);
  return [...AS_NOBODY, process.execPath, join(repoRoot, "bin/sync-pipeline.js")];
}

/** Gives the folder back to root (so cleanup and root-run CLIs work as before). */
export async function giveBack(root: string): Promise<void> {
  if (process.getuid?.() === 0) execFileSync("chown", ["-R", "0:0", root]);
}

/** Makes `path` unreadable to the CLI's user, checking that it really is. */
export async function lockOut(path: string): Promise<void> {
  await chmod(path, 0o000);
  const switchUser = process.getuid?.() === 0 ? AS_NOBODY : [];
  let readable = true;
  try {
    if (switchUser.length === 0) readFileSync(path);
    else execFileSync(switchUser[0] as string, [...switchUser.slice(1), "cat", path], { stdio: "ignore" });
  } catch {
    readable = false;
  }
  if (readable) throw new Error(`chmod 000 did not make ${path} unreadable for the CLI's user: this test cannot run here`);
}

export async function letIn(path: string): Promise<void> {
  await chmod(path, 0o644);
  if (process.getuid?.() === 0) await chown(path, 65534, 65534);
}

/**
 * Runs a command and calls `onLine` with each stderr line as it comes (so a
 * test can act in the middle of a run), then resolves with the whole output.
 */
export function runWatching(command: string[], args: string[], onLine: (line: string) => void | Promise<void>, timeoutMs = 120_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command[0] as string, [...command.slice(1), ...args], { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let partial = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
      const lines = (partial + chunk).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) void Promise.resolve(onLine(line)).catch(reject);
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
