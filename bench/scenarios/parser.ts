// Parser throughput on one core: our parseFile beside Logseq's mldoc on the
// same Markdown input (mldoc is slow, so the input is a small sample), plus
// the whole parse-worker task (parse + tokenise + NDJSON rows).
import { createRequire } from "node:module";
import { parseFile } from "../../src/logseq/parse.ts";
import { serialiseBlocks } from "../../src/index/block-rows.ts";
import type { Sample } from "../lib/sample.ts";
import { timeTask } from "../lib/tiny.ts";
import { round, row, type BenchRow } from "../report/row.ts";

type MldocApi = { parseJson(text: string, config: string): string };

const MLDOC_CONFIG = JSON.stringify({
  toc: false,
  parse_outline_only: false,
  heading_number: false,
  keep_line_break: true,
  format: "Markdown",
  heading_to_list: false,
  exporting_keep_properties: true,
  inline_type_with_pos: false,
  export_md_remove_options: [],
  hiccup_in_block: true,
});

export async function parserScenario(sample: Sample, options: { mldocIterations: number }): Promise<BenchRow[]> {
  const { Mldoc } = createRequire(import.meta.url)("mldoc") as { Mldoc: MldocApi };
  let sink = 0;
  const ours = await timeTask("parseFile", () => {
    for (const f of sample.files) sink += parseFile(f.path, f.text, sample.graph).blocks.length;
  }, { timeMs: 2000, iterations: 5 });
  const worker = await timeTask("parse+tokenise", () => {
    for (const f of sample.files) sink += serialiseBlocks(f.path, parseFile(f.path, f.text, sample.graph).blocks).blockRows.length;
  }, { timeMs: 2000, iterations: 5 });
  // Logseq parses the JSON string mldoc returns, so the comparison does too.
  const mldoc = await timeTask("mldoc", () => {
    for (const f of sample.files) sink += (JSON.parse(Mldoc.parseJson(f.text, MLDOC_CONFIG)) as unknown[]).length;
  }, { timeMs: 0, iterations: options.mldocIterations, warmup: false });
  if (sink < 0) throw new Error("unreachable");
  const mbps = (ms: number) => round(sample.bytes / 1e6 / (ms / 1000), 2);
  const files = sample.files.length;
  const note = `${round(sample.bytes / 1e6, 2)} MB sample, median of tinybench samples`;
  return [
    row("parser-parseFile", files, { mbPerSecond: mbps(ours.p50Ms), p50Ms: round(ours.p50Ms), samples: ours.samples, ratio: round(mldoc.p50Ms / ours.p50Ms, 1), baseline: "vs mldoc", note }),
    row("parser-parse+tokenise", files, { mbPerSecond: mbps(worker.p50Ms), p50Ms: round(worker.p50Ms), samples: worker.samples, ratio: round(mldoc.p50Ms / worker.p50Ms, 1), baseline: "vs mldoc", note }),
    row("parser-mldoc", files, { mbPerSecond: mbps(mldoc.p50Ms), p50Ms: round(mldoc.p50Ms), samples: mldoc.samples, note }),
  ];
}
