import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { runCli } from "../support/cli.ts";
import { assertSameAsCleanSync } from "../support/index-invariants.ts";
import { askService, expectHits, hitPaths, makeSandbox, pollUntil, ServiceProcess, serviceSettled, writePage, type Sandbox } from "../service/service-harness.ts";
import { conflictRows, type ConflictRow } from "./conflict-rows.ts";

/** An 8 MB page: reading and parsing it keeps its task in flight well past a second write 200 ms later. */
const page = (word: string) => Array.from({ length: 8000 }, (_, i) => `- ${word} ${String(i).padStart(6, "0")} ${"x".repeat(1000)}\n`).join("");

async function sandboxWith(strategy: string): Promise<Sandbox> {
  return makeSandbox({
    logLevel: "warn",
    debounce: { markdownMs: 50, largeFileMs: 50, maxWaitMs: 200 },
    conflicts: { concurrentModification: { strategy } },
  });
}

/** Writes version "alpha", then 200 ms later (its task now reading or parsing it) version "bravo". */
async function twoQuickVersions(sandbox: Sandbox): Promise<void> {
  await writePage(sandbox, "pages/big.md", page("alpha"));
  await new Promise((resolve) => setTimeout(resolve, 200));
  await writePage(sandbox, "pages/big.md", page("bravo"));
}

/** As twoQuickVersions, each version saved atomically (written aside, renamed over): one change each, never half-written. */
async function twoQuickSaves(sandbox: Sandbox): Promise<void> {
  for (const word of ["alpha", "bravo"]) {
    await writeFile(join(sandbox.dir, "next.md"), page(word));
    await rename(join(sandbox.dir, "next.md"), join(sandbox.graph, "pages/big.md"));
    if (word === "alpha") await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const concurrent = (rows: ConflictRow[]) => rows.filter((r) => r.type === "concurrentModification");
const cleanSync = (sandbox: Sandbox) => assertSameAsCleanSync({ root: sandbox.dir, config: sandbox.configPath, database: sandbox.database });

test("concurrentModification under filesystem: recorded once per overtaken sync, applied: the newest version is indexed after the one in flight", async () => {
  const sandbox = await sandboxWith("filesystem");
  await writePage(sandbox, "pages/a.md", "- small\n");
  const service = new ServiceProcess(sandbox.configPath);
  try {
    await service.ready();
    await twoQuickVersions(sandbox);
    await expectHits(sandbox, "bravo", ["pages/big.md"], 60_000);
    let rows: ConflictRow[] = [];
    await pollUntil(async () => concurrent((rows = await conflictRows(sandbox.configPath))).length > 0, "a concurrentModification row", 30_000);
    // How many syncs the writes overtook depends on the machine (an 8 MB write is seen as several changes):
    // at least one, each recorded once, applied; a read overtaken is also modifiedDuringSync.
    rows.forEach((row, i) => {
      assert.deepEqual(row, {
        id: i + 1, type: row.type, paths: ["pages/big.md"], details: row.details, strategy: "filesystem", status: "resolved", resolution: "filesystem",
      });
      if (row.type === "concurrentModification") assert.deepEqual(Object.keys(row.details), ["changedAt"]);
      else assert.equal(row.type, "modifiedDuringSync");
    });
    assert.equal(await service.stop(), 0);
    await cleanSync(sandbox);
  } finally {
    service.kill();
    await sandbox.cleanup();
  }
});

test("concurrentModification under manual, resolved filesystem at once, while the read it overtook may still be in flight: that read is dropped, not recorded again as modifiedDuringSync", async () => {
  const sandbox = await sandboxWith("manual");
  const service = new ServiceProcess(sandbox.configPath);
  try {
    await service.ready();
    await twoQuickVersions(sandbox);
    // Each open concurrentModification is resolved filesystem at once, by its id. Known defect (see the
    // 2026-11-30 note on issue #8): the events of bravo's write, arriving after a decision (watcher hold and
    // debounce), settle while the sync the decision started is in flight and open a second one, although
    // that sync reads bravo whole; and on a run where alpha's read ended before bravo settled, the first
    // row is alpha's modifiedDuringSync. The CI of 3895a3e failed on both (it resolved #1 only).
    let open: ConflictRow | undefined;
    const openOne = async () => (open = concurrent(await conflictRows(sandbox.configPath)).find((row) => row.status === "open")) !== undefined;
    await pollUntil(openOne, "an open concurrentModification", 30_000);
    for (let decisions = 0; decisions < 3 && open !== undefined; decisions++) {
      await askService(sandbox.configPath, "resolve", { id: open.id, strategy: "filesystem" });
      await pollUntil(async () => (await hitPaths(sandbox, "bravo")).length > 0 || (await openOne()), "bravo indexed or another open conflict", 60_000);
      if ((await hitPaths(sandbox, "bravo")).length > 0) open = undefined;
    }
    await expectHits(sandbox, "bravo", ["pages/big.md"], 60_000);
    await serviceSettled(sandbox);
    const rows = await conflictRows(sandbox.configPath);
    // Every row decided: concurrentModification by the resolves, modifiedDuringSync under filesystem; the read a
    // decision overtook is dropped, never recorded as modifiedDuringSync after it.
    const firstConcurrent = concurrent(rows)[0]?.id ?? 0;
    assert.ok(firstConcurrent > 0, JSON.stringify(rows));
    assert.deepEqual(rows.filter((row) => row.type === "modifiedDuringSync" && row.id > firstConcurrent), []);
    for (const row of rows) {
      assert.deepEqual([row.status, row.resolution], ["resolved", "filesystem"], JSON.stringify(row));
      assert.ok(row.type === "concurrentModification" || row.type === "modifiedDuringSync", row.type);
    }
    assert.equal(await service.stop(), 0);
    await cleanSync(sandbox);
  } finally {
    service.kill();
    await sandbox.cleanup();
  }
});

test("concurrentModification under manual: the path is held at once (neither read is written) until resolve --strategy filesystem through the service", async () => {
  const sandbox = await sandboxWith("manual");
  await writePage(sandbox, "pages/a.md", "- small\n");
  const service = new ServiceProcess(sandbox.configPath);
  try {
    await service.ready();
    await twoQuickVersions(sandbox);
    let rows: ConflictRow[] = [];
    await pollUntil(async () => (rows = await conflictRows(sandbox.configPath)).length > 0, "a conflict", 30_000);
    const [row] = rows;
    const open = {
      id: 1, type: "concurrentModification", paths: ["pages/big.md"], details: { changedAt: row?.details["changedAt"] },
      strategy: "manual", status: "open", resolution: null,
    };
    assert.deepEqual(rows, [open]);
    // Held: whatever is queued or in flight for it finishes without writing; edits of other pages go on.
    await writePage(sandbox, "pages/a.md", "- small, edited later\n");
    await expectHits(sandbox, "later", ["pages/a.md"]);
    await expectHits(sandbox, "alpha", []);
    await expectHits(sandbox, "bravo", []);
    assert.deepEqual(await conflictRows(sandbox.configPath), [open], "no second conflict for a held path");

    const resolved = await runCli(["resolve", "1", "--strategy", "filesystem", "--config", sandbox.configPath]);
    assert.equal(resolved.code, 0, resolved.stderr);
    await expectHits(sandbox, "bravo", ["pages/big.md"], 60_000);
    assert.deepEqual(await conflictRows(sandbox.configPath), [{ ...open, status: "resolved", resolution: "filesystem" }]);
    assert.equal(await service.stop(), 0);
    await cleanSync(sandbox);
  } finally {
    service.kill();
    await sandbox.cleanup();
  }
});

test("concurrentModification under manual, resolved index through the service: the bytes kept out stay out across a restart's catch-up; a later edit is applied", async () => {
  const sandbox = await sandboxWith("manual");
  await writePage(sandbox, "pages/a.md", "- small\n");
  let service = new ServiceProcess(sandbox.configPath);
  try {
    await service.ready();
    await twoQuickVersions(sandbox);
    await pollUntil(async () => (await conflictRows(sandbox.configPath)).length > 0, "a conflict", 30_000);
    // Written while the path is held, so never applied before the decision (whichever of alpha and bravo got in
    // before the conflict, under load): these are the bytes the decision keeps out.
    await writePage(sandbox, "pages/big.md", "- charlie kept out\n");
    await writePage(sandbox, "pages/a.md", "- small, edited later\n");
    await expectHits(sandbox, "later", ["pages/a.md"]);
    await expectHits(sandbox, "charlie", []);
    const resolved = await runCli(["resolve", "1", "--strategy", "index", "--config", sandbox.configPath]);
    assert.equal(resolved.code, 0, resolved.stderr);
    assert.equal(resolved.stdout, "Resolved #1 (concurrentModification: pages/big.md) with index: the indexed content is kept.\n");
    const [row] = await conflictRows(sandbox.configPath);
    assert.equal(typeof row?.details["kept"], "string", JSON.stringify(row));
    assert.deepEqual({ ...row, details: {} }, { id: 1, type: "concurrentModification", paths: ["pages/big.md"], details: {}, strategy: "manual", status: "resolved", resolution: "index" });
    const heldAtResolve = { alpha: await hitPaths(sandbox, "alpha"), bravo: await hitPaths(sandbox, "bravo") };
    assert.equal(await service.stop(), 0);

    // The restart's catch-up finds big.md unlike its row: the kept-out bytes are read and not applied.
    service = new ServiceProcess(sandbox.configPath);
    await service.ready();
    await expectHits(sandbox, "charlie", []);
    assert.deepEqual({ alpha: await hitPaths(sandbox, "alpha"), bravo: await hitPaths(sandbox, "bravo") }, heldAtResolve, "the index holds what it held at resolve");
    assert.equal((await conflictRows(sandbox.configPath)).length, 1, "nothing new recorded");
    await writePage(sandbox, "pages/big.md", "- delta\n");
    await expectHits(sandbox, "delta", ["pages/big.md"]);
    assert.equal(await service.stop(), 0);
    await cleanSync(sandbox);
  } finally {
    service.kill();
    await sandbox.cleanup();
  }
});

test("concurrentModification under index: recorded resolved (index) keeping out the bytes on disk at detection; they stay out across a restart's catch-up, no new conflict; a later edit is applied", async () => {
  const sandbox = await sandboxWith("index");
  await writePage(sandbox, "pages/a.md", "- small\n");
  await writePage(sandbox, "pages/big.md", "- original words\n");
  let service = new ServiceProcess(sandbox.configPath);
  try {
    await service.ready();
    await expectHits(sandbox, "original", ["pages/big.md"]);
    await twoQuickSaves(sandbox);
    let rows: ConflictRow[] = [];
    await pollUntil(async () => concurrent((rows = await conflictRows(sandbox.configPath))).length > 0, "a concurrentModification row", 30_000);
    // Recorded once bravo's save settled, so the bytes on disk then are bravo's, whole.
    const bravo = createHash("sha256").update(page("bravo")).digest("hex");
    const [row] = concurrent(rows);
    assert.deepEqual(row, {
      id: row?.id, type: "concurrentModification", paths: ["pages/big.md"], details: { changedAt: row?.details["changedAt"], kept: bravo },
      strategy: "index", status: "resolved", resolution: "index",
    });
    // An edit of another page, queued after big.md's tasks, as a barrier: bravo was read and kept out by then.
    await writePage(sandbox, "pages/a.md", "- small, edited later\n");
    await expectHits(sandbox, "later", ["pages/a.md"]);
    await expectHits(sandbox, "bravo", []);
    // Not a barrier for alpha's read: another consumer may still be reading it. Once it is done, it may have
    // been recorded as modifiedDuringSync (bravo overwrote what it read), before the rows are taken as recorded.
    await serviceSettled(sandbox);
    // The sync in flight (alpha) is applied only when it was written before the conflict was detected.
    const before = { original: await hitPaths(sandbox, "original"), alpha: await hitPaths(sandbox, "alpha") };
    assert.equal([...before.original, ...before.alpha].join(), "pages/big.md", JSON.stringify(before));
    const recorded = await conflictRows(sandbox.configPath);
    assert.equal(await service.stop(), 0);

    // The restart's catch-up finds big.md unlike its row: bravo is read again and not applied, nothing recorded.
    service = new ServiceProcess(sandbox.configPath);
    await service.ready();
    assert.doesNotMatch(service.stderr, /conflict:/);
    await expectHits(sandbox, "bravo", []);
    assert.deepEqual({ original: await hitPaths(sandbox, "original"), alpha: await hitPaths(sandbox, "alpha") }, before);
    assert.deepEqual(await conflictRows(sandbox.configPath), recorded);
    // A later edit: once the catch-up's read of big.md is over (an edit during it would be a concurrent one).
    await serviceSettled(sandbox);
    await writePage(sandbox, "pages/big.md", "- delta\n");
    await expectHits(sandbox, "delta", ["pages/big.md"]);
    assert.deepEqual(await conflictRows(sandbox.configPath), recorded, "a later edit is no conflict");
    assert.equal(await service.stop(), 0);
    await cleanSync(sandbox);
  } finally {
    service.kill();
    await sandbox.cleanup();
  }
});
