/**
 * One line of the benchmark's output: the `--out` JSON is an array of these.
 * `batchSize`/`concurrency` are null where a scenario has no such knob (a
 * micro-benchmark), and the measured fields are null where they do not apply.
 */
export type BenchRow = {
  scenario: string;
  batchSize: number | null;
  /** Parsing-pool threads (the hashing pool keeps its own setting). */
  concurrency: number | null;
  files: number;
  filesPerSecond: number | null;
  peakRssMb: number | null;
  wallMs?: number;
  /** The sync session's own time (the CLI's `durationMs`: no process start-up or module loading). */
  sessionMs?: number;
  blocks?: number;
  p50Ms?: number;
  p95Ms?: number;
  mbPerSecond?: number;
  /** This row's figure divided by its baseline's (see `baseline`). */
  ratio?: number;
  baseline?: string;
  samples?: number;
  /** churn-memory: the diff-state and file-metadata caches' largest sizes against their bounds, and the service's RSS after the first and last wave. */
  churn?: { cacheMaxBytes: number; cacheBoundBytes: number; metadataMaxBytes?: number; metadataBoundBytes?: number; rssFirstMb: number; rssLastMb: number };
  /** search-quality: queries whose wanted page ranked within the fixture's bound, of all queries. */
  quality?: { within: number; queries: number };
  note?: string;
};

export function row(scenario: string, files: number, fields: Partial<BenchRow> = {}): BenchRow {
  return { scenario, batchSize: null, concurrency: null, files, filesPerSecond: null, peakRssMb: null, ...fields };
}

/** Rounds to `digits` decimals, keeping the JSON and the tables readable. */
export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
