import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { closeSync } from "node:fs";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { defaultGraphConfig } from "../../src/logseq/graph-config.ts";
import { scanDirectory } from "../../src/pipeline/directory-scan.ts";
import { BAD_NAME_REASON, EntrySkipped, graphEntryKind, openGraphFile, SYMLINK_REASON } from "../../src/pipeline/graph-entry.ts";

/** Each guard of the file-system rule on its own, on real files (the end-to-end tests cover them together). */
let dir: string;
let root: string;
const bad = (rel: string) => Buffer.concat([Buffer.from(join(root, rel)), Buffer.from([0xff])]);

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "graph-entry-"));
  root = join(dir, "graph");
  await mkdir(join(root, "pages", "real"), { recursive: true });
  await mkdir(join(dir, "outside"));
  await writeFile(join(dir, "outside", "out.md"), "- outside\n");
  await writeFile(join(root, "pages", "a.md"), "- a\n");
  await writeFile(join(root, "pages", "real", "b.md"), "- b\n");
  await symlink(join(root, "pages", "a.md"), join(root, "pages", "link.md"));
  await symlink(join(dir, "outside"), join(root, "pages", "outside"));
  await symlink("..", join(root, "pages", "loop"));
  await writeFile(Buffer.concat([bad("pages/bad"), Buffer.from(".md")]), "- bad name\n");
  await mkdir(bad("pages/dir"));
  await writeFile(Buffer.concat([bad("pages/dir"), Buffer.from("/inner.md")]), "- inner\n");
});

after(() => rm(dir, { recursive: true, force: true }));

test("graphEntryKind: a link is a link, a path through a linked folder is not in the graph, a bad name is a file", () => {
  assert.equal(graphEntryKind(root, "pages/a.md"), "file");
  assert.equal(graphEntryKind(root, "pages/real/b.md"), "file");
  assert.equal(graphEntryKind(root, "pages/link.md"), "link");
  assert.equal(graphEntryKind(root, "pages/outside/out.md"), "none");
  assert.equal(graphEntryKind(root, "pages/loop/pages/a.md"), "none");
  assert.equal(graphEntryKind(root, "pages/missing.md"), "none");
  assert.equal(graphEntryKind(root, "pages/real"), "none");
  assert.equal(graphEntryKind(root, "pages/bad\uFFFD.md"), "file");
  assert.equal(graphEntryKind(root, "pages/dir\uFFFD/inner.md"), "file");
  assert.equal(graphEntryKind(root, "pages/other\uFFFD.md"), "none");
});

test("scanDirectory never descends into a linked folder, even when asked to scan under one", async () => {
  const all = await scanDirectory(root, defaultGraphConfig);
  assert.deepEqual([...all.files.keys()].sort(), ["pages/a.md", "pages/bad\uFFFD.md", "pages/dir\uFFFD/inner.md", "pages/link.md", "pages/real/b.md"]);
  for (const under of ["pages/outside", "pages/loop", "pages/loop/pages"]) {
    assert.deepEqual([...(await scanDirectory(root, defaultGraphConfig, under)).files.keys()], [], under);
  }
  assert.deepEqual([...(await scanDirectory(root, defaultGraphConfig, "pages/dir\uFFFD")).files.keys()], ["pages/dir\uFFFD/inner.md"]);
  assert.deepEqual([...(await scanDirectory(root, defaultGraphConfig, "pages/real")).files.keys()], ["pages/real/b.md"]);
});

test("openGraphFile refuses a final link and a bad name with the reason, and opens a plain file", () => {
  closeSync(openGraphFile(join(root, "pages/a.md")));
  assert.throws(() => openGraphFile(join(root, "pages/link.md")), (e) => e instanceof EntrySkipped && e.message === SYMLINK_REASON);
  assert.throws(() => openGraphFile(join(root, "pages/bad\uFFFD.md")), (e) => e instanceof EntrySkipped && e.message === BAD_NAME_REASON);
  assert.throws(() => openGraphFile(join(root, "pages/dir\uFFFD/inner.md")), (e) => e instanceof EntrySkipped && e.message === BAD_NAME_REASON);
  assert.throws(() => openGraphFile(join(root, "pages/none.md")), { code: "ENOENT" });
});
