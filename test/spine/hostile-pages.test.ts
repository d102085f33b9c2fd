/**
 * Issue #13 rows 3–5 end to end, through the real CLI and a real DuckDB
 * file: pages that once stopped the whole sync ("Maximum call stack size
 * exceeded"), took minutes (quadratic parsing) or blew up memory (nested
 * refs) now each get their files row, and every other page still syncs.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { runJson, tempGraph } from "../support/cli.ts";
import { queryRows } from "../support/db.ts";
import type { SyncSummary } from "../../src/pipeline/sync-summary.ts";
import type { SearchHit } from "../../src/index/search.ts";
import type { IndexStatus } from "../../src/index/status.ts";
import { MAX_REF_TARGET_CHARS } from "../../src/logseq/ref-collector.ts";

const nested = (n: number, name: (k: number) => string) => {
  let s = "- ";
  for (let k = 0; k < n; k++) s += `[[${name(k)} `;
  return s + "]]".repeat(n) + "\n";
};

test("pathological pages get a row with a reason; the normal page is searchable; the sync completes", { timeout: 300_000 }, async () => {
  const g = await tempGraph({
    // row 3: 40 KB of brackets, and links nested 10,000 deep
    "pages/brackets.md": "- " + "[".repeat(20_000) + "]".repeat(20_000) + "\n",
    "pages/deep.md": nested(10_000, (k) => `a${k}`),
    // row 4: one block of 100,000 unclosed links (quadratic before: about a minute)
    "pages/unclosed.md": "- " + Array.from({ length: 100_000 }, (_, k) => `[[w${k}`).join(" ") + "\n",
    // row 5: nested 5,000 deep (1.25 GB and 124 MB of ref text before)
    "pages/nested.md": nested(5_000, (k) => String.fromCharCode(97 + (k % 26))),
    "pages/normal.md": "- a normal page about quokkas\n  - with [[a link]] and #tag\n",
  });
  try {
    const summary = await runJson<SyncSummary>(["run", "--once", "--config", g.config]); // warnings alone: exit 0
    assert.deepEqual(
      { files: summary.files, indexed: summary.indexed, warnings: summary.warnings, failed: summary.failed, skipped: summary.skipped },
      { files: 5, indexed: 5, warnings: 3, failed: 0, skipped: 0 },
    );
    const rows = await queryRows(g.database, "SELECT path, status, error FROM files ORDER BY path");
    const tooLong = new RegExp(`^block at line 1: \\d+ ref\\(s\\) longer than ${MAX_REF_TARGET_CHARS} characters ignored$`);
    assert.equal(rows.length, 5);
    const byPath = new Map(rows.map((r) => [r["path"] as string, r]));
    for (const path of ["pages/brackets.md", "pages/deep.md", "pages/nested.md"]) {
      assert.equal(byPath.get(path)?.["status"], "warning", path);
      assert.match(byPath.get(path)?.["error"] as string, tooLong, path);
    }
    assert.deepEqual(byPath.get("pages/unclosed.md"), { path: "pages/unclosed.md", status: "indexed", error: null });
    assert.deepEqual(byPath.get("pages/normal.md"), { path: "pages/normal.md", status: "indexed", error: null });

    // bounded ref text: no ref longer than the limit anywhere in the index
    const [longest] = await queryRows(g.database, "SELECT max(length(target)) AS n, count(*) AS refs FROM refs");
    assert.ok(Number(longest?.["n"]) <= MAX_REF_TARGET_CHARS);
    const innermost = await queryRows(g.database, "SELECT target FROM refs WHERE path = 'pages/deep.md' AND target = 'a9999'");
    assert.equal(innermost.length, 1);

    const hits = await runJson<SearchHit[]>(["search", "quokkas", "--config", g.config]);
    assert.deepEqual(hits.map((h) => [h.path, h.content]), [["pages/normal.md", "a normal page about quokkas"]]);

    const status = await runJson<IndexStatus>(["status", "--config", g.config]);
    assert.notEqual(status.lastSyncAt, null);
    assert.deepEqual(status.byStatus, { indexed: 2, warning: 3 });
    assert.deepEqual(status.problems.map((p) => p.path), ["pages/brackets.md", "pages/deep.md", "pages/nested.md"]);
  } finally {
    await g.cleanup();
  }
});
