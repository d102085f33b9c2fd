import { validDay } from "../logseq/dates.ts";
import { TASK_MARKERS } from "../logseq/tasks.ts";

/*
 * The params of the index reads behind the MCP tools (get_page, get_block,
 * backlinks, tasks) and their checks. They arrive over the control socket,
 * which is untrusted: a TypeError/RangeError names the bad field, as
 * `search`'s checks do. This file loads no DuckDB: the control server
 * checks requests on the service's main thread.
 */

export type PageQuery = { name: string };
export type BlockQuery = { id: string };
export type BacklinksQuery = { name: string; limit: number };

/** Which planning date a day range applies to; `either` takes a task whose SCHEDULED or DEADLINE day falls in it. */
export const TaskDateField = { scheduled: "scheduled", deadline: "deadline", either: "either" } as const;
export type TaskDateField = (typeof TaskDateField)[keyof typeof TaskDateField];

export type TasksQuery = {
  /** Upper-case markers; empty: any task. */
  markers: string[];
  /** Inclusive day range, `YYYY-MM-DD` or `YYYYMMDD`; either end may be open. */
  from?: string;
  to?: string;
  dateField: TaskDateField;
  /** Only tasks of this page (name or alias, any case). */
  page?: string;
  limit: number;
};

export const BACKLINKS_DEFAULT_LIMIT = 50;
export const TASKS_DEFAULT_LIMIT = 50;
/** Replies stay small enough for a model's context and the socket's reply buffer. */
export const READ_MAX_LIMIT = 500;
export const taskMarkers: readonly string[] = [...TASK_MARKERS].sort();

/** `2024-03-02` or `20240302` → 20240302; null when it is not a real calendar day. */
export function parseDay(text: string): number | null {
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(text.trim());
  return m === null ? null : validDay(Number(m[1]), Number(m[2]), Number(m[3]));
}

export function checkPageQuery(params: unknown): PageQuery {
  const record = paramsObject("getPage", params, ["name"]);
  return { name: requiredString("getPage", record, "name") };
}

export function checkBlockQuery(params: unknown): BlockQuery {
  const record = paramsObject("getBlock", params, ["id"]);
  return { id: requiredString("getBlock", record, "id").trim().toLowerCase() };
}

export function checkBacklinksQuery(params: unknown): BacklinksQuery {
  const record = paramsObject("backlinks", params, ["name", "limit"]);
  return { name: requiredString("backlinks", record, "name"), limit: optionalLimit("backlinks", record, BACKLINKS_DEFAULT_LIMIT) };
}

export function checkTasksQuery(params: unknown): TasksQuery {
  const record = paramsObject("tasks", params, ["markers", "from", "to", "dateField", "page", "limit"]);
  const markers = record["markers"] ?? [];
  if (!Array.isArray(markers) || markers.some((m) => typeof m !== "string" || !TASK_MARKERS.has(m.toUpperCase()))) {
    throw new TypeError(`tasks params.markers must be a list of ${taskMarkers.join(", ")}`);
  }
  const dateField = record["dateField"] ?? TaskDateField.either;
  if (typeof dateField !== "string" || !Object.hasOwn(TaskDateField, dateField)) {
    throw new TypeError("tasks params.dateField must be scheduled, deadline or either");
  }
  const query: TasksQuery = {
    markers: [...new Set((markers as string[]).map((m) => m.toUpperCase()))],
    dateField: dateField as TaskDateField,
    limit: optionalLimit("tasks", record, TASKS_DEFAULT_LIMIT),
  };
  for (const key of ["from", "to"] as const) {
    const value = record[key];
    if (value === undefined) continue;
    if (typeof value !== "string" || parseDay(value) === null) throw new RangeError(`tasks params.${key} must be a day, YYYY-MM-DD or YYYYMMDD`);
    query[key] = value;
  }
  const page = record["page"];
  if (page !== undefined && typeof page !== "string") throw new TypeError("tasks params.page must be a string");
  if (page !== undefined) query.page = page;
  return query;
}

function paramsObject(method: string, params: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (params === null || typeof params !== "object" || Array.isArray(params)) throw new TypeError(`${method} params must be an object`);
  const record = params as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!allowed.includes(key)) throw new TypeError(`${method} params.${key.slice(0, 40)} is not a ${method} field`);
  }
  return record;
}

function requiredString(method: string, record: Record<string, unknown>, key: string): string {
  const value = record[key];
  if (typeof value !== "string" || value.trim() === "") throw new TypeError(`${method} params.${key} must be a non-empty string`);
  return value;
}

/** A whole number in 1..READ_MAX_LIMIT, or `fallback` when absent. */
function optionalLimit(method: string, record: Record<string, unknown>, fallback: number): number {
  const value = record["limit"];
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > READ_MAX_LIMIT) {
    throw new RangeError(`${method} params.limit must be a whole number from 1 to ${READ_MAX_LIMIT}`);
  }
  return value;
}
