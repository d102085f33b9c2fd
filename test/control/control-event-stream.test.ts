import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { ControlApi } from "../../src/control/control-api.ts";
import { followService } from "../../src/control/control-event-stream.ts";
import { ControlServer } from "../../src/control/control-server.ts";
import type { SyncDomainEvent } from "../../src/pipeline/sync-domain-event.ts";

const event = (n: number): SyncDomainEvent => ({ type: "FileIndexed", path: `pages/${"y".repeat(200)}${n}.md`, blocks: n, warnings: [] });

test("followService stops reading while its output is full, so the service drops and counts instead of the reader buffering", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), "control-stream-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const listeners = new Set<(event: SyncDomainEvent) => void>();
  const notServed = async (): Promise<never> => {
    throw new Error("not served here");
  };
  const api: ControlApi = {
    search: notServed, searchPages: notServed, status: notServed, pause: notServed, resume: notServed, health: notServed,
    getPage: notServed, getBlock: notServed, backlinks: notServed, tasks: notServed, verify: notServed, conflicts: notServed, resolve: notServed,
    events: (_params, listener) => {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
  const server = await ControlServer.listen(join(dir, "c.sock"), api, { maxStreamBufferBytes: 32 * 1024 });
  t.after(() => server.close());

  const received: number[] = [];
  const lagged: number[] = [];
  let resume: (() => void) | undefined;
  const stop = new AbortController();
  const following = followService(server.path, {
    onEvent: (e) => {
      received.push((e as { blocks: number }).blocks);
      return false; // the output is always "full": one event read, then wait for resume
    },
    onLagged: (n) => void lagged.push(n),
    onFull: (r) => (resume = r),
  }, { signal: stop.signal });
  while (listeners.size === 0) await new Promise((resolve) => setTimeout(resolve, 10));

  const published = 10_000;
  for (let n = 0; n < published; n++) {
    for (const listener of listeners) listener(event(n));
    if (n % 500 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  await new Promise((resolve) => setTimeout(resolve, 100));
  // Only what one socket read held was taken in; the rest waits in the kernel or was dropped by the server.
  const readWhileFull = received.length;
  assert.ok(readWhileFull < published / 10, `${readWhileFull} events read while the output was full`);

  // Output has room again: read everything, then one more event after the lag notice.
  const drain = async () => {
    for (let i = 0; i < 2000 && resume !== undefined; i++) {
      const r = resume;
      resume = undefined;
      r();
      await new Promise((resolve) => setImmediate(resolve));
    }
  };
  await drain();
  await new Promise((resolve) => setTimeout(resolve, 100));
  await drain();
  for (const listener of listeners) listener(event(published));
  while (!received.includes(published)) {
    await drain();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  t.diagnostic(`${readWhileFull} read while full; ${received.length} received, ${lagged.join("+")} dropped`);
  assert.ok(lagged.length >= 1, "the reader was told it lagged");
  assert.equal(received.length + lagged.reduce((a, b) => a + b, 0), published + 1);
  assert.deepEqual(received, [...received].sort((a, b) => a - b));
  stop.abort();
  assert.equal(await following, true);
});
