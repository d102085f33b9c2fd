import process from "node:process";
import type { DuckDBConnection } from "@duckdb/node-api";
import { loadConfig } from "../config/load-config.ts";
import type { ControlApi, ControlParams, ControlResult } from "../control/control-api.ts";
import type { IndexRead, McpReadMethod } from "../mcp/mcp-server.ts";
import { ExitCode } from "./exit-code.ts";
import { queryServiceOrIndex } from "./index-query.ts";

/**
 * `sync-pipeline mcp`: a Model Context Protocol server on stdin/stdout,
 * serving until the client closes stdin. Stdout carries protocol messages
 * only; anything else goes to stderr.
 *
 * Each tool call asks the running service first and otherwise opens the
 * index read-only for that one call: holding it open between calls would
 * keep a service from starting (DuckDB lets a writer open a file no other
 * process holds).
 */
export async function mcpCommand(args: { config: string }): Promise<number> {
  const config = await loadConfig(args.config);
  const [{ createMcpServer }, { trackPendingRequests }, { StdioServerTransport }] = await Promise.all([
    import("../mcp/mcp-server.ts"),
    import("../mcp/pending-requests.ts"),
    import("@modelcontextprotocol/sdk/server/stdio.js"),
  ]);
  // One call at a time: a direct read opens its own DuckDB instance, and a
  // process should hold one instance of a file at once (see queryIndex).
  let previous: Promise<unknown> = Promise.resolve();
  const read: IndexRead = (method, params) => {
    const call = previous.then(() => queryServiceOrIndex(config, { method, params }, (connection) => readDirect(connection, method, params)));
    previous = call.catch(() => {});
    return call;
  };
  const server = createMcpServer(read);
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    // The transport does not watch for the end of stdin: the client leaving ends the server.
    process.stdin.once("end", resolve);
    process.stdin.once("close", resolve);
    transport.onclose = resolve;
  });
  await server.connect(transport);
  const pending = trackPendingRequests(transport);
  process.stderr.write(`sync-pipeline mcp: serving ${config.database} on stdio\n`);
  await closed;
  await pending.drained();
  await server.close();
  return ExitCode.ok;
}

/** The service's reads, on a read-only connection of this process (the same SQL: src/index). */
async function readDirect<M extends McpReadMethod>(connection: DuckDBConnection, method: M, params: ControlParams<M>): Promise<ControlResult<M>> {
  const reads = await directReads(connection);
  return (reads[method] as (params: ControlParams<M>) => Promise<ControlResult<M>>)(params);
}

async function directReads(connection: DuckDBConnection): Promise<Pick<ControlApi, McpReadMethod>> {
  const [search, status, page, block, backlinks, tasks] = await Promise.all([
    import("../index/search.ts"),
    import("../index/status.ts"),
    import("../index/page-tree.ts"),
    import("../index/block-context.ts"),
    import("../index/backlinks.ts"),
    import("../index/tasks-query.ts"),
  ]);
  return {
    search: (query) => search.searchIndex(connection, query),
    status: () => status.readStatus(connection),
    getPage: (query) => page.readPage(connection, query),
    getBlock: (query) => block.readBlock(connection, query),
    backlinks: (query) => backlinks.readBacklinks(connection, query),
    tasks: (query) => tasks.readTasks(connection, query),
  };
}
