import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { appendFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { assertSameIndex } from "../support/index-tables.ts";
import { makeSandbox, runCli, ServiceProcess, serviceSettled, writePage } from "./service-harness.ts";

const run = promisify(execFile);
const PAGES = 100;
/** 12 rounds in CI (about 60 s; 20 took 97 s and put CI near its 15-minute budget); FAST_REVERT_ROUNDS=<n> for more. */
const ROUNDS = Number(process.env["FAST_REVERT_ROUNDS"] ?? 12);

/**
 * Issue #13 row 1: edits to 100 pages reverted by `git checkout -- .` 0.2 s
 * later, while the service is still working on the edits. Every round, once
 * the service has settled, its index must equal a clean sync of the folder,
 * table by table and row for row.
 */
test("fast edit-then-revert: the service's index equals a clean sync after every round", async (t) => {
  const sandbox = await makeSandbox({ logLevel: "warn" });
  t.after(() => sandbox.cleanup());
  for (let i = 0; i < PAGES; i++) {
    await writePage(sandbox, `pages/page-${i}.md`, `- page ${i} first block\n\t- child of page ${i}\n- page ${i} last block\n`);
  }
  const git = (...args: string[]) => run("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd: sandbox.graph });
  await git("init", "-q");
  await git("add", ".");
  await git("commit", "-q", "-m", "start");
  const cleanConfig = join(sandbox.dir, "clean.json");
  await writeFile(cleanConfig, JSON.stringify({ graph: "graph", database: "clean.duckdb", logLevel: "warn" }));
  const cleanDatabase = join(sandbox.dir, "clean.duckdb");

  // Every round ends on the committed bytes (`git checkout -- .`), so one clean sync of them is the expected index
  // of every round (the comparison leaves out times of writing and mtimes, which the checkout changes).
  const clean = await runCli(["run", "--once", "--config", cleanConfig]);
  assert.equal(clean.code, 0, clean.stderr);

  let service = new ServiceProcess(sandbox.configPath);
  t.after(() => service.kill());
  await service.ready();
  for (let round = 0; round < ROUNDS; round++) {
    const word = `revertword${round}x`;
    await Promise.all(Array.from({ length: PAGES }, (_, i) => appendFile(join(sandbox.graph, `pages/page-${i}.md`), `- appended ${word}\n`)));
    await new Promise((resolve) => setTimeout(resolve, 200));
    await git("checkout", "--", ".");
    await serviceSettled(sandbox);
    assert.equal(await service.stop("SIGINT"), 0, service.stderr);

    await assertSameIndex(sandbox.database, cleanDatabase, `round ${round}`);

    service = new ServiceProcess(sandbox.configPath);
    await service.ready();
  }
  assert.equal(await service.stop("SIGINT"), 0);
});
