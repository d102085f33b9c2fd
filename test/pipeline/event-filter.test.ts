import { test } from "node:test";
import assert from "node:assert/strict";
import type { GraphConfig } from "../../src/logseq/types.ts";
import { createEventFilter, isDirectoryEventWorthScanning, isEditorArtifact } from "../../src/pipeline/event-filter.ts";

const graph: GraphConfig = {
  hidden: ["archive", "/private/"],
  fileNameFormat: "triple-lowbar",
  journalPageTitleFormat: "MMM do, yyyy",
  separatedByCommas: [],
  journalsDirectory: "journals",
  pagesDirectory: "pages",
  warnings: [],
};

test("accepts pages and journals in Markdown and Org", () => {
  const accept = createEventFilter(graph);
  for (const path of ["pages/foo.md", "journals/2024_01_15.md", "pages/Notes.ORG", "pages/a.markdown", "top.md", "pages/ns___child.md"]) {
    assert.equal(accept(path), true, path);
  }
});

test("rejects editor, sync-tool and OS temporary files", () => {
  const accept = createEventFilter(graph);
  const rejected = [
    "pages/.#foo.md",
    "pages/#foo.md#",
    "pages/foo.md~",
    "pages/.foo.md.swp",
    "pages/.foo.md.swo",
    "pages/.foo.md.swx",
    "pages/4913",
    "pages/.DS_Store",
    "pages/foo.md.tmp",
    "pages/foo.md.crswap",
    "pages/.syncthing.foo.md.tmp",
    "pages/~$foo.md",
  ];
  for (const path of rejected) assert.equal(accept(path), false, path);
});

test("the Office owner file is the artifact isGraphPath alone would let through", () => {
  assert.equal(isEditorArtifact("pages/~$foo.md"), true);
  assert.equal(isEditorArtifact("pages/foo.md"), false);
  assert.equal(isEditorArtifact("pages/c~$.md"), false);
  assert.equal(isEditorArtifact("pages/#tag.md"), false);
});

test("rejects backups, version files, hidden, dot and node_modules folders, and non-page files", () => {
  const accept = createEventFilter(graph);
  const rejected = [
    "logseq/bak/pages/foo/2024-01-15T10_00_00.000Z.Desktop.md",
    "logseq/version-files/foo.md",
    "archive/old.md",
    "private/secret.md",
    ".git/foo.md",
    "pages/.hidden/foo.md",
    "node_modules/x/readme.md",
    "logseq/config.edn",
    "assets/image.png",
    "pages/foo.txt",
  ];
  for (const path of rejected) assert.equal(accept(path), false, path);
});

test("directory events: scan ordinary folders, skip ignored ones", () => {
  const worth = (p: string) => isDirectoryEventWorthScanning(p, graph);
  assert.equal(worth(""), true);
  assert.equal(worth("pages"), true);
  assert.equal(worth("pages/sub/"), true);
  assert.equal(worth("journals"), true);
  assert.equal(worth("logseq/bak"), false);
  assert.equal(worth("logseq/bak/pages"), false);
  assert.equal(worth("logseq/version-files"), false);
  assert.equal(worth(".git"), false);
  assert.equal(worth("pages/.trash"), false);
  assert.equal(worth("node_modules"), false);
  assert.equal(worth("archive"), false);
  assert.equal(worth("archive/2020"), false);
  assert.equal(worth("private"), false);
  assert.equal(worth("archived"), true);
});

test("each artifact pattern matches its own file names and no near miss", () => {
  // Checked on isEditorArtifact itself: through createEventFilter, isGraphPath
  // would reject most of these names anyway and hide a broken pattern.
  const artifacts = [
    ".#foo.md",
    "#foo.md#",
    "foo.md~",
    ".foo.md.swp",
    ".foo.md.swa",
    ".foo.md.swx",
    "4913",
    ".DS_Store",
    "foo.md.TMP",
    ".syncthing.foo.md.tmp",
    ".syncthing.foo.md",
    "foo.md.crswap",
    "~$foo.md",
  ];
  for (const name of artifacts) assert.equal(isEditorArtifact(`pages/${name}`), true, name);
  const pages = [
    "a.#b.md",
    "C#notes#",
    "#tag#.md",
    "a.foo.swp",
    ".foo.md.swpx",
    ".foo.md.swy",
    "14913",
    "49130",
    "x.DS_Store",
    ".DS_Store2",
    "notes.tmp.md",
    "a.crswap.md",
    "my.syncthing.notes.md",
  ];
  for (const name of pages) assert.equal(isEditorArtifact(`pages/${name}`), false, name);
});

test("directory events: leading and trailing slashes, however many, are ignored", () => {
  const worth = (p: string) => isDirectoryEventWorthScanning(p, graph);
  assert.equal(worth("//"), true);
  assert.equal(worth("//archive//"), false);
  assert.equal(worth("//pages//"), true);
  assert.equal(worth("//logseq/bak//"), false);
});
