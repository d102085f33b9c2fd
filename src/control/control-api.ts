import type { PageHit, PageSearchQuery } from "../index/page-search.ts";
import type { SearchHit, SearchQuery } from "../index/search.ts";
import type { IndexStatus } from "../index/status.ts";
import type { SyncEventListener } from "../pipeline/sync-domain-event.ts";
import type { PendingOperations, SyncStatusResponse } from "../pipeline/sync-status-model.ts";
import type { HealthReport } from "../observe/health.ts";
import type { BacklinksView } from "../index/backlinks.ts";
import type { BlockView } from "../index/block-context.ts";
import type { PageView } from "../index/page-tree.ts";
import type { TaskHit } from "../index/tasks-query.ts";
import {
  type BacklinksQuery, type BlockQuery, checkBacklinksQuery, checkBlockQuery, checkPageQuery, checkTasksQuery, type PageQuery, type TasksQuery,
} from "../index/read-params.ts";
import type { RepairReport, VerifyReport } from "../index/verify-report.ts";
import { isResolutionStrategy, type ResolutionStrategy, type SyncConflict } from "../pipeline/conflict-types.ts";

/**
 * `status` as the service answers it: the index's counts (read beside the
 * writer, or the latest ones when that read is slow: `indexCountsAgeMs`), the
 * service's lifecycle (`service`) and the read model's SyncStatusResponse (`sync`).
 */
export type ServiceStatus = IndexStatus & {
  service?: Record<string, unknown>;
  sync?: SyncStatusResponse;
  /** How old the index counts are: 0 when read for this answer. */
  indexCountsAgeMs?: number;
};

/** PauseSyncOperations / ResumeSyncOperations: whether the service is now paused, and what waits. */
export type PauseResult = { paused: boolean; pending: PendingOperations };

/**
 * What the control socket offers: the service implements it, the CLI calls
 * it (`callService`, `followService`), and the server checks each request's
 * params against it. `events` is the one stream: the server calls `listener`
 * for every domain event until it calls the returned unsubscribe function.
 */
export type ControlApi = {
  search(params: SearchQuery): Promise<SearchHit[]>;
  searchPages(params: PageSearchQuery): Promise<PageHit[]>;
  status(params: undefined): Promise<ServiceStatus>;
  pause(params: undefined): Promise<PauseResult>;
  resume(params: undefined): Promise<PauseResult>;
  events(params: undefined, listener: SyncEventListener): () => void;
  health(params: undefined): Promise<HealthReport>;
  // Reads for the MCP tools (src/mcp); null: no such page/block.
  getPage(params: PageQuery): Promise<PageView | null>;
  getBlock(params: BlockQuery): Promise<BlockView | null>;
  backlinks(params: BacklinksQuery): Promise<BacklinksView | null>;
  tasks(params: TasksQuery): Promise<TaskHit[]>;
  /** `verify`: the report; with `repair`, the repair's report. */
  verify(params: { repair: boolean }): Promise<VerifyReport | RepairReport>;
  /** Open conflicts, or all of them. */
  conflicts(params: { all: boolean }): Promise<SyncConflict[]>;
  /** ResolveSyncConflict: the service records the decision and applies the chosen side. */
  resolve(params: { id: number; strategy: ResolutionStrategy }): Promise<SyncConflict>;
};

export type ControlMethod = keyof ControlApi;
/** The methods with one request and one reply. */
export type ControlRequestMethod = Exclude<ControlMethod, "events">;
export type ControlParams<M extends ControlMethod> = Parameters<ControlApi[M]>[0];
export type ControlResult<M extends ControlRequestMethod> = Awaited<ReturnType<ControlApi[M]>>;

export const controlMethods: readonly ControlMethod[] = ["search", "searchPages", "status", "pause", "resume", "events", "health", "getPage", "getBlock", "backlinks", "tasks", "verify", "conflicts", "resolve"];

export function isControlMethod(method: unknown): method is ControlMethod {
  return typeof method === "string" && (controlMethods as readonly string[]).includes(method);
}

/**
 * Checks `params` for `method` (the socket's input is untrusted; a
 * TypeError/RangeError names the bad field), then returns the call to make.
 * Checking apart from calling lets the server tell a bad request from a
 * failure inside the service.
 */
export function prepareCall(api: ControlApi, method: ControlRequestMethod, params: unknown): () => Promise<unknown> {
  switch (method) {
    case "search": {
      const query = checkSearchQuery(params);
      return () => api.search(query);
    }
    case "searchPages": {
      const query = checkPageSearchQuery(params);
      return () => api.searchPages(query);
    }
    case "status":
    case "pause":
    case "resume":
      checkNoParams(method, params);
      return () => api[method](undefined);
    case "health":
      checkNoParams(method, params);
      return () => api.health(undefined);
    case "getPage": {
      const query = checkPageQuery(params);
      return () => api.getPage(query);
    }
    case "getBlock": {
      const query = checkBlockQuery(params);
      return () => api.getBlock(query);
    }
    case "backlinks": {
      const query = checkBacklinksQuery(params);
      return () => api.backlinks(query);
    }
    case "tasks": {
      const query = checkTasksQuery(params);
      return () => api.tasks(query);
    }
    case "verify": {
      const p = params as Record<string, unknown> | null;
      if (p === null || typeof p !== "object" || Array.isArray(p) || Object.keys(p).some((key) => key !== "repair") || typeof p["repair"] !== "boolean") {
        throw new TypeError("verify params must be {repair: boolean}");
      }
      const repair = p["repair"];
      return () => api.verify({ repair });
    }
    case "conflicts": {
      const all = fieldsOf(params, "conflicts", ["all"])["all"];
      if (typeof all !== "boolean") throw new TypeError("conflicts params.all must be a boolean");
      return () => api.conflicts({ all });
    }
    case "resolve": {
      const { id, strategy } = fieldsOf(params, "resolve", ["id", "strategy"]);
      if (typeof id !== "number" || !Number.isSafeInteger(id) || id < 1) throw new RangeError("resolve params.id must be a positive whole number");
      if (!isResolutionStrategy(strategy)) throw new RangeError('resolve params.strategy must be "filesystem" or "index"');
      return () => api.resolve({ id, strategy });
    }
    default: {
      const never: never = method;
      throw new RangeError(`unknown method ${String(never)}`);
    }
  }
}

/** Checks a stream request's params, then returns the subscription to make. */
export function prepareStream(api: ControlApi, method: "events", params: unknown): (listener: SyncEventListener) => () => void {
  checkNoParams(method, params);
  return (listener) => api.events(undefined, listener);
}

function checkNoParams(method: ControlMethod, params: unknown): void {
  if (params !== undefined && params !== null) throw new TypeError(`${method} takes no params`);
}

function checkSearchQuery(params: unknown): SearchQuery {
  if (params === null || typeof params !== "object" || Array.isArray(params)) throw new TypeError("search params must be an object");
  const q = params as Record<string, unknown>;
  for (const key of Object.keys(q)) {
    if (!["text", "limit", "page", "tag", "marker"].includes(key)) throw new TypeError(`search params.${key.slice(0, 40)} is not a search field`);
  }
  if (typeof q["text"] !== "string") throw new TypeError("search params.text must be a string");
  const limit = q["limit"];
  if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 1) throw new RangeError("search params.limit must be a positive whole number");
  const query: SearchQuery = { text: q["text"], limit };
  for (const key of ["page", "tag", "marker"] as const) {
    const value = q[key];
    if (value !== undefined && typeof value !== "string") throw new TypeError(`search params.${key} must be a string`);
    if (value !== undefined) query[key] = value;
  }
  return query;
}

function checkPageSearchQuery(params: unknown): PageSearchQuery {
  if (params === null || typeof params !== "object" || Array.isArray(params)) throw new TypeError("searchPages params must be an object");
  const q = params as Record<string, unknown>;
  for (const key of Object.keys(q)) {
    if (!["text", "limit"].includes(key)) throw new TypeError(`searchPages params.${key.slice(0, 40)} is not a searchPages field`);
  }
  if (typeof q["text"] !== "string") throw new TypeError("searchPages params.text must be a string");
  const limit = q["limit"];
  if (typeof limit !== "number" || !Number.isInteger(limit) || limit < 1) throw new RangeError("searchPages params.limit must be a positive whole number");
  return { text: q["text"], limit };
}

/** The params object of `method`, refusing fields it does not take. */
function fieldsOf(params: unknown, method: string, fields: string[]): Record<string, unknown> {
  if (params === null || typeof params !== "object" || Array.isArray(params)) throw new TypeError(`${method} params must be an object`);
  for (const key of Object.keys(params)) {
    if (!fields.includes(key)) throw new TypeError(`${method} params.${key.slice(0, 40)} is not a ${method} field`);
  }
  return params as Record<string, unknown>;
}
