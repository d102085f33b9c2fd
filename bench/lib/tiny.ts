import { Bench } from "tinybench";
import { percentile } from "./stats.ts";

export type Timing = { samples: number; p50Ms: number; p95Ms: number; minMs: number };

/**
 * Times `fn` with tinybench and returns its latency percentiles (tinybench
 * reports p50/p75/p99, so p95 comes from the retained samples).
 */
export async function timeTask(name: string, fn: () => unknown, budget: { timeMs: number; iterations: number; warmup?: boolean }): Promise<Timing> {
  const bench = new Bench({ time: budget.timeMs, iterations: budget.iterations, warmup: budget.warmup ?? true, retainSamples: true, throws: true });
  bench.add(name, fn);
  await bench.run();
  const result = bench.tasks[0]?.result;
  if (result === undefined || (result.state !== "completed" && result.state !== "aborted-with-statistics")) {
    throw new Error(`benchmark ${name} did not complete (${result?.state})`);
  }
  const samples = [...(result.latency.samples ?? [])];
  return { samples: samples.length, p50Ms: result.latency.p50, p95Ms: percentile(samples, 95), minMs: result.latency.min };
}
