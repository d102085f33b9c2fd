import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { stat } from "node:fs/promises";
import { test } from "node:test";
import { assertSameAsCleanSync } from "../support/index-invariants.ts";
import { makeSandbox, pollUntil, runCli, ServiceProcess, status, writePage } from "./service-harness.ts";

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  test(`${signal} drains queued and in-flight work, commits every batch and exits 0`, async (t) => {
    const sandbox = await makeSandbox({ batch: { maxFiles: 16 } });
    t.after(() => sandbox.cleanup());
    const service = new ServiceProcess(sandbox.configPath);
    t.after(() => service.kill());
    await service.ready();
    const files = 300;
    for (let i = 0; i < files; i++) await writePage(sandbox, `pages/burst${i}.md`, `- burst page ${i} cindervale\n`);
    // Stop while the burst is being worked on: some batches committed, most not.
    await pollUntil(() => service.indexedPaths().length > 0, "first burst file indexed");
    assert.equal(await service.stop(signal), 0, service.stderr);
    const logged = service.indexedPaths();
    assert.match(service.stderr, new RegExp(`^${signal}: finishing in-flight work`, "m"));
    // Every file the service logged as indexed is committed, and nothing it had accepted was dropped.
    // Exact counts: a Set would hide a file indexed twice.
    // On failure, the service's other lines (a retry, a failed write, a warning) say what became of the missing files.
    const others = service.stderr.split("\n").filter((line) => line !== "" && !/^indexed: /.test(line)).slice(0, 40).join("\n");
    assert.deepEqual([...logged].sort(), Array.from({ length: files }, (_, i) => `pages/burst${i}.md`).sort(), `each file indexed once; the service's other lines:\n${others}`);
    const after = await status(sandbox); // the service is gone: this opens the database directly
    assert.equal(after.service, undefined);
    assert.equal(after.files, files);
    await assertSameAsCleanSync({ root: sandbox.dir, config: sandbox.configPath, database: sandbox.database });
  });
}

test("a stale control socket (service killed) is removed and the database opened directly", async (t) => {
  const sandbox = await makeSandbox();
  t.after(() => sandbox.cleanup());
  await writePage(sandbox, "pages/a.md", "- stale socket test\n");
  assert.equal((await runCli(["run", "--once", "--config", sandbox.configPath])).code, 0);
  // A listener killed with SIGKILL leaves its socket file behind.
  const socketPath = `${sandbox.database}.sock`;
  const holder = spawn(process.execPath, ["-e", "require('net').createServer().listen(process.argv[1], () => console.log('up'))", socketPath], { stdio: ["ignore", "pipe", "inherit"] });
  t.after(() => holder.kill("SIGKILL"));
  await new Promise((resolve) => holder.stdout.once("data", resolve));
  holder.kill("SIGKILL");
  await new Promise((resolve) => holder.once("exit", resolve));
  assert.ok((await stat(socketPath)).isSocket());
  const s = await status(sandbox);
  assert.equal(s.files, 1);
  await assert.rejects(stat(socketPath), { code: "ENOENT" });
});
