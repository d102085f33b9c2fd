import { Buffer } from "node:buffer";
import { connect } from "node:net";
import { unlink } from "node:fs/promises";
import type { ControlParams, ControlRequestMethod, ControlResult } from "./control-api.ts";
import type { ControlReply } from "./control-protocol.ts";

export { controlSocketPath } from "./control-socket-path.ts";

/** A service answered with an error (bad request, a socket limit, the index failed). */
export class ControlRequestFailed extends Error {
  readonly code = "CONTROL_REQUEST_FAILED" as const;
  override name = "ControlRequestFailed";
  /** The server's reason (see ControlErrorCode), e.g. TOO_MANY_CONNECTIONS. */
  readonly reason: string;
  constructor(message: string, reason: string) {
    super(message);
    this.reason = reason;
  }
}

/**
 * Asks the running service. Resolves to `{ result }`, or to null when no
 * service listens (no socket, or a stale one left by a crash, which is
 * removed so the caller can open the database directly).
 */
export async function callService<M extends ControlRequestMethod>(
  socketPath: string,
  method: M,
  params: ControlParams<M>,
  options: { timeoutMs?: number } = {},
): Promise<{ result: ControlResult<M> } | null> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    const chunks: Buffer[] = [];
    let connected = false;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the service at ${socketPath} did not answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const finish = (settle: () => void) => {
      clearTimeout(timer);
      socket.destroy();
      settle();
    };
    socket.on("connect", () => {
      connected = true;
      socket.write(JSON.stringify({ id: 1, method, params }) + "\n");
    });
    socket.on("data", (chunk: Buffer) => {
      // Look for the newline in the new chunk only: a large reply arrives in many chunks.
      const newline = chunk.indexOf(0x0a);
      chunks.push(newline < 0 ? chunk : chunk.subarray(0, newline));
      if (newline < 0) return;
      let reply: ControlReply;
      try {
        reply = JSON.parse(Buffer.concat(chunks).toString("utf8")) as ControlReply;
      } catch (error) {
        finish(() => reject(new Error(`the service sent an unreadable reply: ${(error as Error).message}`)));
        return;
      }
      if ("error" in reply) finish(() => reject(new ControlRequestFailed(`the service refused the request: ${reply.error.message}`, reply.error.code)));
      else if ("result" in reply) finish(() => resolve({ result: reply.result as ControlResult<M> }));
      else finish(() => reject(new Error(`the service sent a stream line to a request: ${JSON.stringify(reply).slice(0, 200)}`)));
    });
    socket.on("error", (error: NodeJS.ErrnoException) => {
      if (!connected && (error.code === "ENOENT" || error.code === "ECONNREFUSED")) {
        // ECONNREFUSED on a Unix socket: the file is there but nobody listens (the service crashed).
        const stale = error.code === "ECONNREFUSED" ? unlink(socketPath).catch(() => {}) : Promise.resolve();
        void stale.then(() => finish(() => resolve(null)));
        return;
      }
      finish(() => reject(error));
    });
    // Before a connection, "error" decides; after it, a close with no reply is a failure.
    socket.on("close", () => connected && finish(() => reject(new Error(`the service at ${socketPath} closed the connection without answering`))));
  });
}
