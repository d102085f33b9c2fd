import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import type { GraphConfig } from "../../src/logseq/types.ts";
import { isGraphFileIn, isGraphPath, isIgnoredPath } from "../../src/pipeline/graph-files.ts";
import { defaultGraphConfig } from "../../src/logseq/graph-config.ts";

const base: GraphConfig = { ...defaultGraphConfig, hidden: [] };

// Segments chosen to hit every rule: dot names, node_modules, Logseq's backup folders, extensions in any case.
const segment = fc.constantFrom("pages", "a", "logseq", "bak", "version-files", "bakery", ".git", ".a.md", "node_modules", "x.md", "X.MD", "n.org", "m.markdown", "img.png", "md");
const relPath = fc.array(segment, { minLength: 1, maxLength: 4 }).map((parts) => parts.join("/"));
const hidden = fc.array(fc.oneof(relPath, relPath.map((p) => `/${p}/`)), { maxLength: 3 });

test("isGraphFileIn agrees with isGraphPath for every file the scan reaches (no folder above it ignored)", () => {
  fc.assert(
    fc.property(relPath, hidden, (path, hiddenPaths) => {
      const graph = { ...base, hidden: hiddenPaths };
      const parts = path.split("/");
      // The scan lists a folder only if neither it nor a folder above it is ignored.
      for (let i = 1; i < parts.length; i++) fc.pre(!isIgnoredPath(parts.slice(0, i).join("/"), graph));
      assert.equal(isGraphFileIn(path, parts.at(-1)!, graph), isGraphPath(path, graph));
    }),
    { numRuns: 3000 },
  );
});

test("a file named in :hidden is left out, with or without slashes around it, and only that file", () => {
  const graph = { ...base, hidden: ["/pages/secret.md/", "archive"] };
  assert.equal(isGraphFileIn("pages/secret.md", "secret.md", graph), false);
  assert.equal(isGraphFileIn("pages/secret.md.md", "secret.md.md", graph), true);
  assert.equal(isGraphFileIn("pages/Secret.md", "Secret.md", graph), true);
  assert.equal(isGraphFileIn("pages/.secret.md", ".secret.md", graph), false);
  assert.equal(isGraphFileIn("pages/notes.MARKDOWN", "notes.MARKDOWN", graph), true);
  assert.equal(isGraphFileIn("pages/notes.mdx", "notes.mdx", graph), false);
});
