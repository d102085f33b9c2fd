import type { SearchHit, SearchQuery } from "../index/search.ts";
import type { IndexStatus } from "../index/status.ts";
import { isResolutionStrategy, type ResolutionStrategy, type SyncConflict } from "../pipeline/conflict-types.ts";

/** `status` as the service answers it: the index's status plus the service's own state. */
export type ServiceStatus = IndexStatus & { service?: Record<string, unknown> };

/**
 * What the control socket offers: the service implements it, the CLI calls
 * it (`callService`), and the server checks each request's params against it.
 */
export type ControlApi = {
  search(params: SearchQuery): Promise<SearchHit[]>;
  status(params: undefined): Promise<ServiceStatus>;
  /** Open conflicts, or all of them. */
  conflicts(params: { all: boolean }): Promise<SyncConflict[]>;
  /** ResolveSyncConflict: the service records the decision and applies the chosen side. */
  resolve(params: { id: number; strategy: ResolutionStrategy }): Promise<SyncConflict>;
};

export type ControlMethod = keyof ControlApi;
export type ControlParams<M extends ControlMethod> = Parameters<ControlApi[M]>[0];
export type ControlResult<M extends ControlMethod> = Awaited<ReturnType<ControlApi[M]>>;

export const controlMethods: readonly ControlMethod[] = ["search", "status", "conflicts", "resolve"];

export function isControlMethod(method: unknown): method is ControlMethod {
  return typeof method === "string" && (controlMethods as readonly string[]).includes(method);
}

/**
 * Checks `params` for `method` (the socket's input is untrusted; a
 * TypeError/RangeError names the bad field), then returns the call to make.
 * Checking apart from calling lets the server tell a bad request from a
 * failure inside the service.
 */
export function prepareCall(api: ControlApi, method: ControlMethod, params: unknown): () => Promise<unknown> {
  switch (method) {
    case "search": {
      const query = checkSearchQuery(params);
      return () => api.search(query);
    }
    case "status":
      if (params !== undefined && params !== null) throw new TypeError("status takes no params");
      return () => api.status(undefined);
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

/** The params object of `method`, refusing fields it does not take. */
function fieldsOf(params: unknown, method: string, fields: string[]): Record<string, unknown> {
  if (params === null || typeof params !== "object" || Array.isArray(params)) throw new TypeError(`${method} params must be an object`);
  for (const key of Object.keys(params)) {
    if (!fields.includes(key)) throw new TypeError(`${method} params.${key.slice(0, 40)} is not a ${method} field`);
  }
  return params as Record<string, unknown>;
}
