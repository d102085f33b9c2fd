import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { test } from "node:test";
import type { SearchHit } from "../../src/index/search.ts";
import { makeSandbox, REPO_ROOT, runCli, ServiceProcess, writePage } from "../service/service-harness.ts";

const PAGES = 100;
const BLOCKS_PER_PAGE = 12;
/** About 1 KB per hit: 1,000 hits make ~1 MB of JSON, far past a pipe's 64 KB buffer. */
const FILLER = "granite ".repeat(120).trim();

test("search --json writes all of its output to a pipe, read directly and through the service's socket", async (t) => {
  const sandbox = await makeSandbox({ logLevel: "warn" });
  t.after(() => sandbox.cleanup());
  for (let p = 0; p < PAGES; p++) {
    const blocks = Array.from({ length: BLOCKS_PER_PAGE }, (_, b) => `- quarry ${p}-${b} ${FILLER}\n`).join("");
    await writePage(sandbox, `pages/p${p}.md`, blocks);
  }
  assert.equal((await runCli(["run", "--once", "--config", sandbox.configPath])).code, 0);

  // runCli gives the child a pipe for stdout: the case that was cut at 64 KB.
  const readAll = async () => {
    const r = await runCli(["search", "quarry", "--json", "--limit", "1000", "--config", sandbox.configPath]);
    assert.equal(r.code, 0, r.stderr);
    const hits = JSON.parse(r.stdout) as SearchHit[];
    assert.ok(r.stdout.length > 16 * 64 * 1024, `only ${r.stdout.length} bytes: too little to test a full pipe`);
    return hits;
  };
  assert.equal((await readAll()).length, 1000);

  // A reader that stops early (`| head`) ends the command quietly, exit 0, no EPIPE stack trace.
  const bin = join(REPO_ROOT, "bin", "sync-pipeline.js");
  const early = spawnSync("bash", ["-c", `"$0" "$1" search quarry --json --limit 1000 --config "$2" | head -c 10 >/dev/null; echo "\${PIPESTATUS[0]}"`, process.execPath, bin, sandbox.configPath], { encoding: "utf8" });
  assert.equal(early.stderr, "");
  assert.equal(early.stdout, "0\n");

  const service = new ServiceProcess(sandbox.configPath);
  t.after(() => service.kill());
  await service.ready();
  // The service holds the database, so this answer can only have come through its socket.
  assert.equal((await readAll()).length, 1000);
  assert.equal(await service.stop(), 0, service.stderr);
});
