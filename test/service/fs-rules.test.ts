import assert from "node:assert/strict";
import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { IndexStatus } from "../../src/index/status.ts";
import { queryRows } from "../support/db.ts";
import { assertSameIndex } from "../support/index-tables.ts";
import { expectHits, makeSandbox, pollUntil, runCli, ServiceProcess, status, writePage, type Sandbox } from "./service-harness.ts";

const LINK_REASON = "symbolic link, not followed";
const NAME_REASON = "file name is not valid UTF-8: rename it to index it";

/** The new-folder scan and its follow-up: after this long, a folder event has been acted on. */
const FOLDER_SCANS_DONE_MS = 2_500;

async function problems(sandbox: Sandbox): Promise<IndexStatus["problems"]> {
  return ((await status(sandbox)) as unknown as IndexStatus).problems;
}

/** Every queue and scan of the running service is empty. */
async function serviceIdle(sandbox: Sandbox): Promise<boolean> {
  const s = (await status(sandbox)).service as Record<string, number> | undefined;
  return s !== undefined && s["queued"] === 0 && s["inFlight"] === 0 && s["scans"] === 0 && s["heldDeletes"] === 0;
}

/** Stops the service, then indexes the same graph with `run --once` into a fresh database: both must hold the same tables. Returns the files rows. */
async function expectSameAsOnce(sandbox: Sandbox, service: ServiceProcess): Promise<Record<string, unknown>[]> {
  assert.equal(await service.stop(), 0, service.stderr);
  const onceConfig = join(sandbox.dir, "once.json");
  await writeFile(onceConfig, JSON.stringify({ graph: sandbox.graph, database: "once.duckdb", logLevel: "warn" }));
  const once = await runCli(["run", "--once", "--config", onceConfig]);
  assert.ok(once.code === 0 || once.code === 1, once.stderr);
  await assertSameIndex(sandbox.database, join(sandbox.dir, "once.duckdb"), "the service's index");
  return queryRows(sandbox.database, "SELECT path, status, error FROM files ORDER BY path");
}

function rawName(folder: string, before: string, after: string): Buffer {
  return Buffer.concat([Buffer.from(join(folder, before)), Buffer.from([0xff]), Buffer.from(after)]);
}

describe("service: one rule for symbolic links and odd names, as in run --once", () => {
  it("links created while the service runs are not followed; the index equals run --once's", async () => {
    const sandbox = await makeSandbox({ strategy: "realtime" });
    const outside = await mkdtemp(join(tmpdir(), "sync-svc-outside-"));
    const service = new ServiceProcess(sandbox.configPath);
    try {
      await writePage(sandbox, "pages/a.md", "- inside alpha\n");
      await writePage(sandbox, "journals/2024_01_01.md", "- a journal day\n");
      await mkdir(join(outside, "pages"));
      await writeFile(join(outside, "out.md"), "- outside omega\n");
      await writeFile(join(outside, "pages", "deep.md"), "- outside deep omega\n");
      await service.ready();

      await symlink(join(sandbox.graph, "pages/a.md"), join(sandbox.graph, "pages/link-in.md"));
      await symlink(join(outside, "out.md"), join(sandbox.graph, "pages/link-out.md"));
      await symlink(join(outside, "missing.md"), join(sandbox.graph, "pages/dangling.md"));
      await symlink(outside, join(sandbox.graph, "pages/outside"));
      await symlink("..", join(sandbox.graph, "journals/loop"));
      const linkedAt = Date.now();
      await pollUntil(async () => (await problems(sandbox)).length === 3, "three link rows", 30_000);
      await pollUntil(async () => Date.now() - linkedAt > FOLDER_SCANS_DONE_MS && (await serviceIdle(sandbox)), "service idle", 30_000);

      const files = await expectSameAsOnce(sandbox, service);
      assert.deepEqual(files.map((f) => [f["path"], f["status"], f["error"]]), [
        ["journals/2024_01_01.md", "indexed", null],
        ["pages/a.md", "indexed", null],
        ["pages/dangling.md", "skipped", LINK_REASON],
        ["pages/link-in.md", "skipped", LINK_REASON],
        ["pages/link-out.md", "skipped", LINK_REASON],
      ]);
    } finally {
      service.kill();
      await sandbox.cleanup();
      await rm(outside, { recursive: true, force: true });
    }
  });

  it("a graph path that is a symbolic link: the service starts and sees a new page", async () => {
    const sandbox = await makeSandbox({ strategy: "realtime", graph: "linked-graph" });
    await symlink(sandbox.graph, join(sandbox.dir, "linked-graph"));
    const service = new ServiceProcess(sandbox.configPath);
    try {
      await service.ready();
      await writePage(sandbox, "pages/new.md", "- quillwort arrives\n");
      await expectHits(sandbox, "quillwort", ["pages/new.md"]);
      await mkdir(join(sandbox.graph, "pages/sub/deeper"), { recursive: true });
      await writeFile(join(sandbox.graph, "pages/sub/deeper/nested.md"), "- quillwort nested\n");
      await expectHits(sandbox, "quillwort", ["pages/new.md", "pages/sub/deeper/nested.md"]);
      assert.equal(await service.stop(), 0, service.stderr);
    } finally {
      service.kill();
      await sandbox.cleanup();
    }
  });

  it("renaming a page to a name that is not valid UTF-8 records it as skipped, as run --once does", async () => {
    const sandbox = await makeSandbox({ strategy: "realtime" });
    const service = new ServiceProcess(sandbox.configPath);
    try {
      await writePage(sandbox, "pages/good.md", "- goodname content\n");
      await writePage(sandbox, "pages/stays.md", "- stays content\n");
      await service.ready();
      await rename(join(sandbox.graph, "pages/good.md"), rawName(join(sandbox.graph, "pages"), "bad", ".md"));
      await mkdir(rawName(join(sandbox.graph, "pages"), "dir", ""));
      await writeFile(Buffer.concat([rawName(join(sandbox.graph, "pages"), "dir", ""), Buffer.from("/inner.md")]), "- inner\n");
      const described = async () => (await problems(sandbox)).map((p) => `${p.path}: ${p.status}: ${p.error}`).sort();
      await pollUntil(async () => (await described()).length === 2, "two skipped rows", 30_000);
      assert.deepEqual(await described(), [`pages/bad\uFFFD.md: skipped: ${NAME_REASON}`, `pages/dir\uFFFD/inner.md: skipped: ${NAME_REASON}`]);
      await pollUntil(() => serviceIdle(sandbox), "service idle", 30_000);
      const files = await expectSameAsOnce(sandbox, service);
      assert.deepEqual(files.map((f) => f["path"]), ["pages/bad\uFFFD.md", "pages/dir\uFFFD/inner.md", "pages/stays.md"]);
    } finally {
      service.kill();
      await sandbox.cleanup();
    }
  });
});
