import { test } from "node:test";
import assert from "node:assert/strict";
import { bestSetting, configWithSetting } from "../../bench/report/best-setting.ts";
import { gridSvg, niceCeiling } from "../../bench/report/grid-svg.ts";
import { markdownReport } from "../../bench/report/markdown.ts";
import { markdownTable, textTable } from "../../bench/report/table.ts";
import { row, type BenchRow } from "../../bench/report/row.ts";
import { percentile } from "../../bench/lib/stats.ts";

const cell = (batchSize: number, concurrency: number, filesPerSecond: number, peakRssMb: number): BenchRow =>
  row("grid", 3000, { batchSize, concurrency, filesPerSecond, peakRssMb });

const grid: BenchRow[] = [
  cell(64, 1, 100, 250),
  cell(64, 2, 150, 280),
  cell(256, 1, 120, 260),
  cell(256, 2, 200, 300),
  row("full-index", 20000, { filesPerSecond: 190, peakRssMb: 400 }),
];

test("bestSetting takes the fastest grid cell and ignores other scenarios", () => {
  assert.deepEqual(bestSetting(grid), { batchSize: 256, concurrency: 2, filesPerSecond: 200, peakRssMb: 300 });
});

test("bestSetting prefers less memory, then fewer threads, then smaller batches among near-ties", () => {
  const near = [cell(64, 4, 200, 320), cell(1024, 2, 197, 290), cell(256, 2, 195, 290), cell(16, 1, 150, 200)];
  assert.deepEqual(bestSetting(near), { batchSize: 256, concurrency: 2, filesPerSecond: 195, peakRssMb: 290 });
  assert.deepEqual(bestSetting(near, 0), { batchSize: 64, concurrency: 4, filesPerSecond: 200, peakRssMb: 320 });
});

test("bestSetting is null without measured grid rows", () => {
  assert.equal(bestSetting([row("grid", 10, { batchSize: 8, concurrency: 1 }), row("full-index", 10, { filesPerSecond: 5 })]), null);
});

test("configWithSetting sets the two tuned fields and keeps everything else", () => {
  const setting = { batchSize: 64, concurrency: 4, filesPerSecond: 1, peakRssMb: null };
  assert.deepEqual(configWithSetting({}, setting), {
    graph: "graph",
    database: "index.duckdb",
    batch: { maxFiles: 64 },
    pools: { parsing: { threads: 4 } },
  });
  assert.deepEqual(
    configWithSetting(
      { graph: "/g", database: "/d.duckdb", batch: { windowMs: 10, maxFiles: 1 }, pools: { hashing: { threads: 2 }, parsing: { maxQueue: 9 } } },
      setting,
    ),
    {
      graph: "/g",
      database: "/d.duckdb",
      batch: { windowMs: 10, maxFiles: 64 },
      pools: { hashing: { threads: 2 }, parsing: { maxQueue: 9, threads: 4 } },
    },
  );
});

test("niceCeiling rounds up to 1, 2 or 5 times a power of ten", () => {
  assert.deepEqual([1, 3, 200, 201, 499, 501, 0.3].map(niceCeiling), [1, 5, 200, 500, 500, 1000, 0.5]);
});

test("percentile interpolates between order statistics", () => {
  assert.equal(percentile([4, 1, 3, 2], 50), 2.5);
  assert.equal(percentile([10, 20, 30, 40, 50], 95), 48);
  assert.ok(Number.isNaN(percentile([], 50)));
});

test("gridSvg draws one bar per cell, scaled to a round axis, the winner outlined", () => {
  const svg = gridSvg(grid, bestSetting(grid));
  const rects = svg.split("\n").filter((line) => line.startsWith("<rect x=") && line.includes("<title>"));
  assert.deepEqual(rects, [
    `<rect x="92" y="160" width="110" height="112" fill="#4e79a7"><title>batch 64, 1 thread(s): 100 files/s</title></rect>`,
    `<rect x="204" y="104" width="110" height="168" fill="#f28e2b"><title>batch 64, 2 thread(s): 150 files/s</title></rect>`,
    `<rect x="372" y="137.6" width="110" height="134.4" fill="#4e79a7"><title>batch 256, 1 thread(s): 120 files/s</title></rect>`,
    `<rect x="484" y="48" width="110" height="224" fill="#f28e2b" stroke="#000" stroke-width="2"><title>batch 256, 2 thread(s): 200 files/s</title></rect>`,
  ]);
  assert.ok(svg.startsWith(`<svg xmlns="http://www.w3.org/2000/svg" width="640" height="320"`));
  assert.ok(svg.includes(`<text x="58" y="52" text-anchor="end">200</text>`), "top tick is the axis maximum");
  assert.ok(svg.includes(`>1 parsing thread</text>`) && svg.includes(`>2 parsing threads</text>`));
  assert.ok(svg.endsWith("</svg>\n"));
});

test("textTable and markdownTable render every row with empty cells for missing fields", () => {
  const rows = [
    row("search-cli", 1000, { p50Ms: 12.5, p95Ms: 20, note: "a|b" }),
    row("grid", 600, { batchSize: 32, concurrency: 2, filesPerSecond: 99.5, peakRssMb: 250, ratio: 1.3, baseline: "vs single-thread" }),
  ];
  assert.equal(
    markdownTable(rows),
    [
      "| scenario | batch | threads | files | files/s | peak RSS MB | wall ms | p50 ms | p95 ms | MB/s | ratio | note |",
      "|---|---|---|---|---|---|---|---|---|---|---|---|",
      "| search-cli |  |  | 1000 |  |  |  | 12.5 | 20 |  |  | a\\|b |",
      "| grid | 32 | 2 | 600 | 99.5 | 250 |  |  |  |  | 1.3× vs single-thread |  |",
    ].join("\n") + "\n",
  );
  const text = textTable(rows).split("\n");
  assert.equal(text[0], "scenario    batch  threads  files  files/s  peak RSS MB  wall ms  p50 ms  p95 ms  MB/s  ratio                  note");
  assert.equal(text[2], "search-cli                  1000                                  12.5    20                                   a|b");
  assert.equal(text[3], "grid        32     2        600    99.5     250                                         1.3× vs single-thread");
});

test("markdownReport names the winner and inlines the chart", () => {
  const report = markdownReport(grid, bestSetting(grid), "<svg></svg>\n", { date: "D", machine: "M", command: "C", notes: ["n1"] });
  assert.equal(
    report.split("\n## Results")[0],
    "# sync-pipeline benchmark\n\nD · M\n\nCommand: `C`\n\n## Grid winner\n\n" +
      "`batch.maxFiles` = 256, `pools.parsing.threads` = 2: 200 files/s, peak RSS 300 MB.\n\n<svg></svg>\n",
  );
  assert.ok(report.endsWith("## How these were measured\n\n- n1\n"));
});
