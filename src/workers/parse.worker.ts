import { workerData } from "piscina";
import { BackgroundYield } from "../bulkheads/foreground-gate.ts";
import { runGroup, type TaskGroup } from "../bulkheads/task-groups.ts";
import type { GraphConfig } from "../logseq/types.ts";
import type { IndexedDocument } from "../index/index-batch.ts";
import { indexedDocument } from "../index/indexed-document.ts";
import type { ParseMemory } from "../index/partial-parse.ts";
import { readGraphFile, type ReadOutcome, type ReadTask } from "./read-graph-file.ts";
import { withTransfer } from "./transfer.ts";

/**
 * `idSeed`: the page name block ids were first derived from (files.id_seed); absent for a new file.
 * `previousKeys`: what the file's previous parse left (BlockKeyCache): a partial parse, or rows only for other blocks.
 */
export type ParseTask = { path: string; bytes: ArrayBuffer; idSeed?: string; previousKeys?: ParseMemory; whole?: true };

/** `keys`: what this parse leaves for the next parse of the file (its block keys, a large page's text). */
export type ParseOutcome =
  | { ok: true; doc: IndexedDocument; keys: ParseMemory }
  | { ok: false; status: "skipped" | "failed"; reason: string };

/** A file whose parse does not depend on its checksum (a new file that cannot be a move, a forced re-parse): read and parse in one task. */
export type ReadParseTask = ReadTask & { path: string; idSeed?: string };

/** The read's outcome without its bytes (they stay here), and the parse when the read succeeded. */
export type ReadParseOutcome =
  | { read: Extract<ReadOutcome, { ok: false }> }
  | { read: { ok: true; size: number; mtime: number; checksum: string }; parsed: ParseOutcome };

const { graph, foreground: foregroundMemory } = workerData as { graph: GraphConfig; foreground?: SharedArrayBuffer };
/** Before each file: a search through the service waits for no parse (foreground-gate.ts). */
const background = new BackgroundYield(foregroundMemory);
const strict = new TextDecoder("utf-8", { fatal: true });
const lenient = new TextDecoder("utf-8");

/** How far into a file to look for NUL bytes, as git does to call a file binary. */
const BINARY_SNIFF_BYTES = 8000;

/**
 * Decodes, parses and tokenises one file. Pure CPU work: never blocks the
 * main thread. Never throws: whatever goes wrong with one file (a parser
 * bug, an input no rule foresaw) becomes that file's `failed` row, and
 * every other file still syncs. The task exports hand their rows back
 * transferred (rowBuffers), so they are for piscina, not for calling here.
 */
export default function parse(task: ParseTask): ParseOutcome {
  background.wait();
  const outcome = parseBytes(task, new Uint8Array(task.bytes));
  return withTransfer(outcome, rowBuffers([outcome]));
}

function parseBytes(task: ParseTask, bytes: Uint8Array): ParseOutcome {
  try {
    return parseOne(task, bytes);
  } catch (error) {
    return { ok: false, status: "failed", reason: `parser error: ${describe(error)}` };
  }
}

/** The buffers the outcomes' rows are in (block-rows.ts: one per document), to transfer instead of copy. */
function rowBuffers(outcomes: readonly ParseOutcome[]): ArrayBuffer[] {
  const buffers: ArrayBuffer[] = [];
  for (const outcome of outcomes) {
    if (!outcome.ok) continue;
    const { buffer } = outcome.doc.blockRows;
    if (buffer instanceof ArrayBuffer && buffer.byteLength > 0) buffers.push(buffer);
  }
  return buffers;
}

/**
 * The hashing worker's read and checksum, then the parse, in one task. For a
 * full index this halves the tasks the main thread hands out and answers
 * (20,000 files: 20,000 round trips through the hashing bulkhead, each about
 * 0.15 ms of the main thread's CPU, on a machine whose two cores the parse
 * threads and the writer already fill), and the bytes never cross threads.
 */
export function readAndParse(task: ReadParseTask): ReadParseOutcome {
  background.wait();
  const outcome = readAndParseOne(task);
  return "parsed" in outcome ? withTransfer(outcome, rowBuffers([outcome.parsed])) : outcome;
}

function readAndParseOne(task: ReadParseTask): ReadParseOutcome {
  const read = readGraphFile(task);
  if (!read.ok) return { read };
  const { bytes, ...rest } = read;
  // A new file or a forced re-parse: written whole (indexed-document.ts `whole`).
  const parseTask: ParseTask = { path: task.path, bytes: bytes.buffer as ArrayBuffer, ...(task.idSeed === undefined ? {} : { idSeed: task.idSeed }), whole: true };
  return { read: rest, parsed: parseBytes(parseTask, bytes) };
}

/** `readAndParse` of a group's files in order (task-groups.ts), until its budget has passed (at least one). */
export function readAndParseGroup(group: TaskGroup<ReadParseTask>): ReadParseOutcome[] {
  const outcomes = runGroup(group, (task) => {
    background.wait();
    return readAndParseOne(task);
  });
  return withTransfer(outcomes, rowBuffers(outcomes.flatMap((outcome) => ("parsed" in outcome ? [outcome.parsed] : []))));
}

/** At most this much of an error message goes into the files row. */
const MAX_REASON_CHARS = 500;

function describe(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.length > MAX_REASON_CHARS ? text.slice(0, MAX_REASON_CHARS) + "…" : text;
}

function parseOne(task: ParseTask, bytes: Uint8Array): ParseOutcome {
  if (bytes.subarray(0, BINARY_SNIFF_BYTES).includes(0)) {
    return { ok: false, status: "skipped", reason: "binary content (NUL bytes), not a text page" };
  }
  const warnings: string[] = [];
  let text: string;
  try {
    text = strict.decode(bytes);
  } catch {
    text = lenient.decode(bytes);
    warnings.push(`invalid UTF-8: ${countReplacements(text)} bad byte sequence(s) replaced with U+FFFD`);
  }
  if (text.trim() === "") warnings.push("empty file: indexed as a page without blocks");
  const { doc, keys } = indexedDocument(task.path, text, graph, { idSeed: task.idSeed, previousKeys: task.previousKeys, bytes, warnings, whole: task.whole === true });
  // The rows are in a buffer of their own (block-rows.ts), transferred to the main thread by the task's export.
  return { ok: true, doc, keys };
}

function countReplacements(text: string): number {
  let count = 0;
  for (let i = text.indexOf("\uFFFD"); i !== -1; i = text.indexOf("\uFFFD", i + 1)) count++;
  return count;
}
