import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { configSchema } from "../../src/config/schema.ts";
import { parseConfig } from "../../src/config/load-config.ts";
import { ConfigInvalid } from "../../src/config/config-invalid.ts";
import { repoRoot, runCli, tempGraph } from "../support/cli.ts";

test("config.schema.json is exactly the schema the code validates with", async () => {
  const published = JSON.parse(await readFile(join(repoRoot, "config.schema.json"), "utf8"));
  assert.deepEqual(published, JSON.parse(JSON.stringify(configSchema)));
});

test("a minimal config gets every default and absolute paths", () => {
  const config = parseConfig({ graph: "notes", database: "db/index.duckdb" }, "/home/me/sync.json");
  assert.equal(config.graph, "/home/me/notes");
  assert.equal(config.database, "/home/me/db/index.duckdb");
  assert.equal(config.strategy, "hybrid");
  assert.equal(config.batch.maxFiles, 256);
  assert.equal(config.pools.parsing.threads, 2);
  assert.equal(config.pools.writing.maxQueue, 4);
  assert.equal(config.debounce.maxWaitMs, 2000);
  assert.ok(Object.isFrozen(config) && Object.isFrozen(config.batch));
});

test("invalid configs are refused with the field and the rule", () => {
  const cases: [unknown, RegExp][] = [
    [{ database: "x" }, /missing required field "graph"/],
    [{ graph: "g", database: "d", batchSize: 3 }, /unknown field "batchSize"/],
    [{ graph: "g", database: "d", batch: { maxFiles: 0 } }, /field "batch.maxFiles" must be >= 1/],
    [{ graph: "g", database: "d", strategy: "fast" }, /field "strategy" must be one of "realtime", "batch", "hybrid"/],
    [{ graph: 42, database: "d" }, /field "graph" must be string/],
  ];
  for (const [data, message] of cases) {
    assert.throws(() => parseConfig(data, "/c.json"), (error: unknown) => error instanceof ConfigInvalid && message.test(error.message));
  }
});

test("the CLI exits 2 naming the field for an invalid config, and for a config that is not JSON", async () => {
  const g = await tempGraph({ "pages/a.md": "- a" });
  try {
    await writeFile(g.config, JSON.stringify({ graph: "graph", database: "index.duckdb", pools: { hashing: { threads: "two" } } }));
    const bad = await runCli(["run", "--once", "--config", g.config]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /field "pools.hashing.threads" must be integer/);
    await writeFile(g.config, "{ graph: ");
    const notJson = await runCli(["run", "--once", "--config", g.config]);
    assert.equal(notJson.code, 2);
    assert.match(notJson.stderr, /is not valid JSON/);
    const missing = await runCli(["status", "--config", join(g.root, "nope.json")]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read config file/);
    const noCommand = await runCli(["--config", g.config]);
    assert.equal(noCommand.code, 2);
  } finally {
    await g.cleanup();
  }
});
