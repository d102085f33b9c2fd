import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import type { SyncSummary } from "../../src/pipeline/sync-summary.ts";
import { runCli, tempGraph } from "../support/cli.ts";
import { assertSameAsCleanSync } from "../support/index-invariants.ts";
import { queryRows } from "../support/db.ts";
import { giveBack, letIn, lockOut, runWatching, unprivilegedCli } from "./as-nobody.ts";

const FILES = { "pages/open.md": "- readable\n", "pages/secret.md": "- locked away for a while\n" };

test("a file unreadable for two attempts is indexed on its third, in the same run, with no new event", async () => {
  const g = await tempGraph(FILES, { logLevel: "info", retry: { maxAttempts: 10, initialDelayMs: 100, maxDelayMs: 300 } });
  const secret = join(g.graph, "pages/secret.md");
  try {
    const command = unprivilegedCli(g.root);
    await lockOut(secret);
    const retried: string[] = [];
    const run = await runWatching(command, ["run", "--once", "--json", "--config", g.config], async (line) => {
      if (!line.startsWith("retrying: ")) return;
      retried.push(line);
      // Readable again after the second failed read: the third one (a timer, not an event) must get it.
      if (retried.length === 2) await letIn(secret);
    });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(retried.length, 2, run.stderr);
    assert.match(retried[0] ?? "", /^retrying: pages\/secret\.md in \d+ ms \(attempt 1 failed\): cannot read: EACCES/);
    assert.match(retried[1] ?? "", /^retrying: pages\/secret\.md in \d+ ms \(attempt 2 failed\): cannot read: EACCES/);
    const summary = JSON.parse(run.stdout) as SyncSummary;
    assert.deepEqual({ indexed: summary.indexed, failed: summary.failed }, { indexed: 2, failed: 0 });
    await giveBack(g.root);
    await assertSameAsCleanSync(g);
  } finally {
    await giveBack(g.root);
    await g.cleanup();
  }
});

test("a file that stays unreadable is recorded failed with the reason after maxAttempts reads; the rest syncs", async () => {
  const g = await tempGraph(FILES, { logLevel: "info", retry: { maxAttempts: 3, initialDelayMs: 50, maxDelayMs: 100 } });
  const secret = join(g.graph, "pages/secret.md");
  try {
    const command = unprivilegedCli(g.root);
    await lockOut(secret);
    const run = await runWatching(command, ["run", "--once", "--json", "--config", g.config], () => {});
    assert.equal(run.code, 1, run.stderr);
    assert.deepEqual(run.stderr.match(/^retrying: .*$/gm)?.map((l) => l.replace(/ in \d+ ms/, "").replace(/: cannot read.*/, "")), [
      "retrying: pages/secret.md (attempt 1 failed)",
      "retrying: pages/secret.md (attempt 2 failed)",
    ]);
    const summary = JSON.parse(run.stdout) as SyncSummary;
    assert.deepEqual({ indexed: summary.indexed, failed: summary.failed }, { indexed: 1, failed: 1 });
    assert.match(summary.problems[0]?.reason ?? "", /^cannot read: EACCES .* \(3 attempts\)$/);
    await giveBack(g.root);
    const rows = await queryRows(g.database, "SELECT path, status, error FROM files ORDER BY path");
    assert.deepEqual(rows.map((r) => [r["path"], r["status"]]), [["pages/open.md", "indexed"], ["pages/secret.md", "failed"]]);
    assert.match(String(rows[1]?.["error"]), /^cannot read: EACCES .* \(3 attempts\)$/);
  } finally {
    await giveBack(g.root);
    await g.cleanup();
  }
});

test("service: a file unreadable at catch-up is retried and indexed once readable, with no failed row on the way", async () => {
  const g = await tempGraph(FILES, { logLevel: "debug", strategy: "realtime", retry: { maxAttempts: 20, initialDelayMs: 100, maxDelayMs: 300 } });
  const secret = join(g.graph, "pages/secret.md");
  const command = unprivilegedCli(g.root);
  await lockOut(secret);
  let retries = 0;
  let unlocked: Promise<void> | undefined;
  let stop: (() => void) | undefined;
  const run = runWatching(command, ["run", "--config", g.config], async (line) => {
    if (line.startsWith("retrying: pages/secret.md") && ++retries === 2) unlocked = letIn(secret);
    // Indexed, or given up on: either way the assertions below say which, with the service's log.
    if (line.startsWith("indexed: pages/secret.md") || line.startsWith("failed: pages/secret.md")) stop?.();
  });
  try {
    // A service that ends early (or is killed at the harness's timeout) fails here with its log, not by hanging.
    await Promise.race([
      new Promise<void>((resolve) => (stop = resolve)),
      run.then((r) => assert.fail(`the service ended before pages/secret.md was indexed or failed (exit ${r.code}):\n${r.stderr}`)),
    ]);
    const pid = await servicePid(g.config);
    process.kill(pid, "SIGINT");
    const result = await run;
    await unlocked;
    assert.equal(result.code, 0, result.stderr);
    const order = result.stderr.split("\n").filter((l) => /^(indexed|retrying): /.test(l)).map((l) => l.replace(/ in \d+ ms.*| \(\d+ blocks\)/, ""));
    // In either order: both may share a batch.
    assert.deepEqual(order.filter((l) => l.startsWith("indexed")).sort(), ["indexed: pages/open.md", "indexed: pages/secret.md"]);
    assert.ok(retries >= 2, result.stderr);
    assert.doesNotMatch(result.stderr, /^failed: /m);
    await giveBack(g.root);
    await assertSameAsCleanSync(g);
  } finally {
    await giveBack(g.root);
    await g.cleanup();
  }
});

async function servicePid(config: string): Promise<number> {
  const r = await runCli(["status", "--json", "--config", config]);
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as { service: { pid: number } }).service.pid;
}
