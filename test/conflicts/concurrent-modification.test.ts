import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { runCli } from "../support/cli.ts";
import { assertSameAsCleanSync } from "../support/index-invariants.ts";
import { askService, expectHits, hitPaths, makeSandbox, pollUntil, ServiceProcess, serviceSettled, status, writePage, type Sandbox } from "../service/service-harness.ts";
import { conflictRows, type ConflictRow } from "./conflict-rows.ts";

/** A 200,000-block page (3.2 MB): parsing it keeps its sync in flight for most of a second. */
const page = (word: string) => Array.from({ length: 200_000 }, (_, i) => `- ${word} ${String(i).padStart(6, "0")}\n`).join("");
const BRAVO = "- bravo, saved while alpha was read\n";

async function sandboxWith(strategy: string): Promise<Sandbox> {
  return makeSandbox({
    logLevel: "warn",
    debounce: { markdownMs: 50, largeFileMs: 50, maxWaitMs: 200 },
    conflicts: { concurrentModification: { strategy } },
  });
}

/** Saves pages/big.md atomically (written aside, renamed over): one change, never half-written. */
async function save(sandbox: Sandbox, text: string): Promise<void> {
  await writeFile(join(sandbox.dir, "next.md"), text);
  await rename(join(sandbox.dir, "next.md"), join(sandbox.graph, "pages/big.md"));
}

/**
 * Saves version "alpha", and once its sync is reading it, version "bravo":
 * a change written while a sync of the path reads it, settling (50 ms
 * debounce) long before that read's parse is over. Only such a change is a
 * concurrentModification; the late events of a write the read already saw
 * are not (`read-overtaken.test.ts`).
 */
async function bravoDuringAlphaRead(sandbox: Sandbox): Promise<void> {
  await save(sandbox, page("alpha"));
  const deadline = Date.now() + 30_000;
  while (((await status(sandbox)).service?.["inFlight"] ?? 0) === 0) {
    assert.ok(Date.now() < deadline, "alpha's sync never came in flight");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  // Past the hop to the hashing thread: alpha's bytes are read, its parse has begun.
  await new Promise((resolve) => setTimeout(resolve, 40));
  await save(sandbox, BRAVO);
}

const concurrent = (rows: ConflictRow[]) => rows.filter((r) => r.type === "concurrentModification");
const cleanSync = (sandbox: Sandbox) => assertSameAsCleanSync({ root: sandbox.dir, config: sandbox.configPath, database: sandbox.database });

test("concurrentModification under filesystem: a change written while a sync reads is recorded once, applied: the newest version is indexed after the one in flight", async () => {
  const sandbox = await sandboxWith("filesystem");
  await writePage(sandbox, "pages/a.md", "- small\n");
  const service = new ServiceProcess(sandbox.configPath);
  try {
    await service.ready();
    await bravoDuringAlphaRead(sandbox);
    await expectHits(sandbox, "bravo", ["pages/big.md"], 60_000);
    await serviceSettled(sandbox);
    // bravo settled while alpha's sync was reading: one concurrentModification, applied; alpha's read, no longer
    // the file, is recorded as modifiedDuringSync and read again (bravo). Nothing for bravo's own late events.
    const rows = await conflictRows(sandbox.configPath);
    const decided = { paths: ["pages/big.md"], strategy: "filesystem", status: "resolved", resolution: "filesystem" };
    assert.deepEqual(rows.map(({ details, ...row }) => ({ ...row, details: Object.keys(details) })), [
      { id: 1, type: "concurrentModification", details: ["changedAt"], ...decided },
      { id: 2, type: "modifiedDuringSync", details: ["read"], ...decided },
    ]);
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
    await bravoDuringAlphaRead(sandbox);
    let rows: ConflictRow[] = [];
    await pollUntil(async () => (rows = await conflictRows(sandbox.configPath)).length > 0, "a conflict", 30_000);
    const open = { id: 1, type: "concurrentModification", paths: ["pages/big.md"], details: { changedAt: rows[0]?.details["changedAt"] }, strategy: "manual" };
    assert.deepEqual(rows, [{ ...open, status: "open", resolution: null }]);
    await askService(sandbox.configPath, "resolve", { id: 1, strategy: "filesystem" });
    // The decision's sync reads bravo and writes it. Neither the read it overtook (alpha, maybe still being
    // parsed) is recorded as modifiedDuringSync, nor do bravo's late events (watcher hold, debounce) open a
    // second conflict: they settle after the decision, but bravo was written before its sync began to read.
    await expectHits(sandbox, "bravo", ["pages/big.md"], 60_000);
    await serviceSettled(sandbox);
    assert.deepEqual(await conflictRows(sandbox.configPath), [{ ...open, status: "resolved", resolution: "filesystem" }]);
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
    await bravoDuringAlphaRead(sandbox);
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
    await bravoDuringAlphaRead(sandbox);
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
    await bravoDuringAlphaRead(sandbox);
    let rows: ConflictRow[] = [];
    await pollUntil(async () => concurrent((rows = await conflictRows(sandbox.configPath))).length > 0, "a concurrentModification row", 30_000);
    // Recorded once bravo's save settled, so the bytes on disk then are bravo's, whole.
    const bravo = createHash("sha256").update(BRAVO).digest("hex");
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
