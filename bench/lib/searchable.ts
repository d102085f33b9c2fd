// Edit → searchable: how long until a word written at `startedAt` is found
// through a running service's control socket.
import { callService } from "../../src/control/control-client.ts";
import type { SearchHit } from "../../src/index/search.ts";
import { sleep } from "./service.ts";

const POLL_MS = 10;
const TIMEOUT_MS = 60_000;

/**
 * Asks the service every 10 ms until a block containing `word` itself comes
 * back, and returns the milliseconds since `startedAt`. Any hit did not do:
 * typo tolerance (issue #12) matches the previous edit's word (`beneditb` is
 * one edit from `benchedita`), so edits after the first looked searchable
 * before they were indexed (42 ms, under the 100 ms debounce).
 */
export async function waitSearchable(socket: string, word: string, startedAt: number, what: string): Promise<number> {
  for (;;) {
    const reply = await callService(socket, "search", { text: word, limit: 5 });
    const hits = (Array.isArray(reply?.result) ? reply.result : []) as SearchHit[];
    if (hits.some((hit) => hit.content.includes(word))) return performance.now() - startedAt;
    if (performance.now() - startedAt > TIMEOUT_MS) throw new Error(`${what} not searchable after ${TIMEOUT_MS} ms`);
    await sleep(POLL_MS);
  }
}
