import { test } from "node:test";
import assert from "node:assert/strict";
import { parseFile } from "../../src/logseq/parse.ts";
import { defaultGraphConfig } from "../../src/logseq/graph-config.ts";

const task = (text: string) =>
  parseFile("pages/p.md", text, defaultGraphConfig).blocks.map((b) => [b.marker, b.priority, b.scheduled, b.deadline, b.repeater]);

test("markers and priorities", () => {
  const markers = ["TODO", "DOING", "WAITING", "WAIT", "DONE", "CANCELED", "CANCELLED", "STARTED", "IN-PROGRESS", "NOW", "LATER"];
  assert.deepEqual(
    task(markers.map((m) => `- ${m} x`).join("\n")).map((t) => t[0]),
    markers,
  );
  assert.deepEqual(task("- TODO [#A] a\n- [#C] b\n- todo c\n- TODOx d"), [
    ["TODO", "A", null, null, null],
    [null, "C", null, null, null],
    [null, null, null, null, null],
    [null, null, null, null, null],
  ]);
});

test("SCHEDULED and DEADLINE as day numbers with repeaters", () => {
  assert.deepEqual(task("- TODO a\n  SCHEDULED: <2024-01-15 Mon .+1d>\n- b\n  DEADLINE: <2024-02-01 Thu ++1w>\n- c\n  SCHEDULED: <2024-03-01 Fri 10:00 +1m>"), [
    ["TODO", null, 20240115, null, ".+1d"],
    [null, null, null, 20240201, "++1w"],
    [null, null, 20240301, null, "+1m"],
  ]);
});
