import { test } from "node:test";
import process from "node:process";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot, runCli, runJson, tempGraph } from "../support/cli.ts";
import type { SyncSummary } from "../../src/pipeline/sync-summary.ts";
import type { SearchHit } from "../../src/index/search.ts";

const deno = join(repoRoot, "node_modules/.bin/deno");
const denoCli = [deno, "run", "-A", join(repoRoot, "src/cli/main.ts")];

// An empty DENO_DIR, as on a fresh machine: Deno's first load of a CommonJS
// package inside a worker thread used to hang there (see createPools).
const denoDir = mkdtempSync(join(tmpdir(), "sync-pipeline-deno-dir-"));
process.env["DENO_DIR"] = denoDir;
process.on("exit", () => rmSync(denoDir, { recursive: true, force: true }));

test("the same source runs under Deno 2: one-shot sync and search from the TypeScript source", async () => {
  // The deno devDependency is part of the suite: without it this must fail, not pass by skipping.
  assert.ok(existsSync(deno), `${deno} is missing: install the deno devDependency (npm ci)`);
  const g = await tempGraph({
    "pages/Deno Runtime.md": "- Runs TypeScript directly, with npm packages from node_modules.\n\t- Piscina workers load the .ts worker files.\n",
    "journals/2024_03_01.md": "- Tried [[Deno Runtime]] with DuckDB.\n",
  });
  try {
    const run = await runCli(["run", "--once", "--json", "--config", g.config], { command: denoCli, timeoutMs: 180_000 });
    assert.equal(run.code, 0, run.stderr);
    const summary = JSON.parse(run.stdout) as SyncSummary;
    assert.deepEqual({ files: summary.files, indexed: summary.indexed, blocks: summary.blocks }, { files: 2, indexed: 2, blocks: 3 });

    const underDeno = await runCli(["search", "piscina workers", "--json", "--config", g.config], { command: denoCli, timeoutMs: 180_000 });
    assert.equal(underDeno.code, 0, underDeno.stderr);
    const hits = JSON.parse(underDeno.stdout) as SearchHit[];
    assert.equal(hits[0]?.content, "Piscina workers load the .ts worker files.");

    // The index Deno wrote is the same format Node reads, and a re-run under Node is a no-op.
    const again = await runJson<SyncSummary>(["run", "--once", "--config", g.config]);
    assert.deepEqual({ unchanged: again.unchanged, indexed: again.indexed }, { unchanged: 2, indexed: 0 });
    const fromNode = await runJson<SearchHit[]>(["search", "deno runtime", "--config", g.config]);
    assert.equal(fromNode[0]?.page, "Deno Runtime");
  } finally {
    await g.cleanup();
  }
});
