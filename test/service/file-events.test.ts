import assert from "node:assert/strict";
import { rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { expectHits, makeSandbox, pollUntil, search, ServiceProcess, status, writePage, type Sandbox } from "./service-harness.ts";

type Hit = { path: string; blockId: string };

/** Block ids of the hits, by (mapped) path. */
function idsByPage(hits: Hit[], key: (path: string) => string): Record<string, string[]> {
  const ids: Record<string, string[]> = {};
  for (const hit of hits) (ids[key(hit.path)] ??= []).push(hit.blockId);
  for (const list of Object.values(ids)) list.sort();
  return ids;
}

describe("service: file events through the real watcher", () => {
  let sandbox: Sandbox;
  let service: ServiceProcess;

  before(async () => {
    sandbox = await makeSandbox();
    await writePage(sandbox, "pages/existing.md", "- already here ambergloss\n");
    service = new ServiceProcess(sandbox.configPath);
    await service.ready();
  });

  after(async () => {
    service?.kill();
    await sandbox?.cleanup();
  });

  it("indexed what was there at startup", async () => {
    await expectHits(sandbox, "ambergloss", ["pages/existing.md"]);
  });

  it("answers search and status over the control socket (mode 0600) while running", async () => {
    const socket = await stat(`${sandbox.database}.sock`);
    assert.ok(socket.isSocket());
    assert.equal(socket.mode & 0o777, 0o600);
    const s = await status(sandbox);
    assert.equal(s.service?.["state"], "watching");
    assert.equal(s.files, 1);
    const hits = await search(sandbox, "ambergloss");
    assert.equal(hits.length, 1);
  });

  it("create, modify, delete", async () => {
    await writePage(sandbox, "pages/fresh.md", "- created quillmarrow\n");
    await expectHits(sandbox, "quillmarrow", ["pages/fresh.md"]);
    await writePage(sandbox, "pages/fresh.md", "- modified tressleborn\n");
    await expectHits(sandbox, "tressleborn", ["pages/fresh.md"]);
    await expectHits(sandbox, "quillmarrow", []);
    await rm(join(sandbox.graph, "pages/fresh.md"));
    await expectHits(sandbox, "tressleborn", []);
    await pollUntil(async () => (await status(sandbox)).files === 1, "files back to 1");
  });

  it("renames become moves: 40 renames, every block keeps its id", async () => {
    // Issue #14: now and then a rename was indexed as a new file plus a delete.
    // A re-parse under the new name derives other block ids, so equal ids
    // before and after prove each rename was a move.
    const rounds = 4;
    const perRound = 10;
    for (let round = 0; round < rounds; round++) {
      const probe = `renameprobe${round}x`;
      const names = Array.from({ length: perRound }, (_, i) => `mover-${round}-${i}`);
      for (const name of names) await writePage(sandbox, `pages/${name}.md`, `- moving ${name} ${probe}\n\t- child of ${name} ${probe}\n`);
      const expected = names.flatMap((name) => [`pages/${name}.md`, `pages/${name}.md`]).sort();
      let hits: Hit[] = [];
      await pollUntil(async () => JSON.stringify((hits = (await search(sandbox, probe)) as unknown as Hit[]).map((h) => h.path).sort()) === JSON.stringify(expected), `${probe} indexed`);
      const before = idsByPage(hits, (path) => path);
      for (const name of names) await rename(join(sandbox.graph, `pages/${name}.md`), join(sandbox.graph, `pages/${name}-moved.md`));
      const moved = names.flatMap((name) => [`pages/${name}-moved.md`, `pages/${name}-moved.md`]).sort();
      // Failed once in CI (timed out in round 2, not reproduced since): a failure says what the index held.
      const seen = () => `hits: ${JSON.stringify(hits.map((h) => h.path).sort())}; the service's log ends: ${service.stderr.slice(-4000)}`;
      await pollUntil(async () => JSON.stringify((hits = (await search(sandbox, probe)) as unknown as Hit[]).map((h) => h.path).sort()) === JSON.stringify(moved), `${probe} moved`, 15_000, seen);
      assert.deepEqual(idsByPage(hits, (path) => path.replace(/-moved\.md$/, ".md")), before, `round ${round}: block ids changed`);
    }
    assert.doesNotMatch(service.stderr, /^delete: pages\/mover-/m, "a rename was written as a delete");
  });

  it("atomic save (write a temp file, rename it over) is one update of the target", async () => {
    await writePage(sandbox, "pages/atomic.md", "- first version oxbloomer\n");
    await expectHits(sandbox, "oxbloomer", ["pages/atomic.md"]);
    const before = service.indexedPaths().length;
    await writeFile(join(sandbox.graph, "pages/atomic.md.tmp"), "- second version pellucidra\n");
    await rename(join(sandbox.graph, "pages/atomic.md.tmp"), join(sandbox.graph, "pages/atomic.md"));
    await expectHits(sandbox, "pellucidra", ["pages/atomic.md"]);
    await expectHits(sandbox, "oxbloomer", []);
    assert.deepEqual(service.indexedPaths().slice(before), ["pages/atomic.md"]);
    assert.doesNotMatch(service.stderr, /delete: pages\/atomic\.md/);
  });

  it("case-only rename", async () => {
    await writePage(sandbox, "pages/Casey.md", "- case content brindlewomp\n");
    await expectHits(sandbox, "brindlewomp", ["pages/Casey.md"]);
    await rename(join(sandbox.graph, "pages/Casey.md"), join(sandbox.graph, "pages/casey.md"));
    await expectHits(sandbox, "brindlewomp", ["pages/casey.md"]);
    const s = await status(sandbox);
    assert.equal((s.problems as unknown[]).length, 0, JSON.stringify(s.problems));
  });

  it("editor temp and swap files are never indexed", async () => {
    await writePage(sandbox, "pages/.#lock.md", "- lock file gorsewhistle\n");
    await writePage(sandbox, "pages/backup.md~", "- backup gorsewhistle\n");
    await writePage(sandbox, "pages/real.md", "- real gorsewhistle\n");
    await expectHits(sandbox, "gorsewhistle", ["pages/real.md"]);
  });

  it("stops on SIGINT with exit code 0 and removes its socket", async () => {
    assert.equal(await service.stop("SIGINT"), 0);
    await assert.rejects(stat(`${sandbox.database}.sock`), { code: "ENOENT" });
    // With no service, search opens the database directly.
    await expectHits(sandbox, "brindlewomp", ["pages/casey.md"]);
  });
});
