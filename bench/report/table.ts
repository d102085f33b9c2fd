import type { BenchRow } from "./row.ts";

const COLUMNS: { head: string; cell: (r: BenchRow) => string }[] = [
  { head: "scenario", cell: (r) => r.scenario },
  { head: "batch", cell: (r) => num(r.batchSize) },
  { head: "threads", cell: (r) => num(r.concurrency) },
  { head: "files", cell: (r) => num(r.files) },
  { head: "files/s", cell: (r) => num(r.filesPerSecond) },
  { head: "peak RSS MB", cell: (r) => num(r.peakRssMb) },
  { head: "wall ms", cell: (r) => num(r.wallMs) },
  { head: "p50 ms", cell: (r) => num(r.p50Ms) },
  { head: "p95 ms", cell: (r) => num(r.p95Ms) },
  { head: "MB/s", cell: (r) => num(r.mbPerSecond) },
  { head: "ratio", cell: (r) => (r.ratio === undefined ? "" : `${r.ratio}× ${r.baseline ?? ""}`.trim()) },
  { head: "note", cell: (r) => r.note ?? "" },
];

function num(value: number | null | undefined): string {
  return value === null || value === undefined ? "" : String(value);
}

/** A fixed-width text table for stdout. */
export function textTable(rows: readonly BenchRow[]): string {
  const cells = [COLUMNS.map((c) => c.head), ...rows.map((r) => COLUMNS.map((c) => c.cell(r)))];
  const widths = COLUMNS.map((_, i) => Math.max(...cells.map((line) => (line[i] ?? "").length)));
  const render = (line: string[]) => line.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join("  ").trimEnd();
  return [render(cells[0] ?? []), widths.map((w) => "-".repeat(w)).join("  "), ...cells.slice(1).map(render)].join("\n") + "\n";
}

/** The same rows as a Markdown table (pipes in notes escaped). */
export function markdownTable(rows: readonly BenchRow[]): string {
  const escape = (s: string) => s.replaceAll("|", "\\|");
  const lines = [
    `| ${COLUMNS.map((c) => c.head).join(" | ")} |`,
    `|${COLUMNS.map(() => "---").join("|")}|`,
    ...rows.map((r) => `| ${COLUMNS.map((c) => escape(c.cell(r))).join(" | ")} |`),
  ];
  return lines.join("\n") + "\n";
}
