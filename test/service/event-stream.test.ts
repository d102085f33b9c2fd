import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { makeSandbox, pollUntil, REPO_ROOT, runCli, ServiceProcess, status, writePage } from "./service-harness.ts";

/** A running `events --follow` child: its stdout lines as they come. */
class Follower {
  readonly child;
  out = "";
  err = "";
  readonly exited: Promise<number | null>;
  constructor(args: string[]) {
    this.child = spawn(process.execPath, [join(REPO_ROOT, "bin", "sync-pipeline.js"), "events", "--follow", ...args], {
      cwd: REPO_ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child.stdout.setEncoding("utf8").on("data", (c: string) => (this.out += c));
    this.child.stderr.setEncoding("utf8").on("data", (c: string) => (this.err += c));
    this.exited = new Promise((resolve) => this.child.on("close", (code) => resolve(code)));
  }
  lines(): string[] {
    return this.out.split("\n").filter((line) => line !== "");
  }
  events(): Record<string, unknown>[] {
    return this.lines().map((line) => JSON.parse(line) as Record<string, unknown>);
  }
}

test("events --follow --json: create, modify, delete and rename, in order, each with its batch id", async (t) => {
  const sandbox = await makeSandbox({ logLevel: "warn" });
  t.after(() => sandbox.cleanup());
  const service = new ServiceProcess(sandbox.configPath);
  t.after(() => service.kill());
  await service.ready();
  const json = new Follower(["--json", "--config", sandbox.configPath]);
  const text = new Follower(["--config", sandbox.configPath]);
  t.after(() => void json.child.kill("SIGKILL"));
  t.after(() => void text.child.kill("SIGKILL"));
  // Subscribed once a status round trip after the follower connected: the service serves connections in order.
  await pollUntil(async () => {
    const s = await status(sandbox);
    return s.service?.["state"] === "watching" && json.child.pid !== undefined;
  }, "service answering");
  await new Promise((resolve) => setTimeout(resolve, 1500)); // both followers' processes are up and subscribed

  const step = async (n: number, act: () => Promise<void>) => {
    await act();
    await pollUntil(() => json.lines().length >= n, `event ${n}`, 15_000);
  };
  await step(1, () => writePage(sandbox, "pages/a.md", "- created\n"));
  await step(2, () => writePage(sandbox, "pages/a.md", "- modified\n\t- child\n"));
  await step(3, () => rm(join(sandbox.graph, "pages/a.md")));
  await writePage(sandbox, "pages/b.md", "- to be moved\n");
  await pollUntil(() => json.lines().length >= 4, "event 4", 15_000);
  await step(5, () => rename(join(sandbox.graph, "pages/b.md"), join(sandbox.graph, "journals/b.md")));
  await new Promise((resolve) => setTimeout(resolve, 1000)); // nothing else follows

  const events = json.events();
  const batchIds = events.map((e) => e["batchId"]);
  assert.ok(batchIds.every((id) => typeof id === "string" && id.length > 0), JSON.stringify(events));
  assert.equal(new Set(batchIds).size, 5, "each change committed in its own batch");
  assert.deepEqual(events.map(({ batchId: _ignored, ...event }) => event), [
    { type: "FileIndexed", path: "pages/a.md", blocks: 1, warnings: [], change: "create" },
    { type: "FileIndexed", path: "pages/a.md", blocks: 2, warnings: [], change: "update" },
    { type: "FileChanged", path: "pages/a.md", change: "delete" },
    { type: "FileIndexed", path: "pages/b.md", blocks: 1, warnings: [], change: "create" },
    { type: "FileChanged", path: "journals/b.md", change: "rename", from: "pages/b.md" },
  ]);
  assert.deepEqual(text.lines().map((line) => line.replace(/^\d\d:\d\d:\d\d\.\d{3} /, "").replace(/ {2}\[batch [0-9a-f-]+\]$/, "")), [
    "FileIndexed create pages/a.md (1 blocks)",
    "FileIndexed update pages/a.md (2 blocks)",
    "FileChanged delete pages/a.md",
    "FileIndexed create pages/b.md (1 blocks)",
    "FileChanged rename pages/b.md -> journals/b.md",
  ]);

  // The followers end cleanly when the service stops.
  assert.equal(await service.stop(), 0, service.stderr);
  assert.deepEqual([await json.exited, json.err], [0, ""]);
  assert.deepEqual([await text.exited, text.err], [0, ""]);
});

test("events: without --follow it is a usage error; with no service it exits 3", async (t) => {
  const sandbox = await makeSandbox({ logLevel: "warn" });
  t.after(() => sandbox.cleanup());
  const plain = await runCli(["events", "--config", sandbox.configPath]);
  assert.deepEqual([plain.code, plain.stdout], [2, ""]);
  assert.match(plain.stderr, /use `events --follow`/);
  const none = await runCli(["events", "--follow", "--config", sandbox.configPath]);
  assert.deepEqual([none.code, none.stdout], [3, ""]);
  assert.match(none.stderr, /^sync-pipeline: no service is running for .*index\.duckdb/m);
});
