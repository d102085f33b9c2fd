import assert from "node:assert/strict";
import { test } from "node:test";
import { makeSandbox, pollUntil, ServiceProcess, writePage } from "./service-harness.ts";
import { assertStoppedCleanly } from "./stopped-cleanly.ts";

// shutdown.test.ts checks the drain under a burst; this checks what a user
// service manager relies on: exit 0, no socket left, a database that opens.
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  test(`${signal} to a watching service: exit 0, control socket removed, database closed with its rows`, async (t) => {
    const sandbox = await makeSandbox();
    t.after(() => sandbox.cleanup());
    await writePage(sandbox, "pages/before.md", "- indexed at catch-up\n");
    const service = new ServiceProcess(sandbox.configPath);
    t.after(() => service.kill());
    await service.ready();
    await writePage(sandbox, "pages/after.md", "- indexed from a watcher event\n");
    await pollUntil(() => service.indexedPaths().includes("pages/after.md"), "pages/after.md indexed");
    assert.equal(await service.stop(signal), 0, service.stderr);
    assert.equal(service.child.signalCode, null, "exited by itself, not killed by the signal");
    await assertStoppedCleanly(sandbox.database, ["pages/after.md", "pages/before.md"]);
  });
}
