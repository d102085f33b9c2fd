import { Buffer } from "node:buffer";
import { chmod, lstat, unlink } from "node:fs/promises";
import { connect, createServer, type Server, type Socket } from "node:net";
import process from "node:process";
import type { SyncDomainEvent, SyncEventListener } from "../pipeline/sync-domain-event.ts";
import { type ControlApi, prepareCall, prepareStream } from "./control-api.ts";
import {
  type BadRequest, type ControlErrorCode, ControlErrorCode as Code, type ControlRequest, errorReply, parseRequest, replyLine, type RequestId,
} from "./control-protocol.ts";

/** What one client may hold: a hostile or broken client must cost the service little and never stop it. */
export type ControlLimits = {
  /** Longest request line; a request is tiny, and this bounds the bytes buffered per connection. */
  maxLineBytes: number;
  /** Open connections; one more is answered TOO_MANY_CONNECTIONS and closed. */
  maxConnections: number;
  /** A connection with no request in progress that sends nothing this long is answered IDLE_TIMEOUT and closed. */
  idleTimeoutMs: number;
  /**
   * Bytes of a stream (`events`) waiting for a slow reader; past it, events
   * are dropped and counted, and the reader is told how many (`lagged`) once
   * it catches up. Bounds the memory one reader costs, however slow.
   */
  maxStreamBufferBytes: number;
};

export const defaultControlLimits: ControlLimits = { maxLineBytes: 64 * 1024, maxConnections: 64, idleTimeoutMs: 30_000, maxStreamBufferBytes: 1024 * 1024 };

const NEWLINE = 0x0a;

/**
 * The service's control channel: a Unix socket only its user may open
 * (mode 0600), speaking newline-delimited JSON (see control-protocol.ts).
 * Plain NDJSON rather than comlink (decided for issue #10, measured in
 * docs/operate.md): comlink needs MessagePort-style endpoints, so a socket
 * needs a framing adapter; its `expose` lets any client GET, SET or call any
 * property path (one line polluted Object.prototype, another replaced a
 * method), a callback (comlink.proxy, for an event stream) needs a
 * MessagePort that cannot cross a socket, and bigint, Map and Date results
 * fail or change shape in JSON.
 *
 * Each connection is served one request at a time: reading pauses while a
 * request is answered, so a client that pipelines requests without reading
 * replies holds at most one reply in memory.
 */
export class ControlServer {
  readonly path: string;
  readonly #server: Server;
  readonly #limits: ControlLimits;
  readonly #sockets = new Set<Socket>();

  private constructor(path: string, server: Server, limits: ControlLimits) {
    this.path = path;
    this.#server = server;
    this.#limits = limits;
  }

  /**
   * Listens at `path`. A stale socket there (nobody listening: a crashed
   * service) is replaced; a live one (another service) or any other kind of
   * file is refused and left as it is.
   */
  static async listen(path: string, api: ControlApi, limits: Partial<ControlLimits> = {}): Promise<ControlServer> {
    await removeStaleSocket(path);
    const server = createServer();
    const control = new ControlServer(path, server, { ...defaultControlLimits, ...limits });
    server.on("connection", (socket) => control.#accept(socket, api));
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

  #accept(socket: Socket, api: ControlApi): void {
    socket.on("error", () => socket.destroy());
    if (this.#sockets.size >= this.#limits.maxConnections) {
      refuse(socket, Code.tooManyConnections, `the service already has ${this.#limits.maxConnections} open connections; try again later`);
      return;
    }
    this.#sockets.add(socket);
    socket.on("close", () => this.#sockets.delete(socket));
    this.#serve(socket, api);
  }

  #serve(socket: Socket, api: ControlApi): void {
    const { maxLineBytes, idleTimeoutMs } = this.#limits;
    const tooLong = `a request line may hold at most ${maxLineBytes} bytes`;
    let chunks: Buffer[] = [];
    let buffered = 0;
    let answering = false;
    // Node's socket timeout re-arms on any read or write, so a reply ends the idle time too.
    socket.setTimeout(idleTimeoutMs, () => {
      if (answering) return; // the wait is ours, not the client's
      // A client that leaves a reply unread cannot be told anything more.
      if (socket.writableLength > 0) socket.destroy();
      else refuse(socket, Code.idleTimeout, `no request for ${idleTimeoutMs} ms`);
    });
    const next = (): void => {
      while (!answering && !socket.destroyed) {
        // One buffer is sliced, not copied: a chunk of many tiny (or blank) lines stays linear.
        const pending = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, buffered);
        const newline = pending.indexOf(NEWLINE);
        if (newline < 0) {
          chunks = [pending];
          if (buffered > maxLineBytes) refuse(socket, Code.lineTooLong, tooLong);
          return;
        }
        chunks = [pending.subarray(newline + 1)];
        buffered = pending.length - newline - 1;
        if (newline > maxLineBytes) return refuse(socket, Code.lineTooLong, tooLong);
        const line = pending.subarray(0, newline).toString("utf8");
        if (line.trim() === "") continue;
        const stream = streamRequest(line, api);
        if (stream !== undefined) {
          if ("error" in stream) {
            answering = true;
            socket.pause();
            void Promise.resolve(stream.error).then((reply) => {
              answering = false;
              if (!socket.destroyed) socket.write(reply, () => (socket.resume(), next()));
            });
            return;
          }
          return this.#stream(socket, stream.id, stream.subscribe);
        }
        answering = true;
        socket.pause();
        void answer(line, api).then((reply) => {
          answering = false;
          if (socket.destroyed) return;
          socket.write(reply, () => {
            socket.resume();
            next();
          });
        });
      }
    };
    socket.on("data", (chunk: Buffer) => {
      chunks.push(chunk);
      buffered += chunk.length;
      next();
    });
  }

  /**
   * Turns the connection into one event stream: `{id, result: {streaming: true}}`,
   * then `{id, event}` per domain event, and `{id, lagged: n}` when `n` events
   * were dropped for a reader too slow to keep within maxStreamBufferBytes.
   * Whatever the client sends from then on is read and ignored (so its close
   * is seen at once); the stream ends when either side closes.
   */
  #stream(socket: Socket, id: RequestId, subscribe: (listener: SyncEventListener) => () => void): void {
    const limit = this.#limits.maxStreamBufferBytes;
    socket.removeAllListeners("data").removeAllListeners("timeout").setTimeout(0);
    socket.on("data", () => {});
    let dropped = 0;
    const reportLag = (): void => {
      if (dropped === 0 || socket.destroyed) return;
      socket.write(replyLine({ id, lagged: dropped }));
      dropped = 0;
    };
    const send = (event: SyncDomainEvent): void => {
      if (socket.destroyed) return;
      if (socket.writableLength > limit) {
        dropped++;
        return;
      }
      reportLag();
      socket.write(replyLine({ id, event }));
    };
    socket.on("drain", reportLag);
    socket.write(replyLine({ id, result: { streaming: true } }));
    const unsubscribe = subscribe(send);
    socket.once("close", unsubscribe);
  }
}

/**
 * A stream request (`events`) read from `line`: its subscription, or the
 * error reply when its params are bad; undefined for any other request.
 */
function streamRequest(line: string, api: ControlApi): { id: RequestId; subscribe: (listener: SyncEventListener) => () => void } | { error: string } | undefined {
  let request: ControlRequest;
  try {
    request = parseRequest(line);
  } catch {
    return undefined; // answered by `answer`, like every bad request
  }
  if (request.method !== "events") return undefined;
  try {
    return { id: request.id, subscribe: prepareStream(api, request.method, request.params) };
  } catch (error) {
    return { error: replyLine(errorReply(request.id, Code.badRequest, (error as Error).message)) };
  }
}

/** The reply line for one request line; never rejects. */
async function answer(line: string, api: ControlApi): Promise<string> {
  let request: ControlRequest;
  let call: () => Promise<unknown>;
  try {
    request = parseRequest(line);
  } catch (error) {
    return replyLine(errorReply((error as BadRequest).id, Code.badRequest, (error as Error).message));
  }
  if (request.method === "events") return replyLine(errorReply(request.id, Code.badRequest, "events is a stream"));
  try {
    call = prepareCall(api, request.method, request.params);
  } catch (error) {
    return replyLine(errorReply(request.id, Code.badRequest, (error as Error).message));
  }
  try {
    return replyLine({ id: request.id, result: await call() });
  } catch (error) {
    return replyLine(errorReply(request.id, Code.failed, error instanceof Error ? error.message : String(error)));
  }
}

/** How long a refused client gets to read its error reply and close, before it is cut off. */
const REFUSED_GRACE_MS = 1000;

/**
 * Sends one error reply and closes: the connection is not served further.
 * Its input is read and dropped until the client closes (or the grace time
 * ends): closing a Unix socket with unread input resets the connection, and
 * the client would lose the reply that says why.
 */
function refuse(socket: Socket, code: ControlErrorCode, message: string): void {
  socket.removeAllListeners("data").removeAllListeners("timeout").setTimeout(0);
  socket.on("data", () => {});
  socket.resume();
  socket.end(replyLine(errorReply(null, code, message)));
  const cutOff = setTimeout(() => socket.destroy(), REFUSED_GRACE_MS);
  socket.once("close", () => clearTimeout(cutOff));
}

async function removeStaleSocket(path: string): Promise<void> {
  const existing = await lstat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return null;
    throw error;
  });
  if (existing === null) return;
  if (!existing.isSocket()) {
    throw new Error(`${path} exists and is not a socket; the service needs that path for its control socket: move the file away`);
  }
  if (await isListening(path)) throw new Error(`another service is already listening at ${path}`);
  await unlink(path);
}

/** Whether something accepts connections at the socket `path` (ECONNREFUSED: a stale socket). */
function isListening(path: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const probe = connect(path);
    probe.once("connect", () => {
      probe.destroy();
      resolve(true);
    });
    probe.once("error", (error: NodeJS.ErrnoException) => {
      probe.destroy();
      if (error.code === "ECONNREFUSED") resolve(false);
      else reject(error);
    });
  });
}

function setUmask(mask: number): number | undefined {
  try {
    return process.umask(mask);
  } catch {
    return undefined; // not available (e.g. in a worker or some runtimes); chmod below still applies
  }
}
