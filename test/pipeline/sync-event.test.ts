import { test } from "node:test";
import assert from "node:assert/strict";
import { coalesceKinds, SyncEventKind, type SyncEventKind as Kind } from "../../src/pipeline/sync-event.ts";

test("SyncEventKind lists exactly create, update, delete", () => {
  assert.deepEqual(Object.values(SyncEventKind), ["create", "update", "delete"]);
});

test("coalesceKinds gives the net change of every pair", () => {
  const table: [Kind, Kind, Kind | null][] = [
    ["create", "create", "create"],
    ["create", "update", "create"],
    ["create", "delete", null],
    ["update", "create", "update"],
    ["update", "update", "update"],
    ["update", "delete", "delete"],
    ["delete", "create", "update"],
    ["delete", "update", "update"],
    ["delete", "delete", "delete"],
  ];
  for (const [earlier, later, net] of table) {
    assert.equal(coalesceKinds(earlier, later), net, `${earlier} then ${later}`);
  }
});

test("delete, create, delete nets to delete: the file existed before", () => {
  const afterTwo = coalesceKinds("delete", "create");
  assert.equal(afterTwo, "update");
  assert.equal(coalesceKinds(afterTwo!, "delete"), "delete");
});

test("coalesceKinds rejects an unknown kind", () => {
  assert.throws(() => coalesceKinds("rename" as Kind, "update"), TypeError);
});

test("the unknown kind is named in the error", () => {
  assert.throws(() => coalesceKinds("update", "rename" as Kind), { name: "TypeError", message: "unknown SyncEventKind: rename" });
});
