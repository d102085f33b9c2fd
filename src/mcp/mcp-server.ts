import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { ControlMethod, ControlParams, ControlResult } from "../control/control-api.ts";
import { checkBacklinksQuery, checkBlockQuery, checkPageQuery, checkTasksQuery } from "../index/read-params.ts";
import type { SearchQuery } from "../index/search.ts";
import { backlinksTool, getBlockTool, getPageTool, searchTool, tasksTool } from "./tool-schemas.ts";

/** One read of the index: the running service's control method, or the same read on a read-only open. */
/** The control methods the tools read through: one request, one reply, no side effects. */
export type McpReadMethod = "search" | "status" | "getPage" | "getBlock" | "backlinks" | "tasks";
export type IndexRead = <M extends McpReadMethod>(method: M, params: ControlParams<M>) => Promise<ControlResult<M>>;

const SERVER_INFO = { name: "sync-pipeline", version: "0.1.0" };
const READ_ONLY = { readOnlyHint: true, idempotentHint: true, openWorldHint: false };

/**
 * The MCP server: five read-only tools over the index. Every tool's params
 * go through the control API's own checks before `read`, so the service and
 * a direct read get (and normalise) exactly the same request. A page or
 * block that does not exist is a tool error (isError) with a message the
 * model can act on; so is any failure of the read (the SDK turns a thrown
 * error into one), never a crash of the server.
 */
export function createMcpServer(read: IndexRead): McpServer {
  const server = new McpServer(SERVER_INFO, { capabilities: { tools: {} } });

  server.registerTool("search", { ...searchTool, annotations: { title: "Search notes", ...READ_ONLY } }, async (args) => {
    const query: SearchQuery = { text: args.query, limit: args.limit };
    if (args.page !== undefined) query.page = args.page;
    if (args.tag !== undefined) query.tag = args.tag;
    if (args.marker !== undefined) query.marker = args.marker;
    return result({ hits: await read("search", query) });
  });

  server.registerTool("get_page", { ...getPageTool, annotations: { title: "Read a page", ...READ_ONLY } }, async (args) => {
    const page = await read("getPage", checkPageQuery(args));
    return page !== null ? result(page) : notFound(`No page is named or aliased "${args.name}". Use search to find the page's exact name.`);
  });

  server.registerTool("get_block", { ...getBlockTool, annotations: { title: "Read a block", ...READ_ONLY } }, async (args) => {
    const block = await read("getBlock", checkBlockQuery(args));
    return block !== null ? result(block) : notFound(`No block has the id "${args.id}". Block ids come from search, backlinks or tasks results.`);
  });

  server.registerTool("backlinks", { ...backlinksTool, annotations: { title: "Linked references", ...READ_ONLY } }, async (args) => {
    const links = await read("backlinks", checkBacklinksQuery(withoutUndefined(args)));
    return links !== null ? result(links) : notFound(`No page is named or aliased "${args.name}", and no block links to it. Use search to find the page's exact name.`);
  });

  server.registerTool("tasks", { ...tasksTool, annotations: { title: "List tasks", ...READ_ONLY } }, async (args) => {
    return result({ tasks: await read("tasks", checkTasksQuery(withoutUndefined(args))) });
  });

  return server;
}

function result(value: object): CallToolResult {
  return { content: [{ type: "text", text: JSON.stringify(value, null, 2) }], structuredContent: value as Record<string, unknown> };
}

function notFound(message: string): CallToolResult {
  return { content: [{ type: "text", text: message }], isError: true };
}

/** The checks reject unknown keys, and read an absent optional field as undefined. */
function withoutUndefined<T extends object>(args: T): T {
  return Object.fromEntries(Object.entries(args).filter(([, value]) => value !== undefined)) as T;
}
