// Search quality on Logseq's own documentation graph (../shared/graphs/logseq-docs
// beside the repository, when present): the rank of the wanted page for each
// query the fixture test guards on our small graph. Ranks, not times.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../lib/child.ts";
import { removeDir, tempDir, writeConfig } from "../lib/workspace.ts";
import { row, type BenchRow } from "../report/row.ts";
import { syncOnce } from "./one-shot.ts";
import { openDatabase } from "../../src/index/database.ts";
import { searchIndex } from "../../src/index/search.ts";
import { WANTED } from "../../test/fixtures/search-graph-queries.ts";

/** Hits looked at per query: a wanted page further down reports as "> 20". */
const DEPTH = 20;

export async function docsQualityRow(log: (line: string) => void): Promise<BenchRow> {
  const graph = join(repoRoot, "..", "shared", "graphs", "logseq-docs");
  if (!existsSync(join(graph, "pages"))) return row("search-quality-logseq-docs", 0, { note: `skipped: no graph at ${graph}` });
  const dir = await tempDir("search-quality");
  try {
    const { config, database } = await writeConfig(dir, graph);
    log("search quality: indexing logseq-docs…");
    const { summary } = await syncOnce(config);
    const db = await openDatabase(database, { create: false, readOnly: true });
    try {
      const ranks: string[] = [];
      let within = 0;
      for (const [query, page, wanted] of WANTED) {
        const rank = (await searchIndex(db.connection, { text: query, limit: DEPTH })).findIndex((h) => h.page === page) + 1;
        if (rank > 0 && rank <= wanted) within++;
        ranks.push(`"${query}" → ${page} #${rank > 0 ? rank : `>${DEPTH}`}`);
      }
      const note = `${within}/${WANTED.length} within the fixture's bound; ${ranks.join("; ")}`;
      log(`search quality: ${note}`);
      return row("search-quality-logseq-docs", summary.files, { blocks: summary.blocks, quality: { within, queries: WANTED.length }, note });
    } finally {
      db.close();
    }
  } finally {
    await removeDir(dir);
  }
}
