import { test } from "node:test";
import assert from "node:assert/strict";
import { pageIdentity } from "../../src/logseq/page-name.ts";
import { defaultGraphConfig } from "../../src/logseq/graph-config.ts";
import { parseFile } from "../../src/logseq/parse.ts";

const tri = { ...defaultGraphConfig, fileNameFormat: "triple-lowbar" as const };

test("title:: wins over the file name", () => {
  assert.deepEqual(pageIdentity("pages/x.md", "My Title", tri), { name: "my title", originalName: "My Title", journalDay: null });
  assert.equal(parseFile("pages/x.md", "title:: From Prop\n", tri).page.originalName, "From Prop");
});

test("triple-lowbar file names", () => {
  assert.equal(pageIdentity("pages/a___b___c.md", null, tri).originalName, "a/b/c");
  assert.equal(pageIdentity("pages/x%2Fy%3F.md", null, tri).originalName, "x/y?");
  assert.equal(pageIdentity("pages/v1.2.md", null, tri).originalName, "v1.2");
  assert.equal(pageIdentity("pages/bad%zz.md", null, tri).originalName, "bad%zz");
});

test("legacy file names: dots are namespaces, then URL-decoding", () => {
  assert.equal(pageIdentity("pages/a.b.md", null, defaultGraphConfig).originalName, "a/b");
  assert.equal(pageIdentity("pages/a%3Ab.md", null, defaultGraphConfig).originalName, "a:b");
});

test("contents, case and NFC", () => {
  assert.deepEqual(pageIdentity("pages/contents.md", null, tri), { name: "contents", originalName: "Contents", journalDay: null });
  assert.equal(pageIdentity("pages/Cafe\u0301.md", null, tri).name, "café");
});

test("journals: file names and date titles", () => {
  assert.deepEqual(pageIdentity("journals/2024_01_15.md", null, tri), { name: "jan 15th, 2024", originalName: "Jan 15th, 2024", journalDay: 20240115 });
  assert.equal(pageIdentity("journals/2024_02_29.org", null, tri).journalDay, 20240229);
  assert.equal(pageIdentity("journals/notes.md", null, tri).journalDay, null);
  assert.equal(pageIdentity("pages/x.md", "Mar 3rd, 2023", tri).journalDay, 20230303);
  assert.equal(pageIdentity("pages/x.md", "2023-03-03", tri).journalDay, 20230303);
  assert.equal(pageIdentity("pages/x.md", "2023_03_03", tri).journalDay, 20230303);
  const iso = { ...tri, journalPageTitleFormat: "yyyy/MM/dd EEEE" };
  assert.equal(pageIdentity("journals/2024_01_15.md", null, iso).originalName, "2024/01/15 Monday");
  assert.equal(pageIdentity("pages/x.md", "2024/01/15 Monday", iso).journalDay, 20240115);
});

test("custom journals directory", () => {
  const g = { ...tri, journalsDirectory: "daily" };
  assert.equal(pageIdentity("daily/2024_01_15.md", null, g).journalDay, 20240115);
  // outside the journals folder the file name is a title, which still parses as a date
  assert.deepEqual(pageIdentity("journals/2024_01_15.md", null, g), { name: "2024_01_15", originalName: "2024_01_15", journalDay: 20240115 });
});
