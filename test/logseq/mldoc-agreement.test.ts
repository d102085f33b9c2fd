import process from "node:process";
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { parseFile } from "../../src/logseq/parse.ts";
import { readGraphConfig } from "../../src/logseq/graph-config.ts";
import type { GraphConfig } from "../../src/logseq/types.ts";
import { diffFacts, listGraphFiles, mldocFacts, parsedFacts, repoRoot } from "./mldoc-support.ts";

const root = repoRoot();

function isHidden(rel: string, graph: GraphConfig): boolean {
  return graph.hidden.some((h) => rel === h || rel.startsWith(h + "/"));
}

async function compareGraph(dir: string): Promise<{ total: number; agree: number; diffs: string[] }> {
  const graph = await readGraphConfig(dir);
  let total = 0;
  let agree = 0;
  const diffs: string[] = [];
  for (const rel of listGraphFiles(dir)) {
    if (isHidden(rel, graph)) continue;
    const text = readFileSync(dir + "/" + rel, "utf8");
    const d = diffFacts(parsedFacts(parseFile(rel, text, graph)), mldocFacts(rel, text, graph));
    total++;
    if (d.length === 0) agree++;
    else diffs.push(`${rel}: ${d.join("; ")}`);
  }
  return { total, agree, diffs };
}

const results = { total: 0, agree: 0 };

test("fixture graph agrees with mldoc", async (t) => {
  const r = await compareGraph(root + "/test/fixtures/parser/graph");
  for (const d of r.diffs) t.diagnostic(d);
  t.diagnostic(`fixtures: ${r.agree}/${r.total} files agree`);
  results.total += r.total;
  results.agree += r.agree;
  assert.ok(r.total >= 10);
  assert.deepEqual(r.diffs, []);
});

// The real docs graph (shared/graphs beside the repository, as CI clones it) is not part of the
// project. On a fresh clone without it this test is skipped, saying so; under CI (CI=true) a
// missing graph is a broken checkout and fails, so the gate cannot pass unnoticed there.
const docs = process.env["LOGSEQ_DOCS_GRAPH"] ?? root + "/../shared/graphs/logseq-docs";
const docsMissing = !existsSync(docs + "/pages");
const skipWhy = docsMissing && process.env["CI"] !== "true"
  ? `no logseq-docs graph at ${docs} (set LOGSEQ_DOCS_GRAPH, or clone beside shared/)`
  : false;

test(
  "logseq-docs graph agrees with mldoc on at least 99% of files",
  { skip: skipWhy },
  async (t) => {
    assert.ok(!docsMissing, `the logseq-docs graph is missing at ${docs} (shared/graphs must sit beside the repository under CI)`);
    const r = await compareGraph(docs);
    for (const d of r.diffs) t.diagnostic(d);
    results.total += r.total;
    results.agree += r.agree;
    const pct = (100 * r.agree) / r.total;
    t.diagnostic(`logseq-docs: ${r.agree}/${r.total} files agree (${pct.toFixed(2)}%)`);
    t.diagnostic(`all graphs: ${results.agree}/${results.total} files agree (${((100 * results.agree) / results.total).toFixed(2)}%)`);
    assert.ok(pct >= 99, `agreement ${pct.toFixed(2)}% < 99%`);
  },
);
