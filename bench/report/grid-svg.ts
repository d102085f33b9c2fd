import type { BenchRow } from "./row.ts";
import type { GridSetting } from "./best-setting.ts";

const WIDTH = 640;
const HEIGHT = 320;
const MARGIN = { top: 48, right: 16, bottom: 48, left: 64 };
const COLORS = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#b07aa1"];

/**
 * A grouped bar chart of the grid, hand-written so the report needs no
 * plotting dependency: one group per batch size, one bar per parsing-thread
 * count, height = files/s. The winner's bar is outlined.
 */
export function gridSvg(rows: readonly BenchRow[], winner: GridSetting | null): string {
  const cells = rows.filter(
    (r): r is BenchRow & { batchSize: number; concurrency: number; filesPerSecond: number } =>
      r.scenario === "grid" && r.batchSize !== null && r.concurrency !== null && r.filesPerSecond !== null,
  );
  const batches = [...new Set(cells.map((c) => c.batchSize))].sort((a, b) => a - b);
  const threads = [...new Set(cells.map((c) => c.concurrency))].sort((a, b) => a - b);
  const top = niceCeiling(Math.max(1, ...cells.map((c) => c.filesPerSecond)));
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const y = (v: number) => MARGIN.top + plotH - (v / top) * plotH;
  const groupW = plotW / Math.max(1, batches.length);
  const barW = (groupW * 0.8) / Math.max(1, threads.length);

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="11">`,
    `<text x="${WIDTH / 2}" y="16" text-anchor="middle" font-size="13">Full index throughput (files/s) by batch.maxFiles × parsing threads</text>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const v = (top * i) / 4;
    const ty = fmt(y(v));
    out.push(`<line x1="${MARGIN.left}" y1="${ty}" x2="${WIDTH - MARGIN.right}" y2="${ty}" stroke="#ddd"/>`);
    out.push(`<text x="${MARGIN.left - 6}" y="${fmt(y(v) + 4)}" text-anchor="end">${fmt(v)}</text>`);
  }
  batches.forEach((batch, g) => {
    const gx = MARGIN.left + g * groupW + groupW * 0.1;
    threads.forEach((t, i) => {
      const cell = cells.find((c) => c.batchSize === batch && c.concurrency === t);
      if (cell === undefined) return;
      const x = gx + i * barW;
      const isWinner = winner !== null && winner.batchSize === batch && winner.concurrency === t;
      const stroke = isWinner ? ` stroke="#000" stroke-width="2"` : "";
      out.push(
        `<rect x="${fmt(x)}" y="${fmt(y(cell.filesPerSecond))}" width="${fmt(barW - 2)}" height="${fmt(MARGIN.top + plotH - y(cell.filesPerSecond))}" fill="${COLORS[i % COLORS.length]}"${stroke}><title>batch ${batch}, ${t} thread(s): ${fmt(cell.filesPerSecond)} files/s</title></rect>`,
      );
      out.push(`<text x="${fmt(x + (barW - 2) / 2)}" y="${fmt(y(cell.filesPerSecond) - 3)}" text-anchor="middle" font-size="9">${Math.round(cell.filesPerSecond)}</text>`);
    });
    out.push(`<text x="${fmt(MARGIN.left + g * groupW + groupW / 2)}" y="${HEIGHT - MARGIN.bottom + 16}" text-anchor="middle">${batch}</text>`);
  });
  out.push(`<text x="${fmt(MARGIN.left + plotW / 2)}" y="${HEIGHT - 8}" text-anchor="middle">batch.maxFiles</text>`);
  threads.forEach((t, i) => {
    const lx = WIDTH - MARGIN.right - 110 * (threads.length - i);
    out.push(`<rect x="${lx}" y="24" width="10" height="10" fill="${COLORS[i % COLORS.length]}"/>`);
    out.push(`<text x="${lx + 14}" y="33">${t} parsing thread${t === 1 ? "" : "s"}</text>`);
  });
  out.push(`</svg>`);
  return out.join("\n") + "\n";
}

/** 1, 2 or 5 times a power of ten, at least `value`: round axis ends. */
export function niceCeiling(value: number): number {
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

function fmt(n: number): string {
  return String(Math.round(n * 10) / 10);
}
