import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { configSchema } from "../../src/config/schema.ts";
import { validatorSource } from "../../src/config/write-schema.ts";
import { defaultParsingThreads, parseConfig } from "../../src/config/load-config.ts";
import { ConfigInvalid } from "../../src/config/config-invalid.ts";
import { repoRoot, runCli, tempGraph } from "../support/cli.ts";

test("config.schema.json is exactly the schema the code validates with", async () => {
  const published = JSON.parse(await readFile(join(repoRoot, "config.schema.json"), "utf8"));
  assert.deepEqual(published, JSON.parse(JSON.stringify(configSchema)));
});

test("src/config/config-validator.ts is exactly what ajv standalone generates from the schema", async () => {
  const held = await readFile(join(repoRoot, "src/config/config-validator.ts"), "utf8");
  assert.ok(held === validatorSource(), "src/config/config-validator.ts is stale: run `npm run schema`");
});

test("a minimal config gets every default and absolute paths", () => {
  const config = parseConfig({ graph: "notes", database: "db/index.duckdb" }, "/home/me/sync.json");
  assert.equal(config.graph, "/home/me/notes");
  assert.equal(config.database, "/home/me/db/index.duckdb");
  assert.equal(config.strategy, "hybrid");
  assert.equal(config.batch.maxFiles, 1024);
  assert.equal(config.pools.parsing.threads, defaultParsingThreads());
  assert.equal(config.pools.writing.maxQueue, 4);
  assert.equal(config.debounce.maxWaitMs, 2000);
  assert.ok(Object.isFrozen(config) && Object.isFrozen(config.batch) && Object.isFrozen(config.pools.parsing));
});

test("parsing threads default to half the cores, at least one, and a configured count stands", () => {
  assert.deepEqual([1, 2, 3, 4, 8, 16].map((cores) => defaultParsingThreads(cores)), [1, 1, 1, 2, 4, 8]);
  const given = parseConfig({ graph: "g", database: "d", pools: { parsing: { threads: 3, maxQueue: 7 } } }, "/x/sync.json");
  assert.equal(given.pools.parsing.threads, 3);
  assert.equal(given.pools.parsing.maxQueue, 7);
  // The other pools' defaults are untouched by the parsing default.
  assert.equal(given.pools.hashing.threads, 1);
  assert.equal(parseConfig({ graph: "g", database: "d", pools: { parsing: { maxQueue: 7 } } }, "/x/sync.json").pools.parsing.threads, defaultParsingThreads());
});

test("invalid configs are refused with the field and the rule", () => {
  const cases: [unknown, RegExp][] = [
    [{ database: "x" }, /missing required field "graph"/],
    [{ graph: "g", database: "d", batchSize: 3 }, /unknown field "batchSize"/],
    [{ graph: "g", database: "d", batch: { maxFiles: 0 } }, /field "batch.maxFiles" must be >= 1/],
    [{ graph: "g", database: "d", pools: { writing: { duckdbMemoryMb: 64 } } }, /field "pools.writing.duckdbMemoryMb" must be >= 128/],
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

test("a config nested 5,000 deep is refused before validation, naming the field path (truncated)", () => {
  const deep = JSON.parse(`{"graph":"g","database":"d","extra":${'{"x":'.repeat(5000)}{}${"}".repeat(5000)}}`);
  assert.throws(
    () => parseConfig(deep, "/c.json"),
    (error: unknown) =>
      error instanceof ConfigInvalid &&
      /field "extra\.x\.x\.x\.x\.x\.x\.x…" is nested deeper than 32 levels/.test(error.message) &&
      error.message.length < 200,
  );
  // 32 levels is still only an unknown field, reported as such.
  const shallow = JSON.parse(`{"graph":"g","database":"d","extra":${'{"x":'.repeat(30)}{}${"}".repeat(30)}}`);
  assert.throws(() => parseConfig(shallow, "/c.json"), /unknown field "extra"/);
});

test("many errors are capped at the first 10, and huge field names are shortened", () => {
  const data: Record<string, unknown> = { graph: "g", database: "d", ["k".repeat(10_000)]: 1 };
  for (let i = 0; i < 20; i++) data[`k${i}`] = i;
  assert.throws(
    () => parseConfig(data, "/c.json"),
    (error: unknown) =>
      error instanceof ConfigInvalid &&
      /unknown field "k{40}…"; unknown field "k0";/.test(error.message) &&
      /unknown field "k8"; … and 11 more$/.test(error.message),
  );
});

test("the CLI exits 2 with a short message for a deeply nested config and for 700,000 unknown keys", async () => {
  const g = await tempGraph({ "pages/a.md": "- a" });
  try {
    await writeFile(g.config, `{"graph":"graph","database":"index.duckdb","batch":${'{"x":'.repeat(5000)}{}${"}".repeat(5000)}}`);
    const deep = await runCli(["status", "--config", g.config]);
    assert.equal(deep.code, 2, deep.stderr);
    assert.match(deep.stderr, /field "batch\.x\.x\.x\.x\.x\.x\.x…" is nested deeper than 32 levels/);
    assert.ok(deep.stderr.length < 4096, `${deep.stderr.length} bytes of stderr`);

    const many: Record<string, unknown> = { graph: "graph", database: "index.duckdb" };
    for (let i = 0; i < 700_000; i++) many[`key${i}`] = i;
    await writeFile(g.config, JSON.stringify(many));
    const wide = await runCli(["status", "--config", g.config]);
    assert.equal(wide.code, 2, wide.stderr.slice(0, 1000));
    assert.match(wide.stderr, /unknown field "key0"; .*unknown field "key9"; … and 699990 more\n$/);
    assert.ok(wide.stderr.length < 4096, `${wide.stderr.length} bytes of stderr`);
  } finally {
    await g.cleanup();
  }
});
