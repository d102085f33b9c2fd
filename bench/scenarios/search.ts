// Search latency on a big index: the query itself in-process (as the service
// answers it, over the in-memory search model, and through SQL alone as a CLI
// without a service does, on a read-only connection, timed by tinybench), beside the CLI's
// `search --json` as a user runs it (a process start and DuckDB load each time).
import { readFile } from "node:fs/promises";
import process from "node:process";
import { join } from "node:path";
import { RARE_WORDS, generateGraph } from "../generate-graph.ts";
import { expectExit, runCli } from "../lib/child.ts";
import { percentile } from "../lib/stats.ts";
import { timeTask } from "../lib/tiny.ts";
import { removeDir, tempDir, writeConfig } from "../lib/workspace.ts";
import { round, row, type BenchRow } from "../report/row.ts";
import { syncOnce } from "./one-shot.ts";
import { docsQualityRow } from "./search-quality.ts";
import { searchTypingRow } from "./search-typing.ts";
import { openDatabase } from "../../src/index/database.ts";
import { searchIndex, type SearchQuery } from "../../src/index/search.ts";
import { SearchModelCache } from "../../src/index/search-model-cache.ts";
import { searchPages } from "../../src/index/page-search.ts";
import { tokenize } from "../../src/index/tokenize.ts";
import { readGraphConfig } from "../../src/logseq/graph-config.ts";
import { scanDirectory } from "../../src/pipeline/directory-scan.ts";

export async function searchScenario(files: number, options: { cliRuns: number }, log: (line: string) => void): Promise<BenchRow[]> {
  const dir = await tempDir("search");
  try {
    const graphDir = join(dir, "graph");
    log(`search: generating ${files} files…`);
    await generateGraph(graphDir, { files, seed: 2 });
    const { config, database } = await writeConfig(dir, graphDir);
    log(`search: indexing…`);
    const { summary } = await syncOnce(config);
    const blocks = summary.blocks;

    const { rows, mid, typing } = await searchLatencyRows(database, graphDir, files, blocks, log);
    rows.push(await searchTypingRow(config, database, files, blocks, typing.slice(0, 3), log));

    const wall: number[] = [];
    let peak = 0;
    for (let i = 0; i < options.cliRuns; i++) {
      const text = i % 2 === 0 ? RARE_WORDS[0] : mid;
      const run = expectExit(await runCli(["search", text, "--config", config, "--json"]), "search");
      wall.push(run.wallMs);
      peak = Math.max(peak, run.peakRssMb ?? 0);
    }
    rows.push(
      row("search-cli", files, {
        p50Ms: round(percentile(wall, 50)),
        p95Ms: round(percentile(wall, 95)),
        peakRssMb: peak || null,
        samples: wall.length,
        blocks,
        note: "whole `search --json` process, no service running (start-up + DuckDB load + query)",
      }),
    );
    rows.push(await docsQualityRow(log));
    return rows;
  } finally {
    await removeDir(dir);
  }
}

/**
 * The in-process rows: each kind of query on an indexed graph, timed on a
 * read-only connection. Also run alone on an existing index by
 * bench/search-only.ts.
 */
export async function searchLatencyRows(
  database: string,
  graphDir: string,
  files: number,
  blocks: number,
  log: (line: string) => void,
): Promise<{ rows: BenchRow[]; mid: string; typing: string[][] }> {
  const db = await openDatabase(database, { create: false, readOnly: true });
  const rows: BenchRow[] = [];
  let mid: string = RARE_WORDS[1];
  let typing: string[][] = [];
  try {
    // Ranked from the files, not the index's tables: the schema is free to change.
    const terms = await frequentTerms(graphDir);
    const common = terms[0] ?? "the";
    mid = terms[Math.min(terms.length - 1, 300)] ?? common;
    const pair = await adjacentWords(graphDir);
    // Typed a keystroke at a time through the service's socket (search-typing.ts), other words each round:
    // the service keeps recent hits' rows (hit-rows.ts), and a query typed again would find them all there.
    typing = [1, 2, 3].map((rare, r) => {
      const word = terms[Math.min(terms.length - 1, 300 + 10 * r)] ?? mid;
      return [`${terms[r] ?? common} ${word} ${RARE_WORDS[rare]}`, `${terms[50 + r] ?? common} ${word}`];
    });
    // A trailing space ends the last word (no completions): the plain rows measure whole words only.
    const queries: Record<string, string> = {
      "rare word": `${RARE_WORDS[0]} `,
      "uncommon word": `${RARE_WORDS[1]} `,
      "mid-frequency word": `${mid} `,
      "most frequent word": `${common} `,
      "two words": `${common} ${mid} `,
      "four words": `${common} ${mid} ${RARE_WORDS[1]} ${terms[50] ?? common} `,
      // As you type: the last word completes from the vocabulary.
      "prefix (typing 4 letters)": mid.slice(0, 4),
      "two words, the second being typed": `${common} ${mid.slice(0, 3)}`,
      // A swap inside a mid-frequency word: absent, so corrected within 1-2 edits.
      typo: `${swapInside(mid)} `,
      phrase: `"${pair}"`,
    };
    // The service's path: ranked over the in-memory model its writer thread keeps (search-model-cache.ts).
    const cache = new SearchModelCache(db.connection);
    // Live memory when the bench runs with --expose-gc (npm run bench does): without a collection
    // before and after, the figure counted whatever garbage the index build had left (63-170 MB).
    const gc = (globalThis as { gc?: () => void }).gc;
    const memory = () => {
      gc?.();
      return process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers;
    };
    const heapBefore = memory();
    const loadStart = performance.now();
    await cache.ready();
    const loadMs = performance.now() - loadStart;
    // The first search allocates the ranking's per-block arrays: part of what the model costs.
    await cache.search({ text: `${RARE_WORDS[0]} `, limit: 10 });
    rows.push(row("search-model-load", files, {
      wallMs: round(loadMs),
      blocks,
      note: `the in-memory search model's load: once at start-up, refreshed by edits, loaded again after a commit it cannot follow (JS heap and typed arrays +${round((memory() - heapBefore) / 1e6)} MB${gc === undefined ? ", garbage included: run node with --expose-gc for live memory" : " live"})`,
    }));
    log(`search: model load ${round(loadMs)} ms`);
    for (const [path, search] of [["in-memory", (q: SearchQuery) => cache.search(q)], ["sql", (q: SearchQuery) => searchIndex(db.connection, q)]] as const) {
      for (const [kind, text] of Object.entries(queries)) {
        const query: SearchQuery = { text, limit: 10 };
        const t = await timeTask(kind, () => search(query), { timeMs: 1500, iterations: 20 });
        const scenario = path === "sql" ? "search-sql" : "search-in-process";
        rows.push(row(scenario, files, { p50Ms: round(t.p50Ms), p95Ms: round(t.p95Ms), samples: t.samples, blocks, note: `${kind} "${text}"` }));
        log(`search: ${path}: ${kind}: p50 ${round(t.p50Ms)} ms`);
      }
    }
    const pageQuery = { text: swapInside(mid), limit: 10 };
    for (const [scenario, search] of [["search-in-process", () => cache.searchPages(pageQuery)], ["search-sql", () => searchPages(db.connection, pageQuery)]] as const) {
      const p = await timeTask("pages", search, { timeMs: 1500, iterations: 20 });
      rows.push(row(scenario, files, { p50Ms: round(p.p50Ms), p95Ms: round(p.p95Ms), samples: p.samples, blocks, note: `search --pages (fuzzy titles) "${pageQuery.text}"` }));
      log(`search: ${scenario}: pages: p50 ${round(p.p50Ms)} ms`);
    }
  } finally {
    db.close();
  }
  return { rows, mid, typing };
}

/** Words longer than 3 letters, most frequent first, counted over the first 500 files. */
async function frequentTerms(graphDir: string): Promise<string[]> {
  const paths = [...(await scanDirectory(graphDir, await readGraphConfig(graphDir))).files.keys()].sort().slice(0, 500);
  const counts = new Map<string, number>();
  for (const path of paths) {
    for (const term of tokenize(await readFile(join(graphDir, path), "utf8"))) {
      if (term.length > 3 && /^[a-z]+$/.test(term)) counts.set(term, (counts.get(term) ?? 0) + 1);
    }
  }
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([term]) => term);
}

/** `word` with two of its inner letters swapped: a typo one (Damerau) edit away. */
function swapInside(word: string): string {
  const chars = [...word];
  const i = Math.max(1, Math.floor(chars.length / 2) - 1);
  if (i + 1 >= chars.length) return word + word.slice(-1);
  [chars[i], chars[i + 1]] = [chars[i + 1] as string, chars[i] as string];
  return chars.join("");
}

/** Two words that follow each other in the first page with such a pair: a phrase that has hits. */
async function adjacentWords(graphDir: string): Promise<string> {
  const disk = await scanDirectory(graphDir, await readGraphConfig(graphDir), "");
  for (const path of [...disk.files.keys()].sort().slice(0, 50)) {
    const tokens = tokenize(await readFile(join(graphDir, path), "utf8"));
    for (let i = 0; i + 1 < tokens.length; i++) {
      const [a, b] = [tokens[i] as string, tokens[i + 1] as string];
      if (a.length > 3 && b.length > 3) return `${a} ${b}`;
    }
  }
  return "graph index";
}
