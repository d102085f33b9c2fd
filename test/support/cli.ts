import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root, found from this file whether it runs compiled (dist/test) or from source. */
export const repoRoot = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json")) || dir.endsWith("dist")) dir = dirname(dir);
  return dir;
})();

export type CliResult = { code: number | null; stdout: string; stderr: string };

/** Runs the real CLI (`bin/sync-pipeline.js`, the compiled build) as a child process. */
export function runCli(args: string[], options: { timeoutMs?: number; command?: string[] } = {}): Promise<CliResult> {
  const command = options.command ?? [process.execPath, join(repoRoot, "bin/sync-pipeline.js")];
  return new Promise((resolve, reject) => {
    const child = spawn(command[0] as string, [...command.slice(1), ...args], { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 120_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs the CLI and parses its JSON output, failing loudly with stderr when it did not succeed. */
export async function runJson<T>(args: string[], expectCode = 0): Promise<T> {
  const result = await runCli([...args, "--json"]);
  if (result.code !== expectCode) {
    throw new Error(`sync-pipeline ${args.join(" ")} exited ${result.code}, expected ${expectCode}\n${result.stderr}${result.stdout}`);
  }
  return JSON.parse(result.stdout) as T;
}

export type TempGraph = {
  root: string;
  graph: string;
  config: string;
  database: string;
  write(path: string, content: string | Uint8Array): Promise<void>;
  remove(path: string): Promise<void>;
  cleanup(): Promise<void>;
};

/** A real temp folder holding a graph, a config file and (after a sync) a DuckDB file. */
export async function tempGraph(files: Record<string, string | Uint8Array>, config: Record<string, unknown> = {}): Promise<TempGraph> {
  const root = await mkdtemp(join(tmpdir(), "sync-pipeline-test-"));
  const graph = join(root, "graph");
  await mkdir(graph);
  const write = async (path: string, content: string | Uint8Array) => {
    await mkdir(dirname(join(graph, path)), { recursive: true });
    await writeFile(join(graph, path), content);
  };
  for (const [path, content] of Object.entries(files)) await write(path, content);
  const configPath = join(root, "config.json");
  await writeFile(configPath, JSON.stringify({ graph: "graph", database: "index.duckdb", logLevel: "warn", ...config }));
  return {
    root,
    graph,
    config: configPath,
    database: join(root, "index.duckdb"),
    write,
    remove: (path) => rm(join(graph, path), { recursive: true, force: true }),
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}
