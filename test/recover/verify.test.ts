import assert from "node:assert/strict";
import { symlink, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Buffer } from "node:buffer";
import { test } from "node:test";
import type { RepairReport, VerifyReport } from "../../src/index/verify-report.ts";
import { runCli, runJson, tempGraph } from "../support/cli.ts";
import { assertSameAsCleanSync } from "../support/index-invariants.ts";
import { corrupt } from "./corrupt.ts";

/** One page per damage, each with words of its own, so every difference names exactly one file. */
const PAGES = {
  "pages/a.md": "- apricot row lost [[b]]\n",
  "pages/b.md": "- bilberry checksum changed\n",
  "pages/c.md": "- cherry edited in place\n",
  "pages/d.md": "- damson page dropped\n- damson second block\n",
  "pages/e.md": "- elderberry file deleted\n",
  "pages/f.md": "- fig file touched\n",
  "pages/g.md": "- grape gets an orphan ref [[a]]\n",
  "pages/h.md": "- huckleberry length changed\n",
  "pages/i.md": "- imbe block count changed\n",
  "pages/j.md": "- jujube kumquat term dropped\n",
  "pages/k.md": "- kiwi gets an orphan posting\n",
  "pages/l.md": "- lime untouched\n",
  "pages/m.md": "- mango file and row gone, page left\n",
};

test("verify names every kind of damage exactly, and --repair makes the index equal a clean sync", async (t) => {
  const g = await tempGraph(PAGES);
  t.after(() => g.cleanup());
  // A whole second: utimes takes seconds as a float, and a millisecond fraction may not survive it.
  const c = join(g.graph, "pages/c.md");
  const second = new Date(1_700_000_000_000);
  await utimes(c, second, second);
  await runJson(["run", "--once", "--config", g.config]);
  assert.deepEqual(await runJson<VerifyReport>(["verify", "--config", g.config]), { clean: true, files: 13, checksummed: 13, differences: {} });

  // On disk: same size and mtime with other bytes; a file gone; a file touched.
  await g.write("pages/c.md", "- cherry edited IN place\n");
  await utimes(c, second, second);
  await g.remove("pages/e.md");
  await g.remove("pages/m.md");
  await utimes(join(g.graph, "pages/f.md"), new Date(), new Date(Date.now() + 60_000));
  // In the index.
  await corrupt(g.database, [
    `DELETE FROM files WHERE path IN ('pages/a.md', 'pages/m.md')`,
    `UPDATE files SET checksum = repeat('0', 64) WHERE path = 'pages/b.md'`,
    `DELETE FROM pages WHERE path = 'pages/d.md'`,
    `INSERT INTO refs SELECT 'no-such-block', 888888, name, path, 'a', 'page' FROM pages WHERE path = 'pages/g.md'`,
    `UPDATE blocks SET length = length + 1 WHERE path = 'pages/h.md'`,
    `UPDATE pages SET block_count = 7 WHERE path = 'pages/i.md'`,
    `DELETE FROM fts_terms WHERE term = 'kumquat'`,
    `INSERT INTO fts_postings SELECT term_hash, 999999, 1 FROM fts_terms WHERE term = 'kiwi'`,
  ]);

  const found = await runCli(["verify", "--json", "--config", g.config]);
  assert.equal(found.code, 4, found.stderr);
  const report = JSON.parse(found.stdout) as VerifyReport;
  const one = (path: string, count = 1) => ({ count, examples: [path] });
  const expected = {
    fileRowMissing: one("pages/a.md"),
    fileRowExtra: one("pages/e.md"),
    metadataDiffers: one("pages/f.md"),
    checksumDiffers: { count: 2, examples: ["pages/b.md", "pages/c.md"] },
    pageWithoutFile: { count: 2, examples: ["pages/a.md", "pages/m.md"] },
    fileWithoutPage: one("pages/d.md"),
    pageStale: one("pages/b.md"),
    orphanBlocks: one("pages/d.md", 2),
    blockCountDiffers: one("pages/i.md"),
    orphanRefs: one("pages/g.md"),
    orphanPostings: one("999999"),
    postingCountDiffers: one("pages/h.md"),
    postingsWithoutTerm: one("pages/j.md"),
    termDfDiffers: one("kiwi"),
  };
  assert.deepEqual(report, { clean: false, files: 11, checksummed: 9, differences: expected });
  // Every class has its own line in the text report.
  const text = await runCli(["verify", "--config", g.config]);
  assert.equal(text.code, 4);
  for (const name of Object.keys(expected)) assert.match(text.stdout, new RegExp(`\\(${name}\\): `), name);

  const repaired = await runCli(["verify", "--repair", "--json", "--config", g.config]);
  assert.equal(repaired.code, 0, repaired.stderr + repaired.stdout);
  const repair = JSON.parse(repaired.stdout) as RepairReport;
  assert.deepEqual(repair.found, report);
  assert.deepEqual(repair.after, { clean: true, files: 11, checksummed: 11, differences: {} });
  assert.deepEqual(await runJson<VerifyReport>(["verify", "--config", g.config]), repair.after);
  await assertSameAsCleanSync(g);
});

test("verify finds nothing after a clean sync of skipped, warned and hostile files", async (t) => {
  const g = await tempGraph(
    {
      "pages/ok.md": "- fine\n",
      "pages/binary.md": new Uint8Array([0, 1, 2, 98, 105, 110]),
      "pages/empty.md": "",
      "pages/big.md": "- " + "a".repeat(3000) + "\n",
      "pages/bad utf8.md": new Uint8Array([45, 32, 98, 0xff, 100, 10]),
    },
    { maxFileSizeBytes: 2000 },
  );
  t.after(() => g.cleanup());
  await symlink("ok.md", join(g.graph, "pages/link.md"));
  // A name that is not valid UTF-8 (the byte 0xff).
  await writeFile(Buffer.concat([Buffer.from(join(g.graph, "pages/n")), Buffer.from([0xff]), Buffer.from(".md")]), "- odd name\n");
  await symlink("..", join(g.graph, "pages/loop"));
  const sync = await runCli(["run", "--once", "--config", g.config]);
  assert.equal(sync.code, 1, sync.stderr);
  const report = await runJson<VerifyReport>(["verify", "--config", g.config]);
  // Checksummed: the rows saying indexed or warning (ok, empty, bad utf8); the rest are skipped.
  assert.deepEqual(report, { clean: true, files: 7, checksummed: 3, differences: {} });
});
