import { test } from "node:test";
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { statSync } from "node:fs";
import { rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import { repoRoot, runCli } from "../support/cli.ts";
import { assertSameAsCleanSync } from "../support/index-invariants.ts";
import { makeSandbox, pollUntil, status, writePage, type Sandbox } from "../service/service-harness.ts";

/** The service with the file size limit at `kilobytes` (`ulimit -f`), SIGXFSZ ignored so writes fail with EFBIG, as saga.test.ts does for `run --once`. */
function limitedService(config: string, kilobytes: number): { child: ChildProcess; output: { stdout: string; stderr: string }; exited: Promise<number | null> } {
  const cli = `exec "${process.execPath}" "${join(repoRoot, "bin/sync-pipeline.js")}" "$@"`;
  const child = spawn("bash", ["-c", `trap '' XFSZ; ulimit -f ${kilobytes}; ${cli}`, "bash", "run", "--config", config], { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
  const output = { stdout: "", stderr: "" };
  child.stdout?.setEncoding("utf8").on("data", (c: string) => (output.stdout += c));
  child.stderr?.setEncoding("utf8").on("data", (c: string) => (output.stderr += c));
  return { child, output, exited: new Promise((resolve) => child.on("close", (code) => resolve(code))) };
}

/**
 * Each page saved whole (written aside, renamed into the graph): written in
 * place, a page could be seen half-written by a loaded service, changing
 * under its read, and the concurrentModification line that records it names
 * the file, which the test rightly forbids for the disk condition.
 */
async function writeBurst(sandbox: Sandbox, from: number, count: number): Promise<void> {
  for (let i = from; i < from + count; i++) {
    const lines = Array.from({ length: 20 }, (_, j) => `- block ${j} of page ${i}: lorem ipsum dolor sit amet ${i * 31 + j}`);
    const aside = join(sandbox.dir, "next.md");
    await writeFile(aside, lines.join("\n") + "\n");
    await rename(aside, join(sandbox.graph, `pages/p${i}.md`));
  }
}

const failedSoFar = async (sandbox: Sandbox) => Number((((await status(sandbox)).service?.["synced"] ?? {}) as { failed?: number }).failed ?? 0);

test("full disk in the service: one error line for the condition (not one per file, nor a summary per sync), the index keeps its last committed state, a restart with space completes", async () => {
  const sandbox = await makeSandbox({ logLevel: "info", batch: { maxFiles: 200 } });
  await writePage(sandbox, "pages/seed.md", "- seed\n");
  assert.equal((await runCli(["run", "--once", "--config", sandbox.configPath])).code, 0);
  // Room for about 256 KB more than the index holds now; the new pages need several MB.
  const service = limitedService(sandbox.configPath, Math.ceil(statSync(sandbox.database).size / 1024) + 256);
  try {
    await pollUntil(() => /^Caught up: /m.test(service.output.stdout) || service.child.exitCode !== null, "service ready", 60_000);
    // Two bursts, far apart: the condition spans more than one sync's worth of held-back lines.
    await writeBurst(sandbox, 0, 400);
    await pollUntil(() => /^cannot write the index: /m.test(service.output.stderr), "the error line", 60_000);
    const first = await failedSoFar(sandbox);
    await writeBurst(sandbox, 400, 300);
    await pollUntil(async () => (await failedSoFar(sandbox)) >= first + 100, "the second burst turned away", 60_000);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    service.child.kill("SIGINT");
    assert.equal(await service.exited, 0, service.output.stderr.slice(0, 3000));
    const { stderr } = service.output;
    const errors = stderr.match(/^cannot write the index: .*File too large\. The disk holding it is full or refuses writes; the index keeps its last committed batch\. Free space: .*$/gm) ?? [];
    // A batch that still fits in between ends the condition (a line says so); each new start of it is one line.
    const writableAgain = stderr.match(/^the index is writable again \(\d+ files were turned away while it was not\)$/gm) ?? [];
    assert.ok(errors.length >= 1 && errors.length <= writableAgain.length + 1, `${errors.length} error lines, ${writableAgain.length} ends:\n${stderr.slice(0, 3000)}`);
    assert.doesNotMatch(stderr, /^failed: /m, "no line (nor summary) per file for a database that cannot be written");
    assert.doesNotMatch(stderr, /pages\/p\d+\.md/, "no file named: the files are not at fault");
  } finally {
    if (service.child.exitCode === null) service.child.kill("SIGKILL");
  }
  try {
    // Space again: the next start's catch-up writes everything turned away.
    const again = await runCli(["run", "--once", "--config", sandbox.configPath]);
    assert.equal(again.code, 0, again.stderr);
    await assertSameAsCleanSync({ root: sandbox.dir, config: sandbox.configPath, database: sandbox.database });
  } finally {
    await sandbox.cleanup();
  }
});
