import { test } from "node:test";
import assert from "node:assert/strict";
import process from "node:process";
import { join } from "node:path";
import { repoRoot, runCli } from "../support/cli.ts";

/** The bench's own entry point, run as a user would (`node dist/bench/run.js …`); these arguments never start a scenario. */
function bench(args: string[]) {
  return runCli(args, { command: [process.execPath, join(repoRoot, "dist/bench/run.js")], timeoutMs: 60_000 });
}

test("bench --help prints a usage text naming every option and exits 0", async () => {
  const result = await bench(["--help"]);
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stderr, "");
  assert.match(result.stdout, /^usage: npm run bench -- \[options\]/);
  for (const option of ["--quick", "--out FILE", "--write-config FILE", "--files N", "--scale N,N,…", "--help"]) {
    assert.ok(result.stdout.includes(`\n  ${option} `), `usage lists ${option}:\n${result.stdout}`);
  }
});

test("bench with an unknown option says so in one line and exits 2", async () => {
  const result = await bench(["--bogus"]);
  assert.equal(result.code, 2);
  assert.equal(result.stdout, "");
  assert.equal(result.stderr, "bench: unknown option '--bogus' (see --help)\n");
});

test("bench with a bad --files or --scale value says so in one line and exits 2", async () => {
  const files = await bench(["--files", "12"]);
  assert.equal(files.code, 2);
  assert.equal(files.stderr, "bench: --files must be a whole number of at least 100\n");
  const scale = await bench(["--scale", "1000,x"]);
  assert.equal(scale.code, 2);
  assert.equal(scale.stderr, "bench: --scale must list whole numbers of at least 100, separated by commas (e.g. 1000,10000,100000)\n");
});
