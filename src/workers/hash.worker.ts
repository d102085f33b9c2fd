import { workerData } from "piscina";
import { BackgroundYield } from "../bulkheads/foreground-gate.ts";
import { runGroup, type TaskGroup } from "../bulkheads/task-groups.ts";
import { ownBuffer, withTransfer } from "./transfer.ts";
import { readGraphFile, type ReadOutcome, type ReadTask } from "./read-graph-file.ts";

export type HashTask = ReadTask;

/** Before each file: a search through the service waits for no read (foreground-gate.ts). */
const background = new BackgroundYield((workerData as { foreground?: SharedArrayBuffer } | undefined)?.foreground);

export type HashOutcome =
  | { ok: true; size: number; mtime: number; checksum: string; bytes: ArrayBuffer }
  | Extract<ReadOutcome, { ok: false }>;

/**
 * Reads a file once and checksums it. The bytes go back to the main thread
 * as a transferred buffer (no copy) so the parser never reads the file again.
 */
export default function hashFile(task: HashTask): HashOutcome {
  const outcome = hashed(task);
  return withTransfer(outcome, outcome.ok ? [outcome.bytes] : []);
}

/** `hashFile` of a group's files in order (task-groups.ts), until its budget has passed (at least one); every buffer transferred. */
export function hashGroup(group: TaskGroup<HashTask>): HashOutcome[] {
  const outcomes = runGroup(group, hashed);
  return withTransfer(outcomes, outcomes.flatMap((outcome) => (outcome.ok ? [outcome.bytes] : [])));
}

function hashed(task: HashTask): HashOutcome {
  background.wait();
  const read = readGraphFile(task);
  return read.ok ? { ...read, bytes: ownBuffer(read.bytes) } : read;
}
