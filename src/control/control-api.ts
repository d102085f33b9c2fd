import type { SearchHit, SearchQuery } from "../index/search.ts";
import type { IndexStatus } from "../index/status.ts";
import type { RepairReport, VerifyReport } from "../index/verify-report.ts";

/** `status` as the service answers it: the index's status plus the service's own state. */
export type ServiceStatus = IndexStatus & { service?: Record<string, unknown> };

/**
 * What the control socket offers: the service implements it, the CLI calls
 * it (`callService`), and the server checks each request's params against it.
 */
export type ControlApi = {
  search(params: SearchQuery): Promise<SearchHit[]>;
  status(params: undefined): Promise<ServiceStatus>;
  /** `verify`: the report; with `repair`, the repair's report. */
  verify(params: { repair: boolean }): Promise<VerifyReport | RepairReport>;
};

export type ControlMethod = keyof ControlApi;
export type ControlParams<M extends ControlMethod> = Parameters<ControlApi[M]>[0];
export type ControlResult<M extends ControlMethod> = Awaited<ReturnType<ControlApi[M]>>;

export const controlMethods: readonly ControlMethod[] = ["search", "status", "verify"];

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
    case "verify": {
      const p = params as Record<string, unknown> | null;
      if (p === null || typeof p !== "object" || Array.isArray(p) || Object.keys(p).some((key) => key !== "repair") || typeof p["repair"] !== "boolean") {
        throw new TypeError("verify params must be {repair: boolean}");
      }
      const repair = p["repair"];
      return () => api.verify({ repair });
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
