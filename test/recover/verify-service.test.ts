import assert from "node:assert/strict";
import { test } from "node:test";
import type { RepairReport, VerifyReport } from "../../src/index/verify-report.ts";
import { runCli, tempGraph } from "../support/cli.ts";
import { assertSameAsCleanSync } from "../support/index-invariants.ts";
import { expectHits, ServiceProcess, type Sandbox } from "../service/service-harness.ts";
import { corrupt } from "./corrupt.ts";

/**
 * With a service running, no other process may open the database: verify
 * and its repair go through the control socket. The damage is of the kinds a
 * catch-up does not see (size and mtime all match), so the service starts
 * with it and verify finds it there.
 */
test("verify and verify --repair run through the service's control socket", async (t) => {
  const g = await tempGraph({
    "pages/g.md": "- grape gets an orphan ref [[k]]\n",
    "pages/h.md": "- huckleberry length changed\n",
    "pages/i.md": "- imbe block count changed\n",
    "pages/k.md": "- kiwi gets an orphan posting\n",
  });
  t.after(() => g.cleanup());
  assert.equal((await runCli(["run", "--once", "--config", g.config])).code, 0);
  await corrupt(g.database, [
    `INSERT INTO refs SELECT 'no-such-block', 888888, name, path, 'k', 'page' FROM pages WHERE path = 'pages/g.md'`,
    `UPDATE blocks SET length = length + 1 WHERE path = 'pages/h.md'`,
    `UPDATE pages SET block_count = 7 WHERE path = 'pages/i.md'`,
    `INSERT INTO fts_postings SELECT term_hash, 999999, 1 FROM fts_terms WHERE term = 'kiwi'`,
  ]);
  const service = new ServiceProcess(g.config);
  t.after(() => service.kill());
  await service.ready();

  const found = await runCli(["verify", "--json", "--config", g.config]);
  assert.equal(found.code, 4, found.stderr);
  const one = (example: string) => ({ count: 1, examples: [example] });
  const differences = {
    blockCountDiffers: one("pages/i.md"),
    orphanRefs: one("pages/g.md"),
    orphanPostings: one("999999"),
    postingCountDiffers: one("pages/h.md"),
    termDfDiffers: one("kiwi"),
  };
  assert.deepEqual(JSON.parse(found.stdout) as VerifyReport, { clean: false, files: 4, checksummed: 4, differences });

  const repaired = await runCli(["verify", "--repair", "--json", "--config", g.config]);
  assert.equal(repaired.code, 0, repaired.stderr + repaired.stdout);
  const repair = JSON.parse(repaired.stdout) as RepairReport;
  assert.deepEqual(repair.found.differences, differences);
  assert.deepEqual(repair.after, { clean: true, files: 4, checksummed: 4, differences: {} });

  // The service goes on following edits after a repair.
  await g.write("pages/h.md", "- huckleberry edited after the repair\n");
  await expectHits({ configPath: g.config } as Sandbox, "edited", ["pages/h.md"]);
  assert.equal(await service.stop("SIGINT"), 0);
  await assertSameAsCleanSync(g);
});
