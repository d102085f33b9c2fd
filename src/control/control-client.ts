import { connect } from "node:net";
import { unlink } from "node:fs/promises";

/** The running service's control socket: beside the database, so it names the index it serves. */
export function controlSocketPath(database: string): string {
  return `${database}.sock`;
}

export type ControlMethod = "search" | "status";

/** A service answered with an error (bad request, the index failed). */
export class ControlRequestFailed extends Error {
  readonly code = "CONTROL_REQUEST_FAILED" as const;
  override name = "ControlRequestFailed";
}

/**
 * Asks the running service. Resolves to `{ result }`, or to null when no
 * service listens (no socket, or a stale one left by a crash, which is
 * removed so the caller can open the database directly).
 */
export async function callService(
  socketPath: string,
  method: ControlMethod,
  params: unknown,
  options: { timeoutMs?: number } = {},
): Promise<{ result: unknown } | null> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    let buffer = "";
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
    socket.setEncoding("utf8");
    socket.on("connect", () => {
      connected = true;
      socket.write(JSON.stringify({ id: 1, method, params }) + "\n");
    });
    socket.on("data", (chunk: string) => {
      buffer += chunk;
      const newline = buffer.indexOf("\n");
      if (newline < 0) return;
      let reply: { id?: unknown; result?: unknown; error?: { message?: string } };
      try {
        reply = JSON.parse(buffer.slice(0, newline));
      } catch (error) {
        finish(() => reject(new Error(`the service sent an unreadable reply: ${(error as Error).message}`)));
        return;
      }
      if (reply.error) finish(() => reject(new ControlRequestFailed(reply.error?.message ?? "request failed")));
      else finish(() => resolve({ result: reply.result }));
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
