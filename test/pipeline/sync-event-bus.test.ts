import assert from "node:assert/strict";
import { test } from "node:test";
import type { SyncDomainEvent } from "../../src/pipeline/sync-domain-event.ts";
import { SyncEventBus } from "../../src/pipeline/sync-event-bus.ts";

const indexed = (path: string): SyncDomainEvent => ({ type: "FileIndexed", path, blocks: 1, warnings: [] });

test("SyncEventBus: every subscriber gets every event in publish order; a throwing one breaks neither the publisher nor the others", () => {
  const reported: string[] = [];
  const bus = new SyncEventBus({ onSubscriberError: (error, event) => reported.push(`${(error as Error).message} on ${(event as { path: string }).path}`) });
  const first: string[] = [];
  const last: string[] = [];
  bus.subscribe((event) => first.push((event as { path: string }).path));
  bus.subscribe((event) => {
    if ((event as { path: string }).path === "b.md") throw new Error("subscriber broke");
  });
  bus.subscribe((event) => last.push((event as { path: string }).path));
  for (const path of ["a.md", "b.md", "c.md"]) assert.doesNotThrow(() => bus.publish(indexed(path)));
  assert.deepEqual(first, ["a.md", "b.md", "c.md"]);
  assert.deepEqual(last, ["a.md", "b.md", "c.md"]);
  assert.deepEqual(reported, ["subscriber broke on b.md"]);
  assert.equal(bus.subscriberErrors, 1);
});

test("SyncEventBus: a failing error reporter is swallowed too", () => {
  const bus = new SyncEventBus({ onSubscriberError: () => { throw new Error("stderr is gone"); } });
  const seen: string[] = [];
  bus.subscribe(() => { throw new Error("x"); });
  bus.subscribe((event) => seen.push(event.type));
  assert.doesNotThrow(() => bus.publish(indexed("a.md")));
  assert.deepEqual(seen, ["FileIndexed"]);
});

test("SyncEventBus: unsubscribe removes exactly one subscription, even during a publish", () => {
  const bus = new SyncEventBus();
  const seen: string[] = [];
  const listener = (event: SyncDomainEvent) => seen.push(event.type);
  const offA = bus.subscribe(listener);
  bus.subscribe(listener);
  let offSelf = (): void => {};
  offSelf = bus.subscribe(() => {
    seen.push("self");
    offSelf();
  });
  bus.publish(indexed("a.md"));
  assert.deepEqual(seen, ["FileIndexed", "FileIndexed", "self"]);
  offA();
  bus.publish(indexed("b.md"));
  assert.deepEqual(seen, ["FileIndexed", "FileIndexed", "self", "FileIndexed"]);
  assert.equal(bus.subscriberCount, 1);
  assert.throws(() => bus.subscribe("nope" as never), TypeError);
});
