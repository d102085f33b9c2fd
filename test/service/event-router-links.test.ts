import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { defaultGraphConfig } from "../../src/logseq/graph-config.ts";
import { ManualClock } from "../../src/pipeline/clock.ts";
import { EventRouter } from "../../src/pipeline/event-router.ts";

const debounce = { markdownMs: 100, orgMs: 100, largeFileMs: 500, largeFileBytes: 1000, maxWaitMs: 2000 };

test("a folder event scans a new real folder (even one with a bad name), never a new link to a folder", async () => {
  const dir = await mkdtemp(join(tmpdir(), "router-links-"));
  try {
    await mkdir(join(dir, "pages", "real"), { recursive: true });
    await mkdir(Buffer.concat([Buffer.from(join(dir, "pages", "odd")), Buffer.from([0xff])]));
    await symlink(tmpdir(), join(dir, "pages", "linked"));
    await symlink("..", join(dir, "pages", "loop"));
    const clock = new ManualClock(0);
    const scans: string[] = [];
    const router = new EventRouter({
      root: dir, graph: defaultGraphConfig, debounce, clock, maxPending: 100,
      knownSize: () => undefined,
      hasIndexedUnder: () => false,
      onSettled: () => {},
      scanFolder: (folder) => scans.push(folder),
      markDirty: () => {},
    });
    router.route([{ path: "pages/linked", kind: "create" }, { path: "pages/loop", kind: "create" }]);
    assert.equal(router.pending, 0);
    router.route([{ path: "pages/real", kind: "create" }, { path: "pages/odd\uFFFD", kind: "create" }]);
    assert.equal(router.pending, 2);
    clock.advance(300);
    assert.deepEqual(scans.sort(), ["pages/odd\uFFFD", "pages/real"]);
    router.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
