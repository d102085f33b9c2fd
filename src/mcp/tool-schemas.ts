import { z } from "zod";
import { parseDay, READ_MAX_LIMIT, taskMarkers } from "../index/read-params.ts";

/*
 * The MCP tools' input schemas and descriptions. The descriptions are for a
 * model choosing and calling a tool: what comes back, when to use it, and
 * example arguments.
 */

/** The most search hits one call returns: a model's context is the limit, not the index. */
export const SEARCH_MAX_LIMIT = 100;

const day = z
  .string()
  .regex(/^\d{4}-?\d{2}-?\d{2}$/, "a day is YYYY-MM-DD or YYYYMMDD")
  .refine((text) => parseDay(text) !== null, "not a calendar day");

export const searchTool = {
  description: [
    "Full-text search over the blocks (bullet points) of the user's Logseq notes.",
    "Returns the best-ranked blocks, each with its page name, file path, block id (a UUID for get_block) and content.",
    "Use it to find notes about a topic before reading whole pages with get_page.",
    "Filters narrow the hits: `page` (a page name or alias), `tag` (#tag on the block or tags:: of its page), `marker` (task state).",
    'Examples: {"query": "duckdb index"}, {"query": "tomatoes", "page": "Garden"}, {"query": "", "marker": "TODO", "tag": "work"}.',
  ].join(" "),
  inputSchema: {
    query: z.string().describe("Words to find; all of them need not occur, blocks with more of them rank first. May be empty when a filter is given."),
    page: z.string().min(1).optional().describe("Only blocks of this page (name or alias, any case)"),
    tag: z.string().min(1).optional().describe("Only blocks with this tag, with or without #"),
    marker: z.enum(taskMarkers as [string, ...string[]]).optional().describe("Only tasks in this state"),
    limit: z.number().int().min(1).max(SEARCH_MAX_LIMIT).default(10).describe(`How many hits, 1 to ${SEARCH_MAX_LIMIT}`),
  },
};

export const getPageTool = {
  description: [
    "Reads one page of the user's Logseq notes.",
    "Returns its name, file path, journal day (journal pages), properties, aliases, tags, and its whole outline as Markdown",
    "(`- ` bullets, two spaces of indent per level, the page's properties first).",
    "Use it after search or backlinks has pointed at a page, or when the user names a page.",
    'Examples: {"name": "DuckDB"}, {"name": "duckdb"} (any case), {"name": "2024-03-01"} (that day\'s journal).',
  ].join(" "),
  inputSchema: {
    name: z.string().trim().min(1).describe("Page name or alias, any case; a day YYYY-MM-DD finds that journal page"),
  },
};

export const getBlockTool = {
  description: [
    "Reads one block by its id (the UUID that search, backlinks and tasks return, or a ((uuid)) block reference in a note).",
    "Returns the block's content, task fields and properties, its page and path, its ancestors (outermost first)",
    "so the block can be understood in context, and the block with its children as Markdown.",
    'Example: {"id": "6650f0a1-0000-4000-8000-000000000001"}.',
  ].join(" "),
  inputSchema: {
    id: z.string().trim().min(1).describe("Block UUID"),
  },
};

export const backlinksTool = {
  description: [
    "Lists the blocks of other pages that link to a page, by its name or any of its aliases",
    "([[page]], #page, tags:: page, {{embed [[page]]}}, or a property value): Logseq's linked references.",
    "Returns the total and the referring blocks, each with its page, path, block id, content and how it links.",
    "Use it to see what the user's notes say about a page elsewhere.",
    'Examples: {"name": "DuckDB"}, {"name": "project x", "limit": 20}.',
  ].join(" "),
  inputSchema: {
    name: z.string().trim().min(1).describe("Page name or alias, any case"),
    limit: z.number().int().min(1).max(READ_MAX_LIMIT).optional().describe(`How many referring blocks, 1 to ${READ_MAX_LIMIT} (default 50)`),
  },
};

export const tasksTool = {
  description: [
    "Lists task blocks (TODO, DOING, LATER, NOW, DONE, ...) of the user's Logseq notes,",
    "optionally only some states, one page, and a day range on their SCHEDULED and/or DEADLINE dates.",
    "Returns each task's block id, page, path, state, priority, scheduled and deadline days (YYYY-MM-DD) and content,",
    "ordered by date (undated last).",
    'Examples: {"markers": ["TODO", "DOING"]}, {"from": "2024-03-01", "to": "2024-03-07"} (scheduled or due that week),',
    '{"markers": ["TODO"], "to": "20240301", "dateField": "deadline"} (overdue by March 1st).',
  ].join(" "),
  inputSchema: {
    markers: z.array(z.enum(taskMarkers as [string, ...string[]])).optional().describe("Task states to list; all when absent"),
    from: day.optional().describe("First day of the range, YYYY-MM-DD or YYYYMMDD (inclusive)"),
    to: day.optional().describe("Last day of the range, YYYY-MM-DD or YYYYMMDD (inclusive)"),
    dateField: z
      .enum(["scheduled", "deadline", "either"])
      .optional()
      .describe("Which date the range applies to: scheduled, deadline, or either (default)"),
    page: z.string().min(1).optional().describe("Only tasks of this page (name or alias, any case)"),
    limit: z.number().int().min(1).max(READ_MAX_LIMIT).optional().describe(`How many tasks, 1 to ${READ_MAX_LIMIT} (default 50)`),
  },
};
