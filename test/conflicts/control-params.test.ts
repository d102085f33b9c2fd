import { test } from "node:test";
import assert from "node:assert/strict";
import { prepareCall, type ControlApi } from "../../src/control/control-api.ts";
import type { SyncConflict } from "../../src/pipeline/conflict-types.ts";

/** Records what reached the API: a refused request must reach nothing. */
function recordingApi(calls: unknown[]): ControlApi {
  const unused = async (): Promise<never> => {
    throw new Error("not called here");
  };
  return {
    search: async () => [],
    status: async () => ({}) as never,
    searchPages: unused, pause: unused, resume: unused, health: unused, verify: unused,
    getPage: unused, getBlock: unused, backlinks: unused, tasks: unused,
    events: () => () => {},
    conflicts: async (params) => {
      calls.push(["conflicts", params]);
      return [];
    },
    resolve: async (params) => {
      calls.push(["resolve", params]);
      return { id: params.id } as SyncConflict;
    },
  };
}

test("the control socket checks conflicts and resolve params before calling the service", async () => {
  const calls: unknown[] = [];
  const api = recordingApi(calls);
  const refused: [string, unknown, RegExp][] = [
    ["conflicts", undefined, /^conflicts params must be an object$/],
    ["conflicts", {}, /^conflicts params.all must be a boolean$/],
    ["conflicts", { all: "yes" }, /^conflicts params.all must be a boolean$/],
    ["conflicts", { all: true, __proto__x: 1 }, /^conflicts params.__proto__x is not a conflicts field$/],
    ["resolve", [], /^resolve params must be an object$/],
    ["resolve", { id: 0, strategy: "filesystem" }, /^resolve params.id must be a positive whole number$/],
    ["resolve", { id: 1.5, strategy: "filesystem" }, /^resolve params.id must be a positive whole number$/],
    ["resolve", { id: "1", strategy: "filesystem" }, /^resolve params.id must be a positive whole number$/],
    ["resolve", { id: 1, strategy: "manual" }, /^resolve params.strategy must be "filesystem" or "index"$/],
    ["resolve", { id: 1, strategy: "timestamp" }, /^resolve params.strategy must be "filesystem" or "index"$/],
    ["resolve", { id: 1, strategy: "index", force: true }, /^resolve params.force is not a resolve field$/],
  ];
  for (const [method, params, message] of refused) {
    assert.throws(() => prepareCall(api, method as "resolve", params), { message }, `${method} ${JSON.stringify(params)}`);
  }
  assert.deepEqual(calls, []);
  await prepareCall(api, "conflicts", { all: false })();
  await prepareCall(api, "resolve", { id: 3, strategy: "index" })();
  assert.deepEqual(calls, [["conflicts", { all: false }], ["resolve", { id: 3, strategy: "index" }]]);
});
