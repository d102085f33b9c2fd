import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { runCli, tempGraph } from "../support/cli.ts";

// `run` starts the writer's thread before it reads the config (prestartWriter):
// a run that stops at once (no graph folder, a bad config) exits while that
// thread may still be loading DuckDB's addon, and cutting it there aborted the
// process (SIGABRT, "terminate called after throwing an instance of
// 'Napi::Error'") in about one run of ten. Every run must end with its own
// exit code and message.

/**
 * Runs enough times that a one-in-ten abort shows up: all 24 pass by chance
 * with probability 0.9^24, under 8% (40 runs, under 2%, cost 36 s of CI).
 */
const RUNS = 24;

test("run stopping at once (graph folder missing) always exits 3 with its message, never aborts while the writer thread loads", async () => {
  const g = await tempGraph({});
  try {
    await g.remove("");
    const outcomes = new Map<string, number>();
    for (let i = 0; i < RUNS; i++) {
      const result = await runCli(["run", "--once", "--config", g.config]);
      const outcome = `${result.code} ${result.stderr}`;
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }
    const expected = `3 sync-pipeline: graph folder ${join(g.root, "graph")} does not exist or is not a folder; the index was left as it was\n`;
    assert.deepEqual([...outcomes], [[expected, RUNS]]);
  } finally {
    await g.cleanup();
  }
});
