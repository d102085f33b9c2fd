import assert from "node:assert/strict";
import { rename } from "node:fs/promises";
import { test } from "node:test";
import { createPools } from "../../src/bulkheads/pools.ts";
import { loadConfig } from "../../src/config/load-config.ts";
import { readGraphConfig } from "../../src/logseq/graph-config.ts";
import { SyncOrchestrator } from "../../src/pipeline/sync-orchestrator.ts";
import { SyncPriority } from "../../src/pipeline/sync-priority-calculator.ts";
import { SyncEventKind } from "../../src/pipeline/sync-event.ts";
import { runCli, tempGraph } from "../support/cli.ts";
import { assertSameAsCleanSync } from "../support/index-invariants.ts";
import { ServiceProcess } from "../service/service-harness.ts";

const FILES = { "pages/a.md": "- alpha\n", "pages/b.md": "- beta\n", "pages/c.md": "- gamma\n" };

async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test("circuit breaker: a vanished graph folder opens it (its files' events are kept, not deleted); when a probe finds it back, a catch-up scan syncs what changed", async () => {
  const g = await tempGraph(FILES, { breaker: { threshold: 2, halfOpenAfterMs: 200 } });
  try {
    const config = await loadConfig(g.config);
    const graph = await readGraphConfig(config.graph);
    const pools = await createPools(config, graph);
    try {
      const orchestrator = await SyncOrchestrator.start({ config, graph, pools }, { consumers: 2, maxQueued: 100, pairWindowMs: 50, maxPairWaitMs: 500 });
      await orchestrator.scan("", SyncPriority.catchUp);
      await orchestrator.whenIdle();
      assert.equal(orchestrator.breakerState, "closed");

      await rename(g.graph, `${g.graph}-unmounted`);
      // Events for files under a folder that is gone: two failed checks of the folder open the breaker.
      orchestrator.submit("pages/a.md", SyncEventKind.delete, Date.now());
      orchestrator.submit("pages/b.md", SyncEventKind.update, Date.now());
      await until(() => orchestrator.breakerState === "open", "the breaker to open");
      // While open: the folder is not scanned, events are parked, nothing is deleted.
      assert.deepEqual(await orchestrator.scan("", SyncPriority.catchUp), { files: 0, queued: 0 });
      orchestrator.submit("pages/c.md", SyncEventKind.delete, Date.now());
      await until(() => orchestrator.stats["parked"] === 3, "three parked events");
      assert.deepEqual([...orchestrator.known.keys()].sort(), ["pages/a.md", "pages/b.md", "pages/c.md"]);

      // Changes no event will report: made while the folder was away.
      await rename(`${g.graph}-unmounted`, g.graph);
      await g.write("pages/b.md", "- beta, edited while unmounted\n");
      await g.remove("pages/c.md");
      await g.write("pages/new.md", "- new while unmounted\n");
      await until(() => orchestrator.breakerState === "closed", "the breaker to close");
      await orchestrator.whenIdle();
      await orchestrator.close();
      assert.deepEqual([...orchestrator.known.keys()].sort(), ["pages/a.md", "pages/b.md", "pages/new.md"]);
    } finally {
      await pools.close();
    }
    await assertSameAsCleanSync(g);
  } finally {
    await g.cleanup();
  }
});

test("circuit breaker: `status` shows it open while the graph folder is gone and closed once it is back", async () => {
  // batch: a scan every second is what finds the folder gone.
  const g = await tempGraph(FILES, { strategy: "batch", verify: { scanIntervalMs: 1000 }, breaker: { threshold: 2, halfOpenAfterMs: 200 }, logLevel: "debug" });
  const service = new ServiceProcess(g.config);
  const breaker = async () => {
    const r = await runCli(["status", "--json", "--config", g.config]);
    assert.equal(r.code, 0, r.stderr);
    return (JSON.parse(r.stdout) as { service?: { breaker?: string } }).service?.breaker;
  };
  try {
    await service.ready();
    assert.equal(await breaker(), "closed");
    await rename(g.graph, `${g.graph}-unmounted`);
    await until(async () => (await breaker()) === "open", "status to say open");
    await rename(`${g.graph}-unmounted`, g.graph);
    await g.write("pages/new.md", "- new while unmounted\n");
    await until(async () => (await breaker()) === "closed", "status to say closed");
    await until(async () => (await service.indexedPaths()).includes("pages/new.md"), "the catch-up to index the new file");
    assert.equal(await service.stop(), 0, service.stderr);
    await assertSameAsCleanSync(g);
  } finally {
    service.kill();
    await g.cleanup();
  }
});
