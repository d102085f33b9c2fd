import { Buffer } from "node:buffer";
import { connect } from "node:net";
import type { SyncDomainEvent } from "../pipeline/sync-domain-event.ts";
import { ControlRequestFailed } from "./control-client.ts";
import type { ControlReply } from "./control-protocol.ts";

export type FollowHandlers = {
  /** False (like `stream.write`) when the reader's output is full: reading stops until `onFull` resumes it. */
  onEvent(event: SyncDomainEvent): boolean | void;
  /** `dropped` events were lost because this reader fell behind the service. */
  onLagged(dropped: number): boolean | void;
  /** Calls `resume` once the output has room again (e.g. on its "drain"). */
  onFull?(resume: () => void): void;
};

/**
 * Follows the running service's domain events (`events --follow`). Resolves
 * to false when no service listens, to true when the stream ended (the
 * service stopped, or `signal` aborted). Reading is paced by the handlers:
 * while the output is full the socket is not read, so events wait in the
 * service (which bounds them) rather than in this process's memory, and the
 * reader is told how many events it missed.
 */
export function followService(socketPath: string, handlers: FollowHandlers, options: { signal?: AbortSignal } = {}): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    let connected = false;
    let pending: Buffer = Buffer.alloc(0);
    let paused = false;
    const abort = () => socket.destroy();
    options.signal?.addEventListener("abort", abort, { once: true });
    const settle = (done: () => void) => {
      options.signal?.removeEventListener("abort", abort);
      socket.destroy();
      done();
    };
    socket.on("connect", () => {
      connected = true;
      socket.write(JSON.stringify({ id: "events", method: "events" }) + "\n");
    });
    socket.on("data", (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      for (let newline = pending.indexOf(0x0a); newline >= 0; newline = pending.indexOf(0x0a)) {
        const line = pending.subarray(0, newline).toString("utf8");
        pending = pending.subarray(newline + 1);
        let reply: ControlReply;
        try {
          reply = JSON.parse(line) as ControlReply;
        } catch (error) {
          return settle(() => reject(new Error(`the service sent an unreadable line: ${(error as Error).message}`)));
        }
        if ("error" in reply) return settle(() => reject(new ControlRequestFailed(`the service refused the request: ${reply.error.message}`, reply.error.code)));
        let room: boolean | void = true;
        if ("event" in reply) room = handlers.onEvent(reply.event as SyncDomainEvent);
        else if ("lagged" in reply) room = handlers.onLagged(reply.lagged);
        if (room === false && handlers.onFull !== undefined && !paused) {
          paused = true;
          socket.pause();
          handlers.onFull(() => {
            paused = false;
            socket.resume();
          });
        }
      }
    });
    socket.on("error", (error: NodeJS.ErrnoException) => {
      if (!connected && (error.code === "ENOENT" || error.code === "ECONNREFUSED")) return settle(() => resolve(false));
      settle(() => reject(error));
    });
    socket.on("close", () => settle(() => resolve(true)));
  });
}
