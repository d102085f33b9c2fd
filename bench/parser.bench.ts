// Parser throughput: parseFile vs Logseq's own mldoc on the same Markdown files.
//
//   npx tsc -p . && nice -n -20 node dist/bench/parser.bench.js [--dir DIR]... [--runs N] [--mldoc-runs N] [--no-mldoc]
//
// Default inputs: /work/shared/graphs/logseq-docs (read-only, if present) and
// a generated graph (2,000 files, seed 1) at /tmp/parser-bench-graph, created
// with bench/generate-graph.ts when missing. Only `.md` files are measured
// (the target is "MB of Markdown per core"). MB = 1e6 UTF-8 bytes. Each run
// parses every file once; the figure is the best (min-time) run, since other
// load on the machine only ever makes a run slower.

import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { createRequire } from "node:module";
import { parseArgs } from "node:util";
import { Buffer } from "node:buffer";
import process from "node:process";
import { parseFile } from "../src/logseq/parse.ts";
import { readGraphConfig } from "../src/logseq/graph-config.ts";
import type { GraphConfig } from "../src/logseq/types.ts";
import { generateGraph } from "./generate-graph.ts";

type Input = { name: string; graph: GraphConfig; files: { rel: string; text: string }[]; bytes: number };

function listMarkdown(dir: string, root = dir, out: string[] = []): string[] {
  for (const e of readdirSync(dir).sort()) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) {
      if (e !== "logseq" && !e.startsWith(".")) listMarkdown(p, root, out);
    } else if (e.endsWith(".md")) out.push(relative(root, p));
  }
  return out;
}

async function load(dir: string): Promise<Input> {
  const graph = await readGraphConfig(dir);
  const files = listMarkdown(dir).map((rel) => ({ rel, text: readFileSync(join(dir, rel), "utf8") }));
  const bytes = files.reduce((s, f) => s + Buffer.byteLength(f.text), 0);
  return { name: dir, graph, files, bytes };
}

function timeParser(input: Input, runs: number): number[] {
  const times: number[] = [];
  let sink = 0;
  for (let r = 0; r < runs; r++) {
    const t0 = process.hrtime.bigint();
    for (const f of input.files) sink += parseFile(f.rel, f.text, input.graph).blocks.length;
    times.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  if (sink < 0) console.log(sink);
  return times;
}

type MldocApi = { parseJson(text: string, config: string): string };

function timeMldoc(input: Input, runs: number): number[] {
  const require = createRequire(import.meta.url);
  const Mldoc = (require("mldoc") as { Mldoc: MldocApi }).Mldoc;
  const config = JSON.stringify({
    toc: false, parse_outline_only: false, heading_number: false, keep_line_break: true, format: "Markdown",
    heading_to_list: false, exporting_keep_properties: true, inline_type_with_pos: false,
    export_md_remove_options: [], hiccup_in_block: true,
  });
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = process.hrtime.bigint();
    // parseJson returns the AST as a JSON string; Logseq parses it too, so do we
    for (const f of input.files) JSON.parse(Mldoc.parseJson(f.text, config));
    times.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return times;
}

const mbps = (bytes: number, s: number) => bytes / 1e6 / s;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      dir: { type: "string", multiple: true },
      runs: { type: "string", default: "" },
      "mldoc-runs": { type: "string", default: "1" },
      "no-mldoc": { type: "boolean", default: false },
    },
  });
  let dirs = values.dir ?? [];
  if (dirs.length === 0) {
    if (existsSync("/work/shared/graphs/logseq-docs/pages")) dirs.push("/work/shared/graphs/logseq-docs");
    const gen = "/tmp/parser-bench-graph";
    if (!existsSync(join(gen, "pages"))) await generateGraph(gen, { files: 2000, seed: 1 });
    dirs.push(gen);
  }
  for (const dir of dirs) {
    const input = await load(dir);
    // aim for ~3 s of parsing per input unless told otherwise
    timeParser(input, 3); // warm-up (JIT)
    const once = Math.min(...timeParser(input, 2));
    const runs = values.runs !== "" ? Number(values.runs) : Math.max(5, Math.min(200, Math.round(3 / once)));
    const times = timeParser(input, runs);
    const best = Math.min(...times);
    const median = [...times].sort((a, b) => a - b)[Math.floor(times.length / 2)] as number;
    const line: Record<string, unknown> = {
      input: dir,
      files: input.files.length,
      mb: +(input.bytes / 1e6).toFixed(3),
      runs,
      parserMBps: +mbps(input.bytes, best).toFixed(1),
      parserMedianMBps: +mbps(input.bytes, median).toFixed(1),
    };
    if (!values["no-mldoc"]) {
      const mt = timeMldoc(input, Number(values["mldoc-runs"]));
      const mbest = Math.min(...mt);
      line["mldocMBps"] = +mbps(input.bytes, mbest).toFixed(2);
      line["speedup"] = +(mbest / best).toFixed(0);
    }
    console.log(JSON.stringify(line));
  }
}

await main();
