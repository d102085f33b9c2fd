import assert from "node:assert/strict";
import { test } from "node:test";
import { controlSocketPath } from "../../src/control/control-socket-path.ts";
import { RawConnection } from "../control/raw-connection.ts";
import { makeSandbox, ServiceProcess, status, writePage } from "./service-harness.ts";

// Why the control API is not carried by comlink: comlink's `expose` walks any
// property path a client sends and runs GET, SET and APPLY on it. Over a
// JSON-lines adapter, each message below (measured, see docs/operate.md)
// polluted Object.prototype, replaced a method, or crashed the process.
// Our protocol names one of a fixed list of methods: they are refused.
const COMLINK_MESSAGES = [
  { id: "pollute", type: "SET", path: ["__proto__", "polluted"], value: { type: "RAW", value: "yes" } },
  { id: "replace", type: "SET", path: ["status"], value: { type: "RAW", value: 42 } },
  { id: "port", type: "APPLY", path: ["search"], argumentList: [{ type: "HANDLER", name: "proxy", value: {} }] },
  { id: "walk", method: "__proto__", params: null },
];

test("messages that take over a comlink-exposed API are refused by the running service, which keeps serving", async (t) => {
  const sandbox = await makeSandbox();
  t.after(() => sandbox.cleanup());
  await writePage(sandbox, "pages/a.md", "- one page\n");
  const service = new ServiceProcess(sandbox.configPath);
  t.after(() => service.kill());
  await service.ready();
  const c = new RawConnection(controlSocketPath(sandbox.database));
  t.after(() => c.socket.destroy());
  await c.connected;
  for (const [n, message] of COMLINK_MESSAGES.entries()) {
    c.send(JSON.stringify(message) + "\n");
    assert.deepEqual(await c.reply(n), { id: message.id, error: { code: "BAD_REQUEST", message: 'request.method must be "search" or "searchPages" or "status" or "pause" or "resume" or "events" or "health" or "getPage" or "getBlock" or "backlinks" or "tasks" or "verify" or "conflicts" or "resolve"' } });
  }
  c.send(JSON.stringify({ id: "after", method: "status" }) + "\n");
  const after = (await c.reply(COMLINK_MESSAGES.length)) as { id: string; result: { files: number; service: { state: string } } };
  assert.equal(after.result.files, 1);
  assert.equal(after.result.service.state, "watching");
  assert.equal((await status(sandbox)).files, 1);
  assert.equal(await service.stop("SIGTERM"), 0, service.stderr);
});
