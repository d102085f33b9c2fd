import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { chmod, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import type { ServiceStatus } from "../../src/control/control-api.ts";
import { controlSocketPath } from "../../src/control/control-socket-path.ts";
import type { SyncStatusResponse } from "../../src/pipeline/sync-status-model.ts";
import { assertSameAsCleanSync } from "../support/index-invariants.ts";
import { hitPaths, makeSandbox, pollUntil, runCli, ServiceProcess, status as serviceStatus, writePage } from "./service-harness.ts";

type Status = ServiceStatus & { sync: SyncStatusResponse };

async function status(configPath: string): Promise<Status> {
  return (await serviceStatus({ configPath })) as unknown as Status;
}

const EDITS = 500;

test("pause during a burst of 500 edits: nothing is written; resume applies every change", async (t) => {
  const sandbox = await makeSandbox({ logLevel: "warn" });
  t.after(() => sandbox.cleanup());
  // 200 files to modify, 100 to delete, 100 to move; plus 100 new ones below: 500 edits.
  for (let i = 0; i < 400; i++) await writePage(sandbox, `pages/p${i}.md`, `- page ${i} originalword\n`);
  const service = new ServiceProcess(sandbox.configPath);
  t.after(() => service.kill());
  await service.ready();
  await pollUntil(async () => (await status(sandbox.configPath)).sync.state === "idle", "idle", 30_000);
  const before = await status(sandbox.configPath);
  assert.equal(before.files, 400);

  const paused = await runCli(["pause", "--json", "--config", sandbox.configPath]);
  assert.equal(paused.code, 0, paused.stderr);
  assert.equal((JSON.parse(paused.stdout) as { paused: boolean }).paused, true);

  for (let i = 0; i < 200; i++) await writePage(sandbox, `pages/p${i}.md`, `- page ${i} editedword\n`);
  for (let i = 200; i < 300; i++) await rm(join(sandbox.graph, `pages/p${i}.md`));
  for (let i = 300; i < 400; i++) await rename(join(sandbox.graph, `pages/p${i}.md`), join(sandbox.graph, `journals/moved${i}.md`));
  for (let i = 0; i < 100; i++) await writePage(sandbox, `pages/new${i}.md`, `- new page ${i} freshword\n`);

  // Every edit settles into the paused queue, one task per path: 200 updates; 100 new files and
  // 100 move targets to create; 100 deletes and 100 move sources to delete (paired into moves on resume).
  const expected = { create: 200, update: 200, delete: 200, inFlight: 0, settling: 0, heldDeletes: 0, dirtyFolders: 0, scans: 0, batched: 0 };
  let during: Status | undefined;
  try {
    await pollUntil(async () => {
      during = await status(sandbox.configPath);
      return JSON.stringify(sortKeys(during.sync.pending)) === JSON.stringify(sortKeys(expected));
    }, `the ${EDITS} edits collected while paused`, 60_000);
  } catch (error) {
    assert.deepEqual(during?.sync.pending, expected, (error as Error).message);
  }
  assert.ok(during);
  assert.equal(during.sync.state, "paused");
  // The index is exactly as before the pause.
  assert.equal(during.files, before.files);
  assert.equal(during.blocks, before.blocks);
  assert.deepEqual(during.sync.totals, before.sync.totals);
  assert.equal((await hitPaths(sandbox, "editedword")).length, 0);
  assert.equal((await hitPaths(sandbox, "freshword")).length, 0);
  assert.equal((await hitPaths(sandbox, "originalword")).length, 400);

  const resumed = await runCli(["resume", "--config", sandbox.configPath]);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stdout, /^Resumed: applying \d+ pending changes\.$/m);
  await pollUntil(async () => (await status(sandbox.configPath)).sync.state === "idle", "idle after resume", 120_000);
  const after = await status(sandbox.configPath);
  assert.equal(after.files, 400);
  assert.deepEqual(
    { ...after.sync.totals, batches: 0 },
    { ...before.sync.totals, created: before.sync.totals.created + 100, updated: 200, deleted: 100, renamed: 100, batches: 0 },
  );
  assert.equal(await service.stop(), 0, service.stderr);
  await assertSameAsCleanSync({ root: sandbox.dir, config: sandbox.configPath, database: sandbox.database });
});

test("pause and resume answer as text; with no service they exit 3", async (t) => {
  const sandbox = await makeSandbox({ logLevel: "warn" });
  t.after(() => sandbox.cleanup());
  const none = await runCli(["pause", "--config", sandbox.configPath]);
  assert.deepEqual([none.code, none.stdout], [3, ""]);
  assert.match(none.stderr, /^sync-pipeline: no service is running for .*index\.duckdb; nothing to pause$/m);
  const service = new ServiceProcess(sandbox.configPath);
  t.after(() => service.kill());
  await service.ready();
  const paused = await runCli(["pause", "--config", sandbox.configPath]);
  assert.equal(paused.stdout, "Paused: nothing is written until `sync-pipeline resume`; changes are still collected (0 pending now).\n");
  assert.equal((await status(sandbox.configPath)).sync.state, "paused");
  const text = await runCli(["status", "--config", sandbox.configPath]);
  assert.match(text.stdout, /^State: {2}paused — paused \(changes are collected, nothing is written; `resume` applies them\)$/m);
  // Stopping a paused service applies what it collected and exits cleanly.
  await writePage(sandbox, "pages/late.md", "- written while paused lateword\n");
  await pollUntil(async () => (await status(sandbox.configPath)).sync.pending.create === 1, "the edit queued", 10_000);
  assert.equal(await service.stop("SIGTERM"), 0, service.stderr);
  assert.deepEqual(await hitPaths(sandbox, "lateword"), ["pages/late.md"]);
});

function sortKeys(o: object): [string, unknown][] {
  return Object.entries(o).sort(([a], [b]) => a.localeCompare(b));
}

/** Runs `node -e script` as uid/gid 65534 (nobody) with no supplementary groups. */
function asNobody(script: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, "-e", script, ...args], {
    cwd: "/",
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
  child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
}

test("another user cannot reach the control socket, so cannot pause or resume", { skip: process.getuid?.() !== 0 && "needs root to run as another uid" }, async (t) => {
  const sandbox = await makeSandbox({ logLevel: "warn" });
  t.after(() => sandbox.cleanup());
  const service = new ServiceProcess(sandbox.configPath);
  t.after(() => service.kill());
  await service.ready();
  const socket = controlSocketPath(sandbox.database);
  const tryPause = `const c = require("net").connect(process.argv[1]);
    c.on("connect", () => { c.write(JSON.stringify({ id: 1, method: "pause" }) + "\\n"); });
    c.on("data", (d) => { console.log("answered " + d); process.exit(0); });
    c.on("error", (e) => { console.log(e.code); process.exit(0); });`;
  // The sandbox folder is private (0700, mkdtemp): another user cannot even reach the socket's path.
  assert.deepEqual(await asNobody(tryPause, [socket]), { code: 0, stdout: "EACCES\n", stderr: "" });
  // Even with every folder on the way open, the socket itself (0600) refuses another user.
  await chmod(sandbox.dir, 0o755);
  assert.deepEqual(await asNobody(tryPause, [socket]), { code: 0, stdout: "EACCES\n", stderr: "" });
  assert.equal((await status(sandbox.configPath)).sync.state, "idle");
  assert.equal(await service.stop(), 0, service.stderr);
});
