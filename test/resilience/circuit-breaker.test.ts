import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, rename, rmdir, symlink, unlink } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
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
      assert.deepEqual([...orchestrator.known.paths()].sort(), ["pages/a.md", "pages/b.md", "pages/c.md"]);

      // Changes no event will report: made while the folder was away.
      await rename(`${g.graph}-unmounted`, g.graph);
      await g.write("pages/b.md", "- beta, edited while unmounted\n");
      await g.remove("pages/c.md");
      await g.write("pages/new.md", "- new while unmounted\n");
      await until(() => orchestrator.breakerState === "closed", "the breaker to close");
      await orchestrator.whenIdle();
      await orchestrator.close();
      assert.deepEqual([...orchestrator.known.paths()].sort(), ["pages/a.md", "pages/b.md", "pages/new.md"]);
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

/**
 * Mounts a FUSE file system at `path` that never answers (the process
 * holding /dev/fuse never reads it): every access to `path` hangs, as on a
 * network mount whose server went away. Root only; `release` ends it
 * (pending accesses then fail with ENOTCONN).
 */
async function hangingMount(path: string): Promise<{ release: () => Promise<void> }> {
  const holder = spawn("bash", ["-c", `exec 3<>/dev/fuse; mount -t fuse -o fd=3,rootmode=40000,user_id=0,group_id=0 sync-pipeline-hang "$1" || exit 1; echo mounted; exec sleep 600`, "bash", path], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  holder.stdout.setEncoding("utf8").on("data", (c: string) => (out += c));
  const closed = new Promise((resolve) => holder.on("close", resolve));
  await until(() => out.includes("mounted") || holder.exitCode !== null, "the hanging mount");
  assert.equal(holder.exitCode, null, "mount -t fuse failed");
  return {
    release: async () => {
      holder.kill("SIGKILL");
      await closed;
      execFileSync("umount", ["-l", path]);
    },
  };
}

const canMountFuse = process.getuid?.() === 0 && existsSync("/dev/fuse");

test("circuit breaker: a half-open probe of a folder that hangs (a mount nobody answers) does not block the service: status answers while it runs", { skip: canMountFuse ? false : "needs root and /dev/fuse" }, async () => {
  const g = await tempGraph(FILES, { strategy: "batch", verify: { scanIntervalMs: 1000 }, breaker: { threshold: 2, halfOpenAfterMs: 200 } });
  const service = new ServiceProcess(g.config);
  // A blocked service never answers: a status that does not come back within 20 s is a hang.
  const breaker = async () => {
    const r = await runCli(["status", "--json", "--config", g.config], { timeoutMs: 20_000 });
    assert.equal(r.code, 0, r.stderr);
    return (JSON.parse(r.stdout) as { service?: { breaker?: string } }).service?.breaker;
  };
  let mount: { release: () => Promise<void> } | undefined;
  try {
    await service.ready();
    await rename(g.graph, `${g.graph}-unmounted`);
    await until(async () => (await breaker()) === "open", "status to say open");
    // The graph path leads to the hung mount (through a link, so that the folder can come back before the mount goes).
    const hung = join(g.root, "hung");
    await mkdir(hung);
    mount = await hangingMount(hung);
    await symlink(hung, g.graph);
    // The next probe stats the hung mount and stays in flight: half-open, and the service still answers.
    await until(async () => (await breaker()) === "halfOpen", "status to say halfOpen while the probe hangs");
    assert.equal(await breaker(), "halfOpen");
    assert.equal(service.child.exitCode, null);
    // The folder back, then the mount gone: the hung probe fails (ENOTCONN), the next one finds the folder.
    await unlink(g.graph);
    await rename(`${g.graph}-unmounted`, g.graph);
    await mount.release();
    mount = undefined;
    await rmdir(hung);
    await until(async () => (await breaker()) === "closed", "status to say closed once the folder is back");
    assert.equal(await service.stop(), 0, service.stderr);
    await assertSameAsCleanSync(g);
  } finally {
    await mount?.release().catch(() => {});
    service.kill();
    await g.cleanup();
  }
});
