import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfig } from "../../src/config/load-config.ts";
import type { ControlParams, ControlRequestMethod, ControlResult } from "../../src/control/control-api.ts";
import { callService, controlSocketPath } from "../../src/control/control-client.ts";

/** The repository root (tests run from dist/test/service). */
export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const BIN = join(REPO_ROOT, "bin", "sync-pipeline.js");

export type Sandbox = { dir: string; graph: string; database: string; configPath: string; cleanup(): Promise<void> };

/** A temp folder with an empty graph (pages/, journals/) and a config pointing at a DuckDB file beside it. */
export async function makeSandbox(config: Record<string, unknown> = {}): Promise<Sandbox> {
  const dir = await mkdtemp(join(tmpdir(), "sync-svc-"));
  const graph = join(dir, "graph");
  await mkdir(join(graph, "pages"), { recursive: true });
  await mkdir(join(graph, "journals"), { recursive: true });
  const database = join(dir, "index.duckdb");
  const configPath = join(dir, "config.json");
  await writeFile(configPath, JSON.stringify({ graph: "graph", database: "index.duckdb", logLevel: "debug", ...config }));
  return { dir, graph, database, configPath, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Writes a graph file (creating folders), relative to the graph. */
export async function writePage(sandbox: Sandbox, rel: string, text: string): Promise<void> {
  await mkdir(dirname(join(sandbox.graph, rel)), { recursive: true });
  await writeFile(join(sandbox.graph, rel), text);
}

/** A running `sync-pipeline run --config` child process. */
export class ServiceProcess {
  readonly child: ChildProcess;
  stdout = "";
  stderr = "";
  readonly exited: Promise<number | null>;

  constructor(configPath: string, extraArgs: string[] = []) {
    this.child = spawn(process.execPath, [BIN, "run", "--config", configPath, ...extraArgs], { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
    this.child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (this.stdout += chunk));
    this.child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (this.stderr += chunk));
    // "close", not "exit": the output streams are fully read by then.
    this.exited = new Promise((resolve) => this.child.on("close", (code) => resolve(code)));
  }

  /** Waits for the "caught up and watching" line. */
  async ready(timeoutMs = 60_000): Promise<void> {
    await pollUntil(async () => /^Caught up: /m.test(this.stdout) || this.child.exitCode !== null, "service ready", timeoutMs);
    assert.equal(this.child.exitCode, null, `service exited early:\n${this.stdout}\n${this.stderr}`);
  }

  /** `indexed: <path>` log lines, in order. */
  indexedPaths(): string[] {
    return [...this.stderr.matchAll(/^indexed: (.+) \(\d+ blocks\)$/gm)].map((m) => m[1] as string);
  }

  async stop(signal: NodeJS.Signals = "SIGINT"): Promise<number | null> {
    if (this.child.exitCode === null) this.child.kill(signal);
    return withTimeout(this.exited, 60_000, "service exit");
  }

  /** Cleanup: never leave a service behind, whatever the test did. */
  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGKILL");
  }
}

export type CliResult = { code: number | null; stdout: string; stderr: string };

export function runCli(args: string[], timeoutMs = 60_000): Promise<CliResult> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
  child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  return new Promise((resolve) => child.on("close", (code) => {
    clearTimeout(timer);
    resolve({ code, stdout, stderr });
  }));
}

export type Hit = { path: string; page: string; content: string };

/**
 * Asks the running service through its control socket, in this process, as
 * the CLI's `status` and `search` do first (src/cli/index-query.ts); null
 * when no service listens. Tests poll status and search hundreds of times:
 * a CLI process per poll cost 0.3 s of CPU each, a large share of CI's two
 * cores. The CLI's own output is tested where it is the subject
 * (test/cli, test/spine).
 */
export async function askService<M extends ControlRequestMethod>(configPath: string, method: M, params: ControlParams<M>): Promise<ControlResult<M> | null> {
  const config = await loadConfig(configPath);
  return (await callService(controlSocketPath(config.database), method, params))?.result ?? null;
}

export async function search(sandbox: Sandbox, text: string): Promise<Hit[]> {
  const served = await askService(sandbox.configPath, "search", { text, limit: 1000 });
  if (served !== null) return served as Hit[];
  const r = await runCli(["search", text, "--json", "--limit", "1000", "--config", sandbox.configPath]);
  assert.equal(r.code, 0, `search failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Hit[];
}

export async function status(sandbox: Pick<Sandbox, "configPath">): Promise<Record<string, unknown> & { files: number; service?: Record<string, unknown> }> {
  const served = await askService(sandbox.configPath, "status", undefined as ControlParams<"status">);
  if (served !== null) return served as unknown as Record<string, unknown> & { files: number };
  const r = await runCli(["status", "--json", "--config", sandbox.configPath]);
  assert.equal(r.code, 0, `status failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

/** Sorted paths of the hits for `text`. */
export async function hitPaths(sandbox: Sandbox, text: string): Promise<string[]> {
  return [...new Set((await search(sandbox, text)).map((h) => h.path))].sort();
}

/**
 * Polls `check` until it holds or the deadline passes (then fails, naming what was awaited, and what `seen`
 * says about the last check: the state a failure in CI needs to be understood).
 */
export async function pollUntil(check: () => Promise<boolean> | boolean, what: string, timeoutMs = 15_000, seen?: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) assert.fail(`timed out after ${timeoutMs} ms waiting for ${what}${seen === undefined ? "" : `; ${seen()}`}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Waits past the debounce and pairing windows (1 s), then until the service
 * reports nothing queued, in flight, held, scanning or dirty, twice in a row.
 */
export async function serviceSettled(sandbox: Sandbox): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 1000));
  let quiet = 0;
  await pollUntil(async () => {
    const s = (await status(sandbox)).service ?? {};
    const idle = s["queued"] === 0 && s["inFlight"] === 0 && s["heldDeletes"] === 0 && s["scans"] === 0 && s["dirtyFolders"] === 0;
    quiet = idle ? quiet + 1 : 0;
    return quiet >= 2;
  }, "service idle", 60_000);
}

/** Polls until the search for `text` finds exactly `paths`. */
export async function expectHits(sandbox: Sandbox, text: string, paths: string[], timeoutMs = 15_000): Promise<void> {
  let last: string[] = [];
  try {
    await pollUntil(async () => {
      last = await hitPaths(sandbox, text);
      return JSON.stringify(last) === JSON.stringify([...paths].sort());
    }, `search "${text}" → ${JSON.stringify(paths)}`, timeoutMs);
  } catch (error) {
    assert.deepEqual(last, [...paths].sort(), (error as Error).message);
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms))),
  ]);
}
