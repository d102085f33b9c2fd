import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Bulkhead } from "../../src/bulkheads/bulkhead.ts";
import { BackgroundYield, ForegroundGate } from "../../src/bulkheads/foreground-gate.ts";
import { defaultGraphConfig } from "../../src/logseq/graph-config.ts";

/** A foreground read that lasts until `end` is called. */
function heldRead(gate: ForegroundGate): { end: () => void; done: Promise<void> } {
  let end = () => {};
  const done = gate.hold(() => new Promise<void>((resolve) => (end = resolve)));
  return { end, done };
}

test("a background thread waits while a foreground read holds the gate, within its share of the time, and never without a gate", async () => {
  const gate = new ForegroundGate();
  const background = new BackgroundYield(gate.memory, { windowMs: 10_000, share: 0.01 });
  assert.equal(background.wait(), 0, "nothing held: no wait");
  const read = heldRead(gate);
  assert.deepEqual(gate.stats(), { reads: 1, holding: 1, waiting: 0, backgroundWaitMs: 0 });
  // Held for good: the thread waits out its budget (1% of 10 s) and goes on; within the window it waits no more.
  const waited = background.wait();
  assert.ok(waited >= 99, `waited ${waited} ms, not its 100 ms budget`);
  assert.equal(background.wait(), 0);
  assert.ok(gate.stats().backgroundWaitMs >= 99);
  assert.equal(new BackgroundYield(undefined).wait(), 0, "a thread given no gate never waits");
  // A new window, a new share.
  const short = new BackgroundYield(gate.memory, { windowMs: 200, share: 0.25 });
  assert.ok(short.wait() >= 49);
  assert.equal(short.wait(), 0);
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.ok(short.wait() >= 49, "the next window gives its share again");
  read.end();
  await read.done;
  assert.equal(gate.stats().holding, 0);
  // A read that fails lets go of the gate too.
  await assert.rejects(gate.hold(() => Promise.reject(new Error("read failed"))), /read failed/);
  assert.deepEqual([gate.stats().reads, gate.stats().holding], [2, 0]);
});

for (const worker of ["parse", "hash"] as const) {
  test(`a ${worker} thread given the gate reads no file while a search holds it, and goes on once the search ends`, async () => {
    const dir = await mkdtemp(join(tmpdir(), "foreground-gate-"));
    const gate = new ForegroundGate();
    const pool = new Bulkhead({
      name: worker, worker, threads: 1, maxQueue: 4,
      workerData: worker === "parse" ? { graph: defaultGraphConfig, foreground: gate.memory } : { foreground: gate.memory },
    });
    const group = worker === "parse" ? "readAndParseGroup" : "hashGroup";
    try {
      await writeFile(join(dir, "a.md"), "- first block\n");
      const task = { absolutePath: join(dir, "a.md"), maxBytes: 1 << 20, path: "pages/a.md" };
      // The thread is up and reading before the gate closes.
      assert.equal((await pool.run<unknown[]>({ tasks: [task], budgetMs: 10 }, { name: group })).length, 1);
      const search = heldRead(gate);
      let answered = false;
      const during = pool.run<unknown[]>({ tasks: [task], budgetMs: 10 }, { name: group }).then((outcomes) => {
        answered = true;
        return outcomes;
      });
      // The thread reached the gate (it counts itself as waiting) and has not answered.
      for (const until = performance.now() + 10_000; gate.stats().waiting === 0 && !answered && performance.now() < until; ) {
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      assert.equal(answered, false, "the file was read while the gate was held");
      assert.equal(gate.stats().waiting, 1);
      search.end();
      await search.done;
      // Read (and parsed) once let through.
      const [outcome] = (await during) as Record<string, unknown>[];
      const read = worker === "parse" ? (outcome?.["read"] as { ok: boolean } | undefined) : (outcome as { ok: boolean } | undefined);
      assert.equal(read?.ok, true);
      assert.equal(gate.stats().waiting, 0);
    } finally {
      await pool.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
}
