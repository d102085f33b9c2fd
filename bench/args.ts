// The bench's command line: parsed and checked before any scenario starts,
// so a typo costs a line on stderr and exit 2, never a stack trace or a run.
import { parseArgs } from "node:util";

export const BENCH_USAGE = `usage: npm run bench -- [options]   (or: node dist/bench/run.js [options])

Runs every scenario, the tuning grid and the report (bench/results/report.md).
Run it under \`nice -n -20\` on a shared machine.

options:
  --quick              a smoke run: small graphs, one run each; writes to bench/results/quick/
  --out FILE           also write the rows as JSON to FILE
  --write-config FILE  write a config with the grid's best batch size and parsing threads to FILE
  --files N            files in the full-index, no-op and FTS5 scenarios (default 20000, 1000 with --quick; at least 100)
  --scale N,N,…        graph sizes of the scale curve (default 1000,5000,20000,100000; 500,1500 with --quick)
  --help               print this text and exit
`;

/** `filesGiven`/`scaleGiven`: whether the option was on the command line (the report repeats the command). */
export type BenchArgs = { quick: boolean; out?: string; writeConfig?: string; files: number; filesGiven: boolean; scale: number[]; scaleGiven: boolean };
export type ParsedBenchArgs = { kind: "run"; args: BenchArgs } | { kind: "help" } | { kind: "error"; message: string };

export function parseBenchArgs(argv: string[]): ParsedBenchArgs {
  let values: { quick?: boolean; help?: boolean; out?: string; "write-config"?: string; files?: string; scale?: string };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        quick: { type: "boolean" },
        help: { type: "boolean", short: "h" },
        out: { type: "string" },
        "write-config": { type: "string" },
        files: { type: "string" },
        scale: { type: "string" },
      },
      strict: true,
    }));
  } catch (error) {
    return { kind: "error", message: parseErrorLine(error) };
  }
  if (values.help === true) return { kind: "help" };
  const quick = values.quick === true;
  const files = values.files === undefined ? (quick ? 1000 : 20_000) : Number(values.files);
  if (!Number.isInteger(files) || files < 100) return { kind: "error", message: "--files must be a whole number of at least 100" };
  const scale = values.scale === undefined ? (quick ? [500, 1500] : [1000, 5000, 20_000, 100_000]) : values.scale.split(",").map(Number);
  if (scale.length === 0 || scale.some((n) => !Number.isInteger(n) || n < 100)) {
    return { kind: "error", message: "--scale must list whole numbers of at least 100, separated by commas (e.g. 1000,10000,100000)" };
  }
  return {
    kind: "run",
    args: { quick, files, filesGiven: values.files !== undefined, scale, scaleGiven: values.scale !== undefined, ...(values.out === undefined ? {} : { out: values.out }), ...(values["write-config"] === undefined ? {} : { writeConfig: values["write-config"] }) },
  };
}

/** node:util's parse errors, in one line without its advice about `--` separators. */
function parseErrorLine(error: unknown): string {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const option = /'([^']+)'/.exec(message)?.[1] ?? message;
    return `unknown option '${option}' (see --help)`;
  }
  if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") return `${message.split(".")[0] ?? message} (see --help)`;
  return `${message.split("\n")[0] ?? message} (see --help)`;
}
