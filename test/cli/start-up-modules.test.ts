import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { repoRoot, runCli, tempGraph, type TempGraph } from "../support/cli.ts";

// A no-op `run --once` is mostly start-up: every module the main thread loads
// and every thread a pool starts is paid before and after the few milliseconds
// of comparing the folder with the index (issue #8). These tests pin down what
// each command may load, through the real CLI with a module log (module-log.ts).

/** Packages only other commands need; `run --once` on the main thread loads none (DuckDB lives in the writer thread). */
const NOT_FOR_RUN_ONCE = ["@duckdb/node-api", "@modelcontextprotocol/sdk", "zod", "prom-client", "@parcel/watcher", "ajv"];
/** Our modules of the service, the control socket, MCP and metrics. */
const SERVICE_ONLY = ["src/pipeline/sync-service.js", "src/pipeline/file-system-watcher.js", "src/control/", "src/mcp/", "src/observe/metrics-server.js"];

type ModuleLog = { main: string[]; threads: number };

/** Runs the CLI with the module log; returns what the main thread resolved and how many pool threads started. */
async function loggedRun(g: TempGraph, args: string[], name: string): Promise<ModuleLog> {
  const file = join(g.root, `${name}.modules`);
  process.env["MODULE_LOG"] = file;
  try {
    const hook = join(repoRoot, "dist/test/support/module-log.js");
    const result = await runCli(args, { command: [process.execPath, "--import", hook, join(repoRoot, "bin/sync-pipeline.js")] });
    assert.equal(result.code, 0, result.stderr);
  } finally {
    delete process.env["MODULE_LOG"];
  }
  const lines = (await readFile(file, "utf8")).trim().split("\n").map((line) => line.split(" ") as [string, string]);
  const main = lines.filter(([thread]) => thread === "0").map(([, url]) => url);
  // Every piscina thread resolves piscina's worker entry once, whatever worker module it then runs.
  const threads = new Set(lines.filter(([thread, url]) => thread !== "0" && url.endsWith("/piscina/dist/worker.js")).map(([thread]) => thread));
  return { main, threads: threads.size };
}

function packagesOf(urls: string[]): string[] {
  const names = urls.map((url) => url.match(/\/node_modules\/((?:@[^/]+\/)?[^/]+)\//)?.[1]).filter((name) => name !== undefined);
  return [...new Set(names)].sort();
}

test("run --once: the main thread loads neither DuckDB nor any service, MCP or metrics module; a no-op starts the writer thread alone and no orchestrator, a full index no hashing thread", async () => {
  const pools = { hashing: { threads: 1 }, parsing: { threads: 2 } };
  const g = await tempGraph({ "pages/a.md": "- hello [[b]]\n", "pages/b.md": "- world\n", "pages/c.md": "- again\n" }, { pools });
  try {
    const first = await loggedRun(g, ["run", "--once", "--config", g.config], "first");
    // The first run indexes new files, each read and parsed by one parsing task: the writer and two parsing threads, no hashing thread.
    assert.equal(first.threads, 3);
    const noop = await loggedRun(g, ["run", "--once", "--config", g.config], "noop");
    assert.equal(noop.threads, 1);
    // A no-op has no file to hand the orchestrator (sync-session.ts): its modules are not even loaded.
    const orchestrator = (run: ModuleLog) => run.main.some((url) => url.endsWith("/dist/src/pipeline/sync-orchestrator.js"));
    assert.deepEqual([orchestrator(first), orchestrator(noop)], [true, false]);
    for (const run of [first, noop]) {
      assert.deepEqual(packagesOf(run.main).filter((name) => NOT_FOR_RUN_ONCE.includes(name)), []);
      assert.deepEqual(run.main.filter((url) => SERVICE_ONLY.some((part) => url.includes(`/dist/${part}`))), []);
    }
  } finally {
    await g.cleanup();
  }
});

test("--help loads yargs and nothing of any command", async () => {
  const g = await tempGraph({});
  try {
    const help = await loggedRun(g, ["--help"], "help");
    assert.equal(help.threads, 0);
    assert.deepEqual(help.main.filter((url) => url.includes("/dist/src/") && !url.includes("/dist/src/cli/main.js")).map((url) => url.split("/dist/")[1]), [
      "src/config/config-invalid.js",
      "src/cli/exit-code.js",
      "src/cli/exit-waits.js",
    ]);
  } finally {
    await g.cleanup();
  }
});
