import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { ExitCode } from "../../src/cli/exit-code.ts";
import { runCli, tempGraph } from "../support/cli.ts";
import { makeSandbox, pollUntil, ServiceProcess, writePage } from "../service/service-harness.ts";

const LIMIT = 200;
const FAILING = 50;

/** 5 clean pages, one with a parser warning, and FAILING pages over maxFileSizeBytes (each skipped). */
function pages(): Record<string, string | Uint8Array> {
  const files: Record<string, string | Uint8Array> = { "pages/odd.md": new Uint8Array([0x2d, 0x20, 0x61, 0xff, 0x0a]) };
  for (let i = 0; i < 5; i++) files[`pages/ok${i}.md`] = `- page ${i}\n`;
  for (let i = 0; i < FAILING; i++) files[`pages/big${String(i).padStart(2, "0")}.md`] = `- ${"x".repeat(LIMIT)}\n`;
  return files;
}

type Record_ = { level: string; time: string; event: string; msg?: string; [field: string]: unknown };

test("run --once with log.destination a file: every line is JSON with level, time and event; 50 skipped files are one line with the exact count", async (t) => {
  // logLevel (the old key) is left out: it would win over log.level.
  const g = await tempGraph(pages(), { logLevel: undefined, maxFileSizeBytes: LIMIT, log: { level: "debug", destination: "logs/sync.log" } });
  t.after(() => g.cleanup());
  const run = await runCli(["run", "--once", "--config", g.config]);
  assert.equal(run.code, ExitCode.someFilesFailed, run.stderr);
  assert.equal(run.stderr, "", "everything logged went to the file");

  const lines = (await readFile(join(g.root, "logs/sync.log"), "utf8")).split("\n");
  assert.equal(lines.pop(), "", "the file ends with a newline");
  const records = lines.map((line) => JSON.parse(line) as Record_);
  for (const record of records) {
    assert.ok(["debug", "info", "warn", "error"].includes(record.level), JSON.stringify(record));
    assert.match(record.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(typeof record.event, "string");
  }
  const byEvent = (event: string) => records.filter((r) => r.event === event);

  const skipped = byEvent("FileSyncFailed");
  assert.equal(skipped.length, 1, JSON.stringify(skipped));
  const [summary] = skipped;
  assert.equal(summary?.level, "warn");
  assert.equal(summary?.status, "skipped");
  assert.equal(summary?.count, FAILING);
  // The first three seen (the pools finish them in any order).
  const first = summary?.paths as string[];
  assert.equal(new Set(first).size, 3);
  for (const path of first) assert.match(path, /^pages\/big\d\d\.md$/);
  assert.match(String((summary?.error as { message: string }).message), /^too large: \d+ bytes, over the 200-byte limit/);
  assert.match(String(summary?.msg), new RegExp(`^skipped: ${FAILING} files in this sync, e\\.g\\. .*; and ${FAILING - 3} more \\(sync-pipeline status lists them\\)$`));

  // One file's warning stays its own line, with its path.
  assert.deepEqual(byEvent("FileIndexed").filter((r) => r.level === "warn").map((r) => [r.path, r.warnings]), [
    ["pages/odd.md", ["invalid UTF-8: 1 bad byte sequence(s) replaced with U+FFFD"]],
  ]);
  // debug: every clean file, with its path and blocks.
  assert.deepEqual(byEvent("FileIndexed").filter((r) => r.level === "debug").map((r) => [r.path, r.blocks]).sort(), [0, 1, 2, 3, 4].map((i) => [`pages/ok${i}.md`, 1]));
  // info: the sync's start and end, the end with its duration.
  assert.deepEqual(byEvent("SyncStarted").map((r) => [r.level, r.files, r.unchanged]), [["info", FAILING + 6, 0]]);
  const [completed] = byEvent("SyncCompleted");
  assert.equal(completed?.level, "info");
  assert.equal(typeof completed?.durationMs, "number");
  assert.deepEqual([completed?.indexed, completed?.skipped, completed?.warnings], [6, FAILING, 1]);
  assert.equal(records.length, 1 + 1 + 6 + 1, "start, one summary, six indexed files, end");
});

test("on stderr (text), 50 skipped files are one line with the count; three are three lines as before", async (t) => {
  const g = await tempGraph(pages(), { maxFileSizeBytes: LIMIT });
  t.after(() => g.cleanup());
  const run = await runCli(["run", "--once", "--config", g.config]);
  assert.equal(run.code, ExitCode.someFilesFailed, run.stderr);
  const lines = run.stderr.split("\n").filter((line) => line !== "");
  assert.equal(lines.length, 2, run.stderr);
  assert.match(lines[0] ?? "", new RegExp(`^skipped: ${FAILING} files in this sync, e\\.g\\. pages/big\\d\\d\\.md: too large: .*; and ${FAILING - 3} more`));
  assert.equal(lines[1], "warning: pages/odd.md: invalid UTF-8: 1 bad byte sequence(s) replaced with U+FFFD");

  for (let i = 3; i < FAILING; i++) await g.remove(`pages/big${String(i).padStart(2, "0")}.md`);
  for (let i = 0; i < 3; i++) await g.write(`pages/big${String(i).padStart(2, "0")}.md`, `- ${"y".repeat(LIMIT)}\n`);
  const again = await runCli(["run", "--once", "--config", g.config]);
  assert.equal(again.code, ExitCode.someFilesFailed, again.stderr);
  assert.deepEqual(again.stderr.split("\n").filter((line) => line !== "").map((line) => line.replace(/: too large: .*/, "")).sort(), [
    "skipped: pages/big00.md",
    "skipped: pages/big01.md",
    "skipped: pages/big02.md",
  ]);
});

test("the service logs its catch-up's 50 skipped files as one JSON line before it says it caught up, and later ones per file", async (t) => {
  const sandbox = await makeSandbox({ strategy: "realtime", logLevel: undefined, maxFileSizeBytes: LIMIT, log: { level: "warn", destination: "service.log" } });
  for (let i = 0; i < FAILING; i++) await writePage(sandbox, `pages/big${String(i).padStart(2, "0")}.md`, `- ${"x".repeat(LIMIT)}\n`);
  const service = new ServiceProcess(sandbox.configPath);
  t.after(async () => {
    service.kill();
    await sandbox.cleanup();
  });
  const failures = async () =>
    (await readFile(join(sandbox.dir, "service.log"), "utf8")).split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as Record_).filter((r) => r.event === "FileSyncFailed");
  await service.ready();
  assert.deepEqual((await failures()).map((r) => [r.level, r.status, r.count]), [["warn", "skipped", FAILING]]);

  await writePage(sandbox, "pages/later1.md", `- ${"y".repeat(LIMIT)}\n`);
  await writePage(sandbox, "pages/later2.md", `- ${"z".repeat(LIMIT)}\n`);
  await pollUntil(async () => (await failures()).length === 3, "two more lines", 30_000);
  assert.equal(await service.stop("SIGTERM"), 0, service.stderr);
  const later = (await failures()).slice(1);
  assert.deepEqual(later.map((r) => [r.status, r.path, r.count]).sort(), [["skipped", "pages/later1.md", undefined], ["skipped", "pages/later2.md", undefined]]);
  assert.equal(service.stderr, "SIGTERM: finishing in-flight work...\n", "the log went to its file");
});

test("the service's start-up catch-up is a sync in the log: SyncStarted, each file, then SyncCompleted with its counts", async (t) => {
  const sandbox = await makeSandbox({ strategy: "realtime", logLevel: undefined, log: { level: "debug", destination: "service.log" } });
  for (const name of ["a", "b", "c"]) await writePage(sandbox, `pages/${name}.md`, `- page ${name}\n`);
  const service = new ServiceProcess(sandbox.configPath);
  t.after(async () => {
    service.kill();
    await sandbox.cleanup();
  });
  await service.ready();
  assert.equal(await service.stop("SIGTERM"), 0, service.stderr);
  const records = (await readFile(join(sandbox.dir, "service.log"), "utf8")).split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as Record_);
  const sync = records.filter((r) => ["SyncStarted", "FileIndexed", "SyncCompleted"].includes(String(r.event)));
  assert.deepEqual(sync.map((r) => r.event), ["SyncStarted", "FileIndexed", "FileIndexed", "FileIndexed", "SyncCompleted"]);
  assert.deepEqual([sync[0]?.["files"], sync[0]?.["unchanged"]], [3, 0]);
  assert.deepEqual([sync[4]?.["files"], sync[4]?.["indexed"], sync[4]?.["failed"]], [3, 3, 0]);
});
