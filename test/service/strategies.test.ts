import assert from "node:assert/strict";
import { stat, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { expectHits, hitPaths, makeSandbox, ServiceProcess, writePage } from "./service-harness.ts";

test("hybrid: the checksum verification catches an offline change that kept size and mtime", async (t) => {
  // No timer race: the service that must not see the change has a checksum
  // interval far longer than the test, and the one that must see it is
  // watched until it does (only the verification can: its start-up scan,
  // like the first service's, compares size and mtime only).
  const sandbox = await makeSandbox();
  t.after(() => sandbox.cleanup());
  const verifyEvery = (checksumIntervalMs: number) =>
    writeFile(sandbox.configPath, JSON.stringify({
      graph: "graph", database: "index.duckdb", logLevel: "debug", strategy: "hybrid", verify: { scanIntervalMs: 1000, checksumIntervalMs },
    }));
  await verifyEvery(3_600_000);
  await writePage(sandbox, "pages/sneaky.md", "- original aaaaaaaa\n");
  const path = join(sandbox.graph, "pages/sneaky.md");
  // A whole-second mtime survives utimes exactly (fractional ones get rounded).
  await utimes(path, 1_700_000_000, 1_700_000_000);
  const first = new ServiceProcess(sandbox.configPath);
  t.after(() => first.kill());
  await first.ready();
  assert.equal(await first.stop("SIGTERM"), 0);
  // Same length, same mtime: size+mtime change detection cannot tell.
  const before = await stat(path);
  await writeFile(path, "- original bbbbbbbb\n");
  await utimes(path, 1_700_000_000, 1_700_000_000);
  assert.equal((await stat(path)).mtimeMs, before.mtimeMs);

  const blind = new ServiceProcess(sandbox.configPath);
  t.after(() => blind.kill());
  await blind.ready();
  // Its checksum pass never comes within this test: the change stays unseen.
  assert.deepEqual(await hitPaths(sandbox, "aaaaaaaa"), ["pages/sneaky.md"], "the start-up scan compares size+mtime only");
  assert.deepEqual(await hitPaths(sandbox, "bbbbbbbb"), []);
  assert.deepEqual(blind.indexedPaths(), []);
  assert.equal(await blind.stop("SIGTERM"), 0);

  await verifyEvery(1000);
  const second = new ServiceProcess(sandbox.configPath);
  t.after(() => second.kill());
  await second.ready();
  await expectHits(sandbox, "bbbbbbbb", ["pages/sneaky.md"]);
  await expectHits(sandbox, "aaaaaaaa", []);
  assert.deepEqual(second.indexedPaths(), ["pages/sneaky.md"]);
  assert.equal(await second.stop("SIGTERM"), 0);
});

test("batch: no watcher; the periodic scan picks up changes", async (t) => {
  const sandbox = await makeSandbox({ strategy: "batch", verify: { scanIntervalMs: 1000 } });
  t.after(() => sandbox.cleanup());
  const service = new ServiceProcess(sandbox.configPath);
  t.after(() => service.kill());
  await service.ready();
  assert.match(service.stdout, /scanning .* every 1 s/);
  await writePage(sandbox, "pages/later.md", "- written after start wobblecrest\n");
  await expectHits(sandbox, "wobblecrest", ["pages/later.md"]);
  assert.equal(await service.stop("SIGINT"), 0);
});
