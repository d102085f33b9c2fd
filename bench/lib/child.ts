import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

/** The repository root, found from this file whether it runs compiled (dist/bench) or from source. */
export const repoRoot = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json")) || dir.endsWith("dist")) dir = dirname(dir);
  return dir;
})();

export const cliPath = join(repoRoot, "bin/sync-pipeline.js");
const rssHook = new URL("./rss-hook.js", import.meta.url).href;

export type ChildRun = { code: number | null; stdout: string; stderr: string; wallMs: number; peakRssMb: number | null };

let counter = 0;

/**
 * Runs a Node script as a child process with the peak-RSS hook loaded; wall
 * time is measured around the whole process (start-up and DuckDB loading
 * included, as a user of the CLI sees it).
 */
export async function runNode(script: string, args: string[], options: { timeoutMs?: number } = {}): Promise<ChildRun> {
  const rssFile = join(tmpdir(), `sync-pipeline-bench-rss-${process.pid}-${counter++}`);
  const started = performance.now();
  const child = spawn(process.execPath, ["--import", rssHook, script, ...args], {
    cwd: repoRoot,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, BENCH_RSS_FILE: rssFile },
  });
  const { code, stdout, stderr } = await collect(child, options.timeoutMs ?? 900_000);
  const wallMs = performance.now() - started;
  const kib = Number(await readFile(rssFile, "utf8").catch(() => "NaN"));
  await rm(rssFile, { force: true });
  return { code, stdout, stderr, wallMs, peakRssMb: Number.isFinite(kib) ? Math.round(kib / 1024) : null };
}

/** Runs the real CLI (`bin/sync-pipeline.js`). */
export function runCli(args: string[], options: { timeoutMs?: number } = {}): Promise<ChildRun> {
  return runNode(cliPath, args, options);
}

/** Starts the CLI without waiting for it (the long-running service). */
export function startCli(args: string[]): ChildProcess {
  return spawn(process.execPath, [cliPath, ...args], { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
}

export function collect(child: ChildProcess, timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (chunk) => (stdout += chunk));
    child.stderr?.on("data", (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Fails loudly, with the child's stderr, unless it exited with one of `codes`. */
export function expectExit(run: ChildRun, what: string, codes: readonly number[] = [0]): ChildRun {
  if (run.code === null || !codes.includes(run.code)) {
    throw new Error(`${what} exited ${run.code}\n${run.stderr.slice(-2000)}${run.stdout.slice(-1000)}`);
  }
  return run;
}
