import { test } from "node:test";
import assert from "node:assert/strict";
import { stat, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { runCli } from "../support/cli.ts";
import { assertSameAsCleanSync } from "../support/index-invariants.ts";
import { expectHits, makeSandbox, pollUntil, ServiceProcess, status, writePage, type Sandbox } from "../service/service-harness.ts";
import { conflictRows, type ConflictRow } from "./conflict-rows.ts";

/**
 * A sandbox whose pages/a.md was indexed as "original", then overwritten
 * with bytes of the same size and given back its mtime while no service
 * ran: only a checksum pass can see it (index corruption).
 */
async function tamperedSandbox(strategy: string, options: { aheadMs?: number } = {}): Promise<Sandbox> {
  const sandbox = await makeSandbox({
    strategy: "hybrid",
    // Only the checksum pass records syncs often: `lastSyncAt` then counts checksum passes.
    verify: { checksumIntervalMs: 1000, scanIntervalMs: 3_600_000 },
    conflicts: { indexCorruption: { strategy } },
  });
  await writePage(sandbox, "pages/a.md", "- original words here\n");
  // A file from a clock ahead of ours: its mtime is later than the time its row is indexed.
  if (options.aheadMs !== undefined) {
    const ahead = (Math.trunc(Date.now() + options.aheadMs) + 0.5) / 1000;
    await utimes(join(sandbox.graph, "pages/a.md"), ahead, ahead);
  }
  await writePage(sandbox, "pages/b.md", "- other page\n");
  const first = await runCli(["run", "--once", "--config", sandbox.configPath]);
  assert.equal(first.code, 0, first.stderr);
  const path = join(sandbox.graph, "pages/a.md");
  const before = await stat(path);
  await writeFile(path, "- tampered words here\n");
  // Mid-millisecond: seconds as a double, or a Date, can round to the next or previous millisecond.
  await utimes(path, before.atimeMs / 1000, (Math.trunc(before.mtimeMs) + 0.5) / 1000);
  assert.equal(Math.trunc((await stat(path)).mtimeMs), Math.trunc(before.mtimeMs), "mtime restored to the millisecond");
  return sandbox;
}

async function rows(sandbox: Sandbox, all = true): Promise<ConflictRow[]> {
  return conflictRows(sandbox.configPath, { all });
}

async function firstConflict(sandbox: Sandbox): Promise<ConflictRow> {
  let found: ConflictRow[] = [];
  await pollUntil(async () => (found = await rows(sandbox)).length > 0, "a conflict", 60_000);
  assert.equal(found.length, 1, JSON.stringify(found));
  const row = found[0] as ConflictRow;
  const d = row.details as { size: number; mtime: number; indexedChecksum: string; diskChecksum: string; key: string };
  assert.deepEqual(row.details, { size: 22, mtime: d.mtime, indexedChecksum: d.indexedChecksum, diskChecksum: d.diskChecksum, key: d.diskChecksum });
  assert.notEqual(d.indexedChecksum, d.diskChecksum);
  return row;
}

/** Waits until two more checksum passes have finished (each records a sync), so a repeat would have been seen. */
async function twoMorePasses(sandbox: Sandbox): Promise<void> {
  const seen = new Set([(await status(sandbox))["lastSyncAt"]]);
  await pollUntil(async () => seen.add((await status(sandbox))["lastSyncAt"]).size >= 3, "two more checksum passes", 60_000);
}

const cleanSync = (sandbox: Sandbox) => assertSameAsCleanSync({ root: sandbox.dir, config: sandbox.configPath, database: sandbox.database });

test("indexCorruption under filesystem: the checksum pass records it, applied: the file is re-indexed", async () => {
  const sandbox = await tamperedSandbox("filesystem");
  const service = new ServiceProcess(sandbox.configPath);
  try {
    await service.ready();
    await expectHits(sandbox, "original", ["pages/a.md"]);
    const row = await firstConflict(sandbox);
    assert.deepEqual({ ...row, details: {} }, {
      id: 1, type: "indexCorruption", paths: ["pages/a.md"], details: {}, strategy: "filesystem", status: "resolved", resolution: "filesystem",
    });
    await expectHits(sandbox, "tampered", ["pages/a.md"]);
    await expectHits(sandbox, "original", []);
    await twoMorePasses(sandbox);
    assert.equal((await rows(sandbox)).length, 1, "the re-indexed file is no longer in conflict");
    assert.equal(await service.stop(), 0);
    assert.match(service.stderr, /^conflict: #1 indexCorruption: pages\/a\.md \(applied filesystem\)$/m);
    await cleanSync(sandbox);
  } finally {
    service.kill();
    await sandbox.cleanup();
  }
});

test("indexCorruption under index: the indexed content is kept, and the same bytes are not recorded again by later passes", async () => {
  const sandbox = await tamperedSandbox("index");
  const service = new ServiceProcess(sandbox.configPath);
  try {
    await service.ready();
    const row = await firstConflict(sandbox);
    assert.deepEqual({ ...row, details: {} }, {
      id: 1, type: "indexCorruption", paths: ["pages/a.md"], details: {}, strategy: "index", status: "resolved", resolution: "index",
    });
    await twoMorePasses(sandbox);
    assert.deepEqual(await rows(sandbox), [row]);
    await expectHits(sandbox, "original", ["pages/a.md"]);
    await expectHits(sandbox, "tampered", []);
    assert.equal(await service.stop(), 0);
  } finally {
    service.kill();
    await sandbox.cleanup();
  }
});

test("indexCorruption under manual: held open across passes; resolve --strategy filesystem through the service re-indexes the file at once", async () => {
  const sandbox = await tamperedSandbox("manual");
  const service = new ServiceProcess(sandbox.configPath);
  try {
    await service.ready();
    const row = await firstConflict(sandbox);
    assert.deepEqual({ ...row, details: {} }, {
      id: 1, type: "indexCorruption", paths: ["pages/a.md"], details: {}, strategy: "manual", status: "open", resolution: null,
    });
    await twoMorePasses(sandbox);
    assert.deepEqual(await rows(sandbox, false), [row], "still one open conflict");
    await expectHits(sandbox, "original", ["pages/a.md"]);

    const resolved = await runCli(["resolve", "1", "--strategy", "filesystem", "--config", sandbox.configPath]);
    assert.equal(resolved.code, 0, resolved.stderr);
    assert.equal(resolved.stdout, "Resolved #1 (indexCorruption: pages/a.md) with filesystem: the file's content is being synced now.\n");
    await expectHits(sandbox, "tampered", ["pages/a.md"]);
    await twoMorePasses(sandbox);
    assert.deepEqual(await rows(sandbox), [{ ...row, status: "resolved", resolution: "filesystem" }]);
    assert.deepEqual(await rows(sandbox, false), []);
    const again = await runCli(["resolve", "1", "--strategy", "index", "--config", sandbox.configPath]);
    assert.deepEqual({ code: again.code, stderr: again.stderr }, { code: 2, stderr: "sync-pipeline: conflict 1 is already resolved (filesystem)\n" });
    assert.equal(await service.stop(), 0);
    await cleanSync(sandbox);
  } finally {
    service.kill();
    await sandbox.cleanup();
  }
});

test("indexCorruption under timestamp: an mtime older than the indexed row keeps the index; one later than it (a clock ahead) re-indexes the file", async () => {
  for (const [aheadMs, side, expected] of [[undefined, "index", "original"], [86_400_000, "filesystem", "tampered"]] as const) {
    const sandbox = await tamperedSandbox("timestamp", aheadMs === undefined ? {} : { aheadMs });
    const service = new ServiceProcess(sandbox.configPath);
    try {
      await service.ready();
      const row = await firstConflict(sandbox);
      assert.deepEqual({ ...row, details: {} }, {
        id: 1, type: "indexCorruption", paths: ["pages/a.md"], details: {}, strategy: "timestamp", status: "resolved", resolution: side,
      });
      await twoMorePasses(sandbox);
      assert.deepEqual(await rows(sandbox), [row], "decided once: the same bytes are not recorded again");
      await expectHits(sandbox, expected, ["pages/a.md"]);
      await expectHits(sandbox, expected === "original" ? "tampered" : "original", []);
      assert.equal(await service.stop(), 0);
      assert.match(service.stderr, new RegExp(`^conflict: #1 indexCorruption: pages/a\\.md \\(applied timestamp \\(${side}\\)\\)$`, "m"));
      if (side === "filesystem") await cleanSync(sandbox);
    } finally {
      service.kill();
      await sandbox.cleanup();
    }
  }
});
