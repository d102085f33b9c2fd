import assert from "node:assert/strict";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { assertSameAsCleanSync } from "../support/index-invariants.ts";
import { expectHits, hitPaths, makeSandbox, pollUntil, ServiceProcess, status, writePage, type Sandbox } from "./service-harness.ts";

/** The watcher misses many files created inside freshly created nested folders; the service must scan them. */
describe("service: new nested folders", () => {
  let sandbox: Sandbox;
  let service: ServiceProcess;

  before(async () => {
    sandbox = await makeSandbox({ strategy: "realtime" });
    service = new ServiceProcess(sandbox.configPath);
    await service.ready();
  });

  after(async () => {
    service?.kill();
    await sandbox?.cleanup();
  });

  it("indexes all of 500 files written into new nested folders", async () => {
    const expected: string[] = [];
    for (let a = 0; a < 5; a++) {
      for (let b = 0; b < 5; b++) {
        const folder = join(sandbox.graph, "pages", `area${a}`, `topic${b}`, "deep");
        await mkdir(folder, { recursive: true });
        for (let i = 0; i < 20; i++) {
          await writeFile(join(folder, `note${i}.md`), `- nested note larkspindle ${a}-${b}-${i}\n`);
          expected.push(`pages/area${a}/topic${b}/deep/note${i}.md`);
        }
      }
    }
    assert.equal(expected.length, 500);
    // Realtime strategy: no periodic scan may paper over a missed file.
    await pollUntil(async () => (await status(sandbox)).files === 500, "500 files indexed", 30_000);
    await expectHits(sandbox, "larkspindle", expected);
  });

  it("delete then recreate a whole folder", async () => {
    await rm(join(sandbox.graph, "pages", "area0"), { recursive: true });
    await pollUntil(async () => (await status(sandbox)).files === 400, "area0 removed", 30_000);
    const expected: string[] = [];
    for (let b = 0; b < 3; b++) {
      for (let i = 0; i < 10; i++) {
        const rel = `pages/area0/topic${b}/again/note${i}.md`;
        await writePage(sandbox, rel, `- recreated mossfarthing ${b}-${i}\n`);
        expected.push(rel);
      }
    }
    await expectHits(sandbox, "mossfarthing", expected, 30_000);
    await pollUntil(async () => (await status(sandbox)).files === 430, "430 files", 30_000);
    assert.equal((await hitPaths(sandbox, "larkspindle")).filter((p) => p.startsWith("pages/area0/")).length, 0);
  });

  it("a folder moved out of the graph drops its files; moved back in, they return", async () => {
    const outside = join(sandbox.dir, "parked");
    await rename(join(sandbox.graph, "pages", "area1"), outside);
    await pollUntil(async () => (await status(sandbox)).files === 330, "area1 gone", 30_000);
    await rename(outside, join(sandbox.graph, "pages", "area1"));
    await pollUntil(async () => (await status(sandbox)).files === 430, "area1 back", 30_000);
  });

  it("exits 0 on SIGTERM, leaving a sound index", async () => {
    assert.equal(await service.stop("SIGTERM"), 0);
    // Every noteN.md names the same page "noteN": clashes grew and shrank with each step above,
    // and each file's warning must still list exactly the others, as a clean sync writes it.
    await assertSameAsCleanSync({ root: sandbox.dir, config: sandbox.configPath, database: sandbox.database });
  });
});
