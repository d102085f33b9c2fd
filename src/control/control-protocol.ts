import { type ControlMethod, controlMethods, isControlMethod } from "./control-api.ts";

/**
 * The control socket's wire format: newline-delimited JSON, one request
 * `{id, method, params}` in, one reply `{id, result}` or
 * `{id, error: {code, message}}` out, each on one line. A stream request
 * (`events`) is answered `{id, result: {streaming: true}}`, then
 * `{id, event}` lines and, for a reader that fell behind, `{id, lagged: n}`.
 */
export type RequestId = string | number | null;
export type ControlRequest = { id: RequestId; method: ControlMethod; params: unknown };

/** Why the server refused or failed a request: clients branch on these. */
export const ControlErrorCode = {
  badRequest: "BAD_REQUEST",
  failed: "FAILED",
  lineTooLong: "LINE_TOO_LONG",
  tooManyConnections: "TOO_MANY_CONNECTIONS",
  idleTimeout: "IDLE_TIMEOUT",
} as const;
export type ControlErrorCode = (typeof ControlErrorCode)[keyof typeof ControlErrorCode];

export type ControlReply =
  | { id: RequestId; result: unknown }
  | { id: RequestId; error: { code: ControlErrorCode; message: string } }
  /** On a stream (`events`): one domain event. */
  | { id: RequestId; event: unknown }
  /** On a stream: this many events were dropped because the reader fell behind. */
  | { id: RequestId; lagged: number };

/** A request that cannot be served; `id` is the request's own when it was readable. */
export class BadRequest extends Error {
  override name = "BadRequest";
  readonly id: RequestId;
  constructor(message: string, id: RequestId = null) {
    super(message);
    this.id = id;
  }
}

/**
 * Reads one request line. The id is echoed in the reply, so only a string,
 * number or null is taken: a nested one (JSON 5,000 deep) once overflowed
 * the stack when the reply was serialised.
 */
export function parseRequest(line: string): ControlRequest {
  let request: unknown;
  try {
    request = JSON.parse(line);
  } catch (error) {
    throw new BadRequest(`request is not JSON: ${(error as Error).message}`);
  }
  if (request === null || typeof request !== "object" || Array.isArray(request)) throw new BadRequest("request must be a JSON object");
  const { id = null, method, params } = request as { id?: unknown; method?: unknown; params?: unknown };
  if (id !== null && typeof id !== "string" && typeof id !== "number") throw new BadRequest("request.id must be a string, a number or null");
  if (!isControlMethod(method)) throw new BadRequest(`request.method must be ${controlMethods.map((m) => `"${m}"`).join(" or ")}`, id);
  return { id, method, params };
}

export function errorReply(id: RequestId, code: ControlErrorCode, message: string): ControlReply {
  return { id, error: { code, message } };
}

/**
 * One reply line. Never throws: a result that cannot be serialised (too
 * deep, a cycle) becomes an error reply, whose id is a checked primitive.
 */
export function replyLine(reply: ControlReply): string {
  try {
    return JSON.stringify(reply, (_key, value) => (typeof value === "bigint" ? Number(value) : value)) + "\n";
  } catch (error) {
    const message = `the reply could not be serialised: ${error instanceof Error ? error.message : String(error)}`;
    return JSON.stringify(errorReply(reply.id, ControlErrorCode.failed, message)) + "\n";
  }
}
