import assert from "node:assert/strict";
import { test } from "node:test";
import { controlSocketPath } from "../../src/control/control-socket-path.ts";
import { RawConnection } from "../control/raw-connection.ts";
import { makeSandbox, ServiceProcess, writePage } from "./service-harness.ts";

type Foreground = { reads: number; holding: number; waiting: number; backgroundWaitMs: number };

// Someone waits for a search's answer: the service holds its ForegroundGate
// for each read through the socket (the hashing and parsing threads step
// aside meanwhile, foreground-gate.ts), and `status` counts them. A status
// read is not one: it would slow a catch-up for a progress bar.
test("the six reads through a running service's socket hold the foreground gate: status counts them, and nothing is held after", async (t) => {
  const sandbox = await makeSandbox({ logLevel: "warn" });
  t.after(() => sandbox.cleanup());
  await writePage(sandbox, "pages/Calculator.md", "- sums and products\n");
  const service = new ServiceProcess(sandbox.configPath);
  t.after(() => service.kill());
  await service.ready();
  const c = new RawConnection(controlSocketPath(sandbox.database));
  t.after(() => c.end());
  const foreground = async (id: string) => ((await c.ask({ id, method: "status" })) as { result: { service: { foreground: Foreground } } }).result.service.foreground;

  assert.deepEqual(await foreground("s0"), { reads: 0, holding: 0, waiting: 0, backgroundWaitMs: 0 });
  const hits = (await c.ask({ id: "q1", method: "search", params: { text: "sums", limit: 5 } })) as { result: { path: string }[] };
  assert.deepEqual(hits.result.map((hit) => hit.path), ["pages/Calculator.md"]);
  await c.ask({ id: "q2", method: "searchPages", params: { text: "calc", limit: 5 } });
  await c.ask({ id: "q3", method: "getPage", params: { name: "calculator" } });
  await c.ask({ id: "q4", method: "tasks", params: {} });
  await c.ask({ id: "q5", method: "getBlock", params: { id: "00000000-0000-0000-0000-000000000000" } });
  await c.ask({ id: "q6", method: "backlinks", params: { name: "calculator" } });
  const after = await foreground("s1");
  assert.deepEqual([after.reads, after.holding, after.waiting], [6, 0, 0]);
  assert.equal(await service.stop(), 0, service.stderr);
});
