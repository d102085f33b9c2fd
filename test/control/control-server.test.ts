import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test, type TestContext } from "node:test";
import type { ControlApi, ServiceStatus } from "../../src/control/control-api.ts";
import { ControlServer, type ControlLimits } from "../../src/control/control-server.ts";
import type { SearchHit } from "../../src/index/search.ts";
import type { SyncDomainEvent } from "../../src/pipeline/sync-domain-event.ts";
import { RawConnection } from "./raw-connection.ts";

/** A served API small enough to see every reply exactly; the service's own is tested end to end elsewhere. */
function echoApi(options: { searchDelayMs?: number; status?: () => unknown } = {}): ControlApi {
  return {
    search: async (query) => {
      if (query.text === "fail") throw new TypeError("the index is broken");
      if (options.searchDelayMs) await new Promise((resolve) => setTimeout(resolve, options.searchDelayMs));
      const hit: SearchHit = { path: "pages/a.md", page: "a", blockId: "b1", content: query.text, marker: null, score: 1, matched: 1, terms: {} };
      return [hit];
    },
    searchPages: async () => [],
    status: async () => (options.status?.() ?? { files: 1 }) as ServiceStatus,
    pause: async () => { throw new Error("not served here"); },
    resume: async () => { throw new Error("not served here"); },
    events: () => () => {},
    health: async () => ({ healthy: true, checkedAt: "2026-11-29T00:00:00.000Z", service: true, checks: [] }),
    getPage: async () => null,
    getBlock: async () => null,
    backlinks: async () => null,
    tasks: async () => [],
    verify: async ({ repair }) => ({ clean: !repair, files: 1, checksummed: 1, differences: {} }),
    conflicts: async () => [],
    resolve: async () => {
      throw new RangeError("no conflicts here");
    },
  };
}

async function serve(t: TestContext, api: ControlApi, limits: Partial<ControlLimits> = {}): Promise<ControlServer> {
  const dir = await mkdtemp(join(tmpdir(), "control-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const server = await ControlServer.listen(join(dir, "c.sock"), api, limits);
  t.after(() => server.close());
  return server;
}

function connection(t: TestContext, path: string): RawConnection {
  const c = new RawConnection(path);
  t.after(() => c.end());
  return c;
}

const deepJson = (depth: number) => "[".repeat(depth) + "]".repeat(depth);

test("requests are validated: bad ones get an error reply and the connection keeps serving", async (t) => {
  const server = await serve(t, echoApi());
  const c = connection(t, server.path);
  const bad = (message: string, id: unknown = null) => ({ id, error: { code: "BAD_REQUEST", message } });
  // The id that once overflowed the stack when the reply was serialised (10 KB, 5,000 deep).
  c.send(`{"id":${deepJson(5000)},"method":"status"}\n`);
  assert.deepEqual(await c.reply(0), bad("request.id must be a string, a number or null"));
  c.send("not json\n");
  assert.match(((await c.reply(1)) as { error: { message: string } }).error.message, /^request is not JSON: /);
  assert.deepEqual(await c.ask([1, 2]), bad("request must be a JSON object"));
  assert.deepEqual(await c.ask({ id: "a", method: "toString" }), bad('request.method must be "search" or "searchPages" or "status" or "pause" or "resume" or "events" or "health" or "getPage" or "getBlock" or "backlinks" or "tasks" or "verify" or "conflicts" or "resolve"', "a"));
  assert.deepEqual(await c.ask({ id: 2, method: "search", params: { text: 1, limit: 1 } }), bad("search params.text must be a string", 2));
  assert.deepEqual(await c.ask({ id: 3, method: "search", params: { text: "x", limit: 0 } }), bad("search params.limit must be a positive whole number", 3));
  assert.deepEqual(await c.ask({ id: 4, method: "search", params: { text: "x", limit: 1, page: ["p"] } }), bad("search params.page must be a string", 4));
  assert.deepEqual(await c.ask({ id: 5, method: "search", params: { text: "x", limit: 1, sql: "drop" } }), bad("search params.sql is not a search field", 5));
  assert.deepEqual(await c.ask({ id: 6, method: "status", params: { all: true } }), bad("status takes no params", 6));
  // After all that, the same connection still answers.
  assert.deepEqual(await c.ask({ id: 7, method: "search", params: { text: "hello", limit: 1 } }), {
    id: 7,
    result: [{ path: "pages/a.md", page: "a", blockId: "b1", content: "hello", marker: null, score: 1, matched: 1, terms: {} }],
  });
  assert.deepEqual(await c.ask({ method: "status" }), { id: null, result: { files: 1 } });
});

test("a failure inside the service is FAILED, not BAD_REQUEST, and the connection keeps serving", async (t) => {
  const server = await serve(t, echoApi());
  const c = connection(t, server.path);
  assert.deepEqual(await c.ask({ id: 1, method: "search", params: { text: "fail", limit: 1 } }), {
    id: 1,
    error: { code: "FAILED", message: "the index is broken" },
  });
  assert.deepEqual(await c.ask({ id: 2, method: "status" }), { id: 2, result: { files: 1 } });
});

test("a result that cannot be serialised becomes an error reply, not a crash", async (t) => {
  let deep: unknown[] = [];
  const root = deep;
  for (let i = 0; i < 100_000; i++) deep = (deep[0] = []) as unknown[];
  const server = await serve(t, echoApi({ status: () => ({ files: 1, nested: root }) }));
  const c = connection(t, server.path);
  assert.deepEqual(await c.ask({ id: 1, method: "status" }), {
    id: 1,
    error: { code: "FAILED", message: "the reply could not be serialised: Maximum call stack size exceeded" },
  });
  assert.deepEqual(await c.ask({ id: 2, method: "search", params: { text: "still here", limit: 1 } }).then((r) => (r as { id: number }).id), 2);
});

test("a request line longer than the limit is answered LINE_TOO_LONG and the connection closed", async (t) => {
  const server = await serve(t, echoApi(), { maxLineBytes: 1024 });
  // Exactly at the limit (a line of 1,024 bytes plus its newline) is still served.
  const ok = connection(t, server.path);
  const request = JSON.stringify({ id: 1, method: "search", params: { text: "", limit: 1 } });
  const atLimit = request.replace('"text":""', `"text":"${"x".repeat(1024 - request.length)}"`);
  assert.equal(Buffer.byteLength(atLimit), 1024);
  assert.equal(((await ok.ask(JSON.parse(atLimit))) as { id: number }).id, 1);
  // One byte more, with no newline yet: refused as soon as it is buffered.
  const long = connection(t, server.path);
  long.send("x".repeat(1025));
  assert.deepEqual(await long.closed, [
    JSON.stringify({ id: null, error: { code: "LINE_TOO_LONG", message: "a request line may hold at most 1024 bytes" } }),
  ]);
});

test("connections beyond the limit are answered TOO_MANY_CONNECTIONS and closed; a freed slot serves again", async (t) => {
  const server = await serve(t, echoApi(), { maxConnections: 3 });
  const open = [connection(t, server.path), connection(t, server.path), connection(t, server.path)];
  for (const c of open) assert.equal(((await c.ask({ id: 1, method: "status" })) as { id: number }).id, 1);
  const tooMany = JSON.stringify({ id: null, error: { code: "TOO_MANY_CONNECTIONS", message: "the service already has 3 open connections; try again later" } });
  const extra = connection(t, server.path);
  assert.deepEqual(await extra.closed, [tooMany]);
  // Clients that send at once still read why: their unread input must not reset the connection.
  const request = JSON.stringify({ id: 1, method: "search", params: { text: "x".repeat(1024 * 1024), limit: 1 } }) + "\n";
  const eager = Array.from({ length: 20 }, () => connection(t, server.path));
  for (const c of eager) c.send(request);
  assert.deepEqual(await Promise.all(eager.map((c) => c.closed)), eager.map(() => [tooMany]));
  open[0]?.end();
  await open[0]?.closed;
  // The server sees the close asynchronously: retry until the freed slot is taken.
  // (A request, answered: waiting for the first line of a silent accepted connection took the 30 s idle timeout.)
  for (;;) {
    const next = connection(t, server.path);
    const first = await Promise.race([next.ask({ id: 2, method: "status" }).catch(() => null), next.closed.then(() => null)]);
    if (first === null || (first as { id: unknown }).id !== 2) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      continue;
    }
    assert.deepEqual(first, { id: 2, result: { files: 1 } });
    break;
  }
});

test("an idle client is answered IDLE_TIMEOUT and closed, but a slow answer is not cut", async (t) => {
  const server = await serve(t, echoApi({ searchDelayMs: 600 }), { idleTimeoutMs: 200 });
  const idle = connection(t, server.path);
  await idle.connected;
  assert.deepEqual(await idle.closed, [JSON.stringify({ id: null, error: { code: "IDLE_TIMEOUT", message: "no request for 200 ms" } })]);
  // A half-sent request is idle too.
  const half = connection(t, server.path);
  half.send('{"id":1,"meth');
  assert.deepEqual(await half.closed, [JSON.stringify({ id: null, error: { code: "IDLE_TIMEOUT", message: "no request for 200 ms" } })]);
  // The wait for a slow answer is the server's, not the client's idle time.
  const slow = connection(t, server.path);
  assert.deepEqual(await slow.ask({ id: 9, method: "search", params: { text: "slow", limit: 1 } }).then((r) => (r as { id: number }).id), 9);
});

test("events: a stream to a reader that does not read is bounded; it is told how many events it lost", async (t) => {
  const listeners = new Set<(event: SyncDomainEvent) => void>();
  const api: ControlApi = {
    ...echoApi(),
    events: (_params, listener) => {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
  const maxStreamBufferBytes = 64 * 1024;
  const server = await serve(t, api, { maxStreamBufferBytes });
  const c = connection(t, server.path);
  assert.deepEqual(await c.ask({ id: "s", method: "events" }), { id: "s", result: { streaming: true } });
  assert.equal(listeners.size, 1);
  // Stop reading: the socket's buffers fill, then the server's own buffer reaches its bound.
  c.socket.pause();
  const event = (n: number): SyncDomainEvent => ({ type: "FileIndexed", path: `pages/${"x".repeat(200)}${n}.md`, blocks: n, warnings: [] });
  const published = 20_000;
  for (let n = 0; n < published; n++) {
    for (const listener of listeners) listener(event(n));
    if (n % 500 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  const line = JSON.stringify({ id: "s", event: event(0) }).length + 1;
  assert.equal(listeners.size, 1, "a slow reader stays subscribed");
  c.socket.resume();
  // One more event once the reader caught up carries the lag notice before it.
  await new Promise((resolve) => setTimeout(resolve, 200));
  for (const listener of listeners) listener(event(published));
  await pollUntil(() => c.lines().some((l) => l.includes(`"blocks":${published}`)));
  const replies = c.lines().slice(1).map((l) => JSON.parse(l) as { event?: { blocks: number }; lagged?: number });
  const received = replies.filter((r) => r.event !== undefined).map((r) => r.event?.blocks as number);
  const lagged = replies.filter((r) => r.lagged !== undefined).map((r) => r.lagged as number);
  t.diagnostic(`${received.length} events received, ${lagged.join("+")} dropped, lines of ${line} bytes, bound ${maxStreamBufferBytes}`);
  assert.ok(lagged.length >= 1, "a lag notice was sent");
  assert.equal(received.length + lagged.reduce((a, b) => a + b, 0), published + 1, "every event was either delivered or counted as dropped");
  // Delivered in order, and far fewer than published: memory stayed bounded.
  assert.deepEqual(received, [...received].sort((a, b) => a - b));
  assert.ok(received.length < published / 2, `${received.length} of ${published} delivered: the bound did not hold`);
  c.end();
  await pollUntil(() => listeners.size === 0);
});

async function pollUntil(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) assert.fail("timed out");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
