import { listValue } from "./duckdb.ts";
import type { DuckDBConnection } from "@duckdb/node-api";
import { isoDay, pageKey } from "./page-lookup.ts";
import { parseDay, TaskDateField, type TasksQuery } from "./read-params.ts";

export type TaskHit = {
  blockId: string;
  page: string;
  path: string;
  marker: string;
  priority: string | null;
  scheduled: string | null;
  deadline: string | null;
  content: string;
};

/**
 * Tasks: blocks with a marker, optionally only some markers, a page, and a
 * SCHEDULED/DEADLINE day range. Ordered by their earliest date in scope
 * (undated last), then page and file order.
 */
export async function readTasks(connection: DuckDBConnection, query: TasksQuery): Promise<TaskHit[]> {
  const where = ["b.marker IS NOT NULL"];
  const params: Record<string, ReturnType<typeof listValue> | string | number> = { limit: query.limit };
  if (query.markers.length > 0) {
    params["markers"] = listValue(query.markers);
    where.push("list_contains($markers::VARCHAR[], b.marker)");
  }
  if (query.page !== undefined) {
    params["page"] = pageKey(query.page);
    where.push("(pg.name = $page OR list_contains(pg.aliases, $page))");
  }
  const fields = query.dateField === TaskDateField.either ? ["b.scheduled", "b.deadline"] : [`b.${query.dateField}`];
  const ranged = query.from !== undefined || query.to !== undefined;
  if (ranged) {
    params["from"] = query.from === undefined ? 0 : (parseDay(query.from) as number);
    params["to"] = query.to === undefined ? 99_999_999 : (parseDay(query.to) as number);
    where.push(`(${fields.map((field) => `${field} BETWEEN $from AND $to`).join(" OR ")})`);
  }
  // The day that put a task in range sorts it; least() skips NULLs.
  const inRange = (field: string) => (ranged ? `CASE WHEN ${field} BETWEEN $from AND $to THEN ${field} END` : field);
  const sortDay = fields.length === 1 ? inRange(fields[0] as string) : `least(${fields.map(inRange).join(", ")})`;
  const reader = await connection.runAndReadAll(
    `SELECT b.id, pg.original_name, b.path, b.marker, b.priority, b.scheduled, b.deadline, b.content
     FROM blocks b JOIN pages pg ON pg.path = b.path
     WHERE ${where.join(" AND ")}
     ORDER BY ${sortDay} NULLS LAST, pg.name, b.path, b.seq LIMIT $limit`,
    params,
  );
  return reader.getRowsJson().map((row) => ({
    blockId: row[0] as string,
    page: row[1] as string,
    path: row[2] as string,
    marker: row[3] as string,
    priority: (row[4] as string | null) ?? null,
    scheduled: isoDay((row[5] as number | null) ?? null),
    deadline: isoDay((row[6] as number | null) ?? null),
    content: row[7] as string,
  }));
}
