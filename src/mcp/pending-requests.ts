import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";

/** How long the end of stdin waits for answers: a read through the service gives up after 30 s anyway. */
const MAX_DRAIN_MS = 60_000;

/**
 * Counts the client's requests not answered yet, on a connected transport.
 * A client may write its requests and close stdin at once (a shell pipe):
 * closing the server then would drop the answers, so the end of input
 * waits for them. A request the client cancels gets no answer, hence the
 * time bound.
 */
export function trackPendingRequests(transport: Transport): { drained(): Promise<void> } {
  let pending = 0;
  let wake: (() => void) | undefined;
  const receive = transport.onmessage;
  transport.onmessage = (message, extra) => {
    if (isRequest(message)) pending++;
    receive?.(message, extra);
  };
  const send = transport.send.bind(transport);
  transport.send = async (message, options) => {
    try {
      await send(message, options);
    } finally {
      if (isResponse(message) && --pending <= 0) wake?.();
    }
  };
  return {
    async drained() {
      if (pending <= 0) return;
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, MAX_DRAIN_MS);
      });
      clearTimeout(timer);
    },
  };
}

function isRequest(message: JSONRPCMessage): boolean {
  return "method" in message && "id" in message;
}

/** An answer to one of the client's requests (the server's own requests carry a method). */
function isResponse(message: JSONRPCMessage): boolean {
  return "id" in message && !("method" in message);
}
