import process from "node:process";
import { loadConfig } from "../config/load-config.ts";
import type { SearchQuery } from "../index/search.ts";
import { ExitCode } from "./exit-code.ts";
import { formatHits, formatPageHits } from "./format.ts";
import { queryServiceOrIndex } from "./index-query.ts";

export async function searchCommand(args: {
  config: string;
  query: string;
  limit: number;
  page?: string;
  tag?: string;
  marker?: string;
  pages: boolean;
  json: boolean;
}): Promise<number> {
  const config = await loadConfig(args.config);
  if (!Number.isInteger(args.limit) || args.limit < 1) throw new RangeError("--limit must be a positive whole number");
  if (args.pages) {
    if (args.page !== undefined || args.tag !== undefined || args.marker !== undefined) {
      throw new RangeError("--pages finds pages by title: it takes no --page, --tag or --marker");
    }
    const query = { text: args.query, limit: args.limit };
    const pages = await queryServiceOrIndex(config, { method: "searchPages", params: query }, async (connection) =>
      (await import("../index/page-search.ts")).searchPages(connection, query),
    );
    process.stdout.write(args.json ? JSON.stringify(pages, null, 2) + "\n" : formatPageHits(pages));
    return ExitCode.ok;
  }
  const query: SearchQuery = { text: args.query, limit: args.limit };
  if (args.page !== undefined) query.page = args.page;
  if (args.tag !== undefined) query.tag = args.tag;
  if (args.marker !== undefined) query.marker = args.marker;
  // DuckDB (over a second to load) is imported only when no service answers.
  const hits = await queryServiceOrIndex(config, { method: "search", params: query }, async (connection) => {
    // A running service merged them at its start: only a read of the file can meet them.
    const waiting = await (await import("../index/status.ts")).postingsWaiting(connection);
    if (waiting > 0) {
      process.stderr.write(
        `sync-pipeline: a full index stopped before its end: word search misses the blocks of ${waiting} of its batches ` +
          "until the next `sync-pipeline run` completes it\n",
      );
    }
    return (await import("../index/search.ts")).searchIndex(connection, query);
  });
  process.stdout.write(args.json ? JSON.stringify(hits, null, 2) + "\n" : formatHits(hits, args.query, process.stdout.isTTY === true));
  return ExitCode.ok;
}
