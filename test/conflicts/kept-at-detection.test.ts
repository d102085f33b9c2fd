import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { createPools, readFileStates } from "../../src/bulkheads/pools.ts";
import { loadConfig } from "../../src/config/load-config.ts";
import { readGraphConfig } from "../../src/logseq/graph-config.ts";
import { ConflictManager } from "../../src/pipeline/conflict-manager.ts";
import { syncFile, type FileSyncContext } from "../../src/pipeline/file-sync.ts";
import type { SyncDomainEvent } from "../../src/pipeline/sync-domain-event.ts";
import { runCli, tempGraph } from "../support/cli.ts";
import { pollUntil } from "../service/service-harness.ts";

/**
 * The race of a concurrentModification under index, made deterministic with
 * the real pools and DuckDB file: the conflict is recorded in the writer
 * thread (asynchronously, behind whatever it is writing), and a sync of the
 * path can reach its check meanwhile. What it read was read before the bytes
 * kept out were checksummed: it must not be applied, nor spend the decision.
 */
test("concurrentModification under index: a read of the path checked while the conflict is being recorded is not applied; afterwards the kept bytes are skipped and other bytes applied", async () => {
  const g = await tempGraph({ "pages/big.md": "- original\n" }, { conflicts: { concurrentModification: { strategy: "index" } } });
  try {
    assert.equal((await runCli(["run", "--once", "--config", g.config])).code, 0);
    const config = await loadConfig(g.config);
    const pools = await createPools(config, await readGraphConfig(config.graph));
    try {
      const events: SyncDomainEvent[] = [];
      const manager = await ConflictManager.start(pools, config, (event) => events.push(event));
      const known = (await readFileStates(pools)).find((state) => state.path === "pages/big.md");
      const context: FileSyncContext = { graphRoot: config.graph, maxFileSizeBytes: config.maxFileSizeBytes, pools, claimMove: async () => undefined };
      // A sync of the path begins to read it; bravo is written meanwhile (and that sync happens to read it).
      manager.readStarted("pages/big.md");
      await g.write("pages/big.md", "- bravo\n");
      const bravo = await syncFile(context, "pages/big.md", known);
      assert.equal(bravo.op, "index");

      // Bravo's change settles while that sync is in flight; its read reaches its check at once.
      manager.changeSettled("pages/big.md", Date.now());
      assert.equal(await manager.check("pages/big.md", known, bravo), "skip", "checked while the conflict is being recorded");
      await pollUntil(() => events.length > 0, "ConflictDetected");
      const [row] = await manager.list({ all: true });
      assert.equal(row?.details["kept"], createHash("sha256").update("- bravo\n").digest("hex"));
      assert.deepEqual([row?.type, row?.status, row?.resolution], ["concurrentModification", "resolved", "index"]);
      // Recorded: the kept bytes are skipped (the decision was not spent above), other bytes are an edit after it.
      assert.equal(await manager.check("pages/big.md", known, bravo), "skip");
      await g.write("pages/big.md", "- charlie\n");
      assert.equal(await manager.check("pages/big.md", known, await syncFile(context, "pages/big.md", known)), "apply");
    } finally {
      await pools.close();
    }
  } finally {
    await g.cleanup();
  }
});
