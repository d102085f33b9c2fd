import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmod, chown, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import process from "node:process";
import { test } from "node:test";
import type { IndexStatus } from "../../src/index/status.ts";
import type { VerifyReport } from "../../src/index/verify-report.ts";
import { repoRoot, runCli, runJson, tempGraph, type CliResult } from "../support/cli.ts";
import { AS_NOBODY, BREAKS, damageBlock, hasSetpriv } from "./broken-file.ts";
import { ServiceProcess } from "../service/service-harness.ts";

const COMMANDS = [["run", "--once"], ["run"], ["search", "alpha"], ["status"], ["verify"]];

/** One line on stderr, naming the file and the way back; no stack trace; exit 3. */
function assertClearError(result: CliResult, database: string, what: string): void {
  assert.equal(result.code, 3, `${what}: exit ${result.code}\n${result.stderr}`);
  assert.equal(result.stdout, "", what);
  const lines = result.stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `${what}: one line, got\n${result.stderr}`);
  assert.ok(lines[0]?.startsWith(`sync-pipeline: `), `${what}: ${result.stderr}`);
  assert.ok(lines[0]?.includes(database), `${what}: names ${database}: ${result.stderr}`);
  assert.match(lines[0] ?? "", /`sync-pipeline run --rebuild`/, `${what}: names the way back`);
}

/** Every command refuses the file and leaves it byte for byte; `run --rebuild` moves it aside and rebuilds. */
async function checkBrokenDatabase(
  what: string,
  breakIt: (database: string) => Promise<void>,
  options: { asNobody?: boolean; commands?: string[][] } = {},
): Promise<void> {
  const asNobody = options.asNobody === true;
  const g = await tempGraph({ "pages/a.md": "- alpha\n", "pages/b.md": "- beta [[a]]\n" });
  const command = asNobody ? { command: [...AS_NOBODY, process.execPath, join(repoRoot, "bin/sync-pipeline.js")] } : {};
  try {
    await runJson(["run", "--once", "--config", g.config]);
    await breakIt(g.database);
    if (asNobody) execFileSync("chown", ["-R", "65534:65534", g.root]);
    const broken = await readFile(g.database);
    const wal = await readFile(g.database + ".wal").catch(() => null);
    for (const args of options.commands ?? COMMANDS) {
      assertClearError(await runCli([...args, "--config", g.config], command), g.database, `${what}: ${args.join(" ")}`);
    }
    assert.ok((await readFile(g.database)).equals(broken), `${what}: the file is left untouched`);

    const rebuilt = await runCli(["run", "--once", "--rebuild", "--config", g.config], command);
    assert.equal(rebuilt.code, 0, `${what}: ${rebuilt.stderr}`);
    const aside = (await readdir(g.root)).filter((name) => name.startsWith("index.duckdb.broken-") && !name.endsWith(".wal"));
    assert.equal(aside.length, 1, `${what}: moved aside once: ${aside.join(", ")}`);
    assert.match(aside[0] ?? "", /^index\.duckdb\.broken-\d{8}T\d{6}Z$/);
    assert.ok((await readFile(join(g.root, aside[0] ?? ""))).equals(broken), `${what}: the broken file is kept as it was`);
    if (wal !== null) assert.ok((await readFile(join(g.root, `${aside[0] ?? ""}.wal`))).equals(wal), `${what}: its WAL went aside with it`);
    assert.match(rebuilt.stderr, new RegExp(`moved ${g.database} aside to ${g.database}.broken-`));
    const status = await runJson<IndexStatus>(["status", "--config", g.config], 0);
    assert.deepEqual({ files: status.files, blocks: status.blocks }, { files: 2, blocks: 2 }, what);
    assert.equal((await runJson<VerifyReport>(["verify", "--config", g.config])).clean, true, what);
  } finally {
    if (asNobody) await chown(g.root, 0, 0).catch(() => {});
    await g.cleanup();
  }
}

for (const [what, breakIt] of Object.entries(BREAKS)) {
  test(`${what}: every command gives a one-line error naming the file and --rebuild; run --rebuild moves it aside`, () =>
    checkBrokenDatabase(what, breakIt));
}

test("an unreadable database file: every command names it and the way back; run --rebuild moves it aside", async () => {
  // chmod 000 stops everyone but root: as root, the CLI runs as nobody (as in test/spine/bad-input.test.ts).
  const asNobody = process.getuid?.() === 0;
  if (asNobody) assert.ok(hasSetpriv(), "running as root, this test needs setpriv (util-linux) to run the CLI as nobody");
  await checkBrokenDatabase("unreadable", (database) => chmod(database, 0o000), { asNobody });
});

test("a damaged block: the commands that read it give the one-line error; run --rebuild moves the file aside", () =>
  checkBrokenDatabase("a damaged block", damageBlock, { commands: [["search", "alpha"], ["verify"], ["verify", "--repair"]] }));

test("run --rebuild is refused while a service holds the database, and moves nothing", async (t) => {
  const g = await tempGraph({ "pages/a.md": "- alpha\n" });
  t.after(() => g.cleanup());
  const service = new ServiceProcess(g.config);
  t.after(() => service.kill());
  await service.ready();
  const result = await runCli(["run", "--once", "--rebuild", "--config", g.config]);
  assert.equal(result.code, 3, result.stderr);
  assert.equal(result.stderr, `sync-pipeline: a sync-pipeline service holds ${g.database}: stop it before \`run --rebuild\`\n`);
  assert.deepEqual((await readdir(g.root)).filter((name) => name.includes(".broken-")), []);
  assert.equal(await service.stop("SIGINT"), 0);
});
