import assert from "node:assert/strict";
import { test } from "node:test";
import { parseConfig } from "../../src/config/load-config.ts";
import { effectiveLogLevel, logFile } from "../../src/observe/logger.ts";

const parse = (extra: Record<string, unknown>) => parseConfig({ graph: "g", database: "d.duckdb", ...extra }, "/home/u/notes/config.json");

test("log.level defaults to info; the old logLevel key still works and, when present, wins", () => {
  assert.equal(effectiveLogLevel(parse({})), "info");
  assert.equal(effectiveLogLevel(parse({ log: { level: "debug" } })), "debug");
  assert.equal(effectiveLogLevel(parse({ logLevel: "warn" })), "warn");
  assert.equal(effectiveLogLevel(parse({ logLevel: "warn", log: { level: "debug" } })), "warn");
});

test("log.destination is stderr by default, or a file resolved against the config's folder", () => {
  assert.equal(logFile(parse({})), null);
  assert.equal(logFile(parse({ log: { destination: "logs/sync.log" } })), "/home/u/notes/logs/sync.log");
  assert.equal(logFile(parse({ log: { destination: "/var/log/sync.log" } })), "/var/log/sync.log");
  assert.throws(() => parse({ log: { format: "yaml" } }), /field "log.format" must be one of "auto", "json", "text"/);
});
