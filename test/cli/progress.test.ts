import assert from "node:assert/strict";
import { rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { test } from "node:test";
import { ExitCode } from "../../src/cli/exit-code.ts";
import { repoRoot, runCli, tempGraph, type TempGraph } from "../support/cli.ts";
import { havePython, runOnTerminal, screenLines } from "./pseudo-terminal.ts";

const BIN = [process.execPath, join(repoRoot, "bin/sync-pipeline.js")];
const PAGES = 120;
const SKIPPED = "skipped: pages/huge.md: too large: 503 bytes, over the 200-byte limit (maxFileSizeBytes)";
/** The bar as cli-progress draws it, with its count left to the caller. */
const bar = (count: string) => new RegExp(`^Syncing \\[[=-]{30}\\] ${count} files \\| \\d+\\.\\d files/s \\| ETA \\S+$`);

async function graphOfPages(): Promise<TempGraph> {
  const files: Record<string, string> = { "pages/huge.md": `- ${"x".repeat(500)}\n` };
  for (let i = 0; i < PAGES; i++) files[`pages/p${i}.md`] = `- page ${i} of the progress test\n`;
  return tempGraph(files, { maxFileSizeBytes: 200 });
}

const skipWithoutPython = havePython() ? false : "python3 (for its pty module) is not installed";

test("run --once on a terminal draws a progress bar on stderr that ends at N/N, with log lines above it", { skip: skipWithoutPython }, async (t) => {
  const g = await graphOfPages();
  t.after(() => g.cleanup());
  const first = await runOnTerminal([...BIN, "run", "--once", "--config", g.config], { cwd: repoRoot });
  assert.equal(first.code, ExitCode.someFilesFailed, first.terminal); // one file skipped
  const lines = screenLines(first.terminal);
  // The skipped file's log line stands whole on its own line, and the bar's last drawing is complete.
  assert.deepEqual(lines.filter((line) => !bar(".*").test(line)), [SKIPPED], first.terminal);
  assert.match(lines.at(-1) ?? "", bar(`${PAGES + 1}/${PAGES + 1}`), first.terminal);
  assert.equal(lines.at(-1)?.startsWith(`Syncing [${"=".repeat(30)}]`), true);
  // No terminal mode is changed that a Ctrl-C would leave behind: hidden cursor, wrapping off.
  assert.deepEqual(first.terminal.match(/\x1b\[\?(25l|7l)/g), null);
  // stdout is a pipe: the summary has no escape sequences in it.
  assert.equal(
    first.stdout,
    `Synced ${PAGES + 1} files in ${/in (\d+\.\d\d) s/.exec(first.stdout)?.[1]} s: ${PAGES} indexed, 0 unchanged, 0 moved, 0 deleted, 0 touched, 1 skipped, 0 failed (${PAGES} blocks written).\n  ${SKIPPED}\n`,
  );

  // Unchanged files publish no event, and a delete is not a file on disk: the bar still ends at the files on disk.
  await rename(join(g.graph, "pages/p0.md"), join(g.graph, "pages/moved.md"));
  await rm(join(g.graph, "pages/p1.md"));
  await rm(join(g.graph, "pages/huge.md"));
  const second = await runOnTerminal([...BIN, "run", "--once", "--config", g.config], { cwd: repoRoot });
  assert.equal(second.code, ExitCode.ok, second.terminal);
  assert.match(second.stdout, /: 0 indexed, 118 unchanged, 1 moved, 2 deleted, /);
  const secondLines = screenLines(second.terminal);
  assert.equal(secondLines.length, 1, second.terminal);
  assert.match(secondLines[0] ?? "", bar(`${PAGES - 1}/${PAGES - 1}`));
});

test("with --json on a terminal there is no bar: stderr holds only the log lines", { skip: skipWithoutPython }, async (t) => {
  const g = await graphOfPages();
  t.after(() => g.cleanup());
  const run = await runOnTerminal([...BIN, "run", "--once", "--json", "--config", g.config], { cwd: repoRoot });
  assert.equal(run.code, ExitCode.someFilesFailed, run.terminal);
  assert.equal(run.terminal, `${SKIPPED}\r\n`); // the terminal turns "\n" into "\r\n"
  assert.equal(JSON.parse(run.stdout).files, PAGES + 1);
});

test("on a pipe there is no bar: stderr holds only the log lines", async (t) => {
  const g = await graphOfPages();
  t.after(() => g.cleanup());
  const run = await runCli(["run", "--once", "--config", g.config]);
  assert.equal(run.code, ExitCode.someFilesFailed, run.stderr);
  assert.equal(run.stderr, `${SKIPPED}\n`);
  assert.match(run.stdout, /^Synced 121 files in /);
});
