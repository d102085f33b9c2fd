import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { repoRoot, runCli, tempGraph } from "../support/cli.ts";
import { workerExecArgv } from "../../src/bulkheads/worker-exec-argv.ts";

// The bulkheads' threads get require(esm) switched off (worker-exec-argv.ts).
// Given explicitly, execArgv must hold only flags a worker accepts: with the
// parent's flags copied whole, `node --max-old-space-size=... bin/sync-pipeline.js`
// failed every run (ERR_WORKER_INVALID_EXEC_ARGV).

const NO_REQUIRE_ESM = "--no-experimental-require-module";

test("a worker's flags are the parent's that workers accept, and require(esm) off", () => {
  assert.deepEqual(workerExecArgv([]), [NO_REQUIRE_ESM]);
  assert.deepEqual(workerExecArgv(["--enable-source-maps"]), ["--enable-source-maps", NO_REQUIRE_ESM]);
  assert.deepEqual(
    workerExecArgv(["--max-old-space-size=512", "--enable-source-maps", "--stack-size=2000", "--no-warnings", "--expose-gc"]),
    ["--enable-source-maps", "--no-warnings", NO_REQUIRE_ESM],
  );
  assert.deepEqual(workerExecArgv([NO_REQUIRE_ESM, "--title=x"]), [NO_REQUIRE_ESM]);
});

test("run --once under process-only Node flags indexes the graph", async () => {
  const g = await tempGraph({ "pages/alpha.md": "- first block\n- second block\n", "journals/2026_11_30.md": "- [[alpha]] today\n" });
  try {
    const command = [process.execPath, "--max-old-space-size=512", "--stack-size=2000", join(repoRoot, "bin/sync-pipeline.js")];
    const result = await runCli(["run", "--once", "--config", g.config], { command });
    assert.equal(result.stderr, "");
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^Synced 2 files in [\d.]+ s: 2 indexed, 0 unchanged, 0 moved, 0 deleted, 0 touched, 0 skipped, 0 failed \(3 blocks written\)\.\n$/);
  } finally {
    await g.cleanup();
  }
});
