// Checksum throughput on one core over the graph's real files (one digest per
// file, as the hash worker does): sha256, which the pipeline uses, beside sha1.
import { createHash } from "node:crypto";
import type { Sample } from "../lib/sample.ts";
import { timeTask } from "../lib/tiny.ts";
import { round, row, type BenchRow } from "../report/row.ts";

export async function hashingScenario(sample: Sample): Promise<BenchRow[]> {
  const digest = (algorithm: string) => () => {
    for (const f of sample.files) createHash(algorithm).update(f.bytes).digest("hex");
  };
  const sha256 = await timeTask("sha256", digest("sha256"), { timeMs: 2000, iterations: 5 });
  const sha1 = await timeTask("sha1", digest("sha1"), { timeMs: 2000, iterations: 5 });
  const mbps = (ms: number) => round(sample.bytes / 1e6 / (ms / 1000), 1);
  const note = `${round(sample.bytes / 1e6, 2)} MB in ${sample.files.length} files, one digest per file`;
  const files = sample.files.length;
  return [
    row("hash-sha256", files, { mbPerSecond: mbps(sha256.p50Ms), filesPerSecond: round(files / (sha256.p50Ms / 1000)), p50Ms: round(sha256.p50Ms, 2), samples: sha256.samples, note }),
    row("hash-sha1", files, { mbPerSecond: mbps(sha1.p50Ms), filesPerSecond: round(files / (sha1.p50Ms / 1000)), p50Ms: round(sha1.p50Ms, 2), samples: sha1.samples, ratio: round(sha256.p50Ms / sha1.p50Ms, 2), baseline: "vs sha256", note }),
  ];
}
