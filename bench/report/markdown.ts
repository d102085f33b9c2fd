import type { BenchRow } from "./row.ts";
import type { GridSetting } from "./best-setting.ts";
import { markdownTable } from "./table.ts";

export type ReportContext = {
  /** When and where: shown in the report's header. */
  date: string;
  machine: string;
  command: string;
  notes: readonly string[];
  /** Further Markdown sections (e.g. the targets), placed after the results. */
  sections?: readonly string[];
};

/** The Markdown report: context, the winner, every row, the grid chart inline, then any further sections. */
export function markdownReport(rows: readonly BenchRow[], winner: GridSetting | null, svg: string, context: ReportContext): string {
  const parts = [
    `# sync-pipeline benchmark`,
    ``,
    `${context.date} · ${context.machine}`,
    ``,
    `Command: \`${context.command}\``,
    ``,
    `## Grid winner`,
    ``,
    winner === null
      ? `No grid row was measured.`
      : `\`batch.maxFiles\` = ${winner.batchSize}, \`pools.parsing.threads\` = ${winner.concurrency}: ` +
        `${winner.filesPerSecond} files/s` + (winner.peakRssMb === null ? "" : `, peak RSS ${winner.peakRssMb} MB`) + `.`,
    ``,
    svg.trimEnd(),
    ``,
    `## Results`,
    ``,
    markdownTable(rows).trimEnd(),
  ];
  for (const section of context.sections ?? []) parts.push(``, section.trimEnd());
  if (context.notes.length > 0) parts.push(``, `## How these were measured`, ``, ...context.notes.map((n) => `- ${n}`));
  return parts.join("\n") + "\n";
}
