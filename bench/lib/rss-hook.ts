// Loaded with `node --import` into every child the benchmark spawns: on exit,
// writes the process's peak resident set size (KiB; all threads, since the
// pools are worker threads of this process) to $BENCH_RSS_FILE. Portable
// where `/usr/bin/time -v` is not installed.
import { writeFileSync } from "node:fs";
import process from "node:process";
import { isMainThread } from "node:worker_threads";

const out = process.env["BENCH_RSS_FILE"];
if (out !== undefined && isMainThread) {
  process.on("exit", () => writeFileSync(out, String(process.resourceUsage().maxRSS)));
}
