import { chmod, unlink } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import process from "node:process";

/** Answers one request; a thrown error is sent back as `{ error: { message } }`. */
export type ControlHandler = (method: string, params: unknown) => Promise<unknown>;

/** Longest request line accepted; a search request is tiny. */
const MAX_LINE = 1 << 20;

/**
 * The service's control channel: a Unix socket only its user may open
 * (mode 0600), speaking newline-delimited JSON — `{id, method, params}` in,
 * `{id, result}` or `{id, error}` out, one line each. Plain NDJSON rather
 * than comlink: comlink wraps MessagePort-style endpoints, and a socket's
 * byte stream would need framing and an adapter just to carry two methods.
 */
export class ControlServer {
  readonly path: string;
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();

  private constructor(path: string, server: Server) {
    this.path = path;
    this.#server = server;
  }

  /**
   * Listens at `path`. A file already there is a stale socket: the caller
   * holds the database, so no other service can be serving it.
   */
  static async listen(path: string, handler: ControlHandler): Promise<ControlServer> {
    await unlink(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== "ENOENT") throw error;
    });
    const server = createServer();
    const control = new ControlServer(path, server);
    server.on("connection", (socket) => control.#serve(socket, handler));
    // Created with no group/other access from the start (umask), then chmod for hosts without umask.
    const previousMask = setUmask(0o177);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(path, () => {
          server.off("error", reject);
          resolve();
        });
      });
    } finally {
      if (previousMask !== undefined) setUmask(previousMask);
    }
    await chmod(path, 0o600);
    return control;
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
    await unlink(this.path).catch(() => {});
  }

  #serve(socket: Socket, handler: ControlHandler): void {
    this.#sockets.add(socket);
    socket.on("close", () => this.#sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    socket.setEncoding("utf8");
    let buffer = "";
    socket.on("data", (chunk: string) => {
      buffer += chunk;
      for (let newline = buffer.indexOf("\n"); newline >= 0; newline = buffer.indexOf("\n")) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        if (line.trim() !== "") void this.#answer(socket, line, handler);
      }
      if (buffer.length > MAX_LINE) socket.destroy();
    });
  }

  async #answer(socket: Socket, line: string, handler: ControlHandler): Promise<void> {
    let id: unknown = null;
    let reply: unknown;
    try {
      const request = JSON.parse(line) as { id?: unknown; method?: unknown; params?: unknown };
      id = request.id ?? null;
      if (typeof request.method !== "string") throw new TypeError("request.method must be a string");
      reply = { id, result: await handler(request.method, request.params) };
    } catch (error) {
      reply = { id, error: { message: error instanceof Error ? error.message : String(error) } };
    }
    if (!socket.destroyed) socket.write(JSON.stringify(reply, (_key, value) => (typeof value === "bigint" ? Number(value) : value)) + "\n");
  }
}

function setUmask(mask: number): number | undefined {
  try {
    return process.umask(mask);
  } catch {
    return undefined; // not available (e.g. in a worker or some runtimes); chmod below still applies
  }
}
