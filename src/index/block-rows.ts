import type { ParsedBlock } from "../logseq/types.ts";
import { byteSink, putBytes, putJsonText, reserve, resetSink, type ByteSink } from "./row-bytes.ts";
import { putTokens } from "./token-bytes.ts";

/**
 * Blocks and refs as NDJSON rows for DuckDB's JSON reader (see
 * IndexedDocument), UTF-8 encoded here, in the parse worker: the writer
 * thread then only copies bytes to its scratch file. Encoding there cost the
 * single writer thread about 1 s per 20,000 files (its biggest JS cost), and
 * transferred bytes cross threads without a copy, where a string with any
 * non-Latin-1 character is copied as two-byte text. Each line is built
 * as a string field by field (only free text needs JSON.stringify) and
 * encoded into a reused byte sink (row-bytes.ts) at once; its tokens are
 * written there as bytes (token-bytes.ts). A line leaves out what is null
 * or false (block-row-reader.ts reads it back as NULL): the rows of 5,000
 * generated files are 45 MB instead of 54, serialised in 0.36 s instead of
 * 0.40 (medians of 6 interleaved runs). Encoding a file's rows as one
 * concatenated string instead cost more than the fields (issue #8: V8
 * flattens the rope first), and so did the regex tokeniser; so did writing
 * each field's bytes into the sink (10,000 files: 860 instead of 805 ms).
 * `wanted`: only these ords' rows (a partial document, indexed-document.ts).
 * `base`: the first block's ord in the file (blocks parsed again in part,
 * partial-parse.ts).
 */
export function serialiseBlocks(
  path: string,
  blocks: ParsedBlock[],
  wanted?: (ord: number) => boolean,
  base = 0,
): { blockRows: Uint8Array; refRows: Uint8Array } {
  const pathJson = JSON.stringify(path);
  const rows = blockSink;
  const refs = refSink;
  resetSink(rows);
  resetSink(refs);
  resetSink(tokenSink);
  for (let ord = 0; ord < blocks.length; ord++) {
    if (wanted !== undefined && !wanted(ord)) continue;
    const block = blocks[ord] as ParsedBlock;
    const parent = block.parent >= 0 ? (blocks[block.parent]?.id ?? null) : null;
    let line = `{"path":${pathJson},"ord":${base + ord},"id":${JSON.stringify(block.id)}`;
    if (parent !== null) line += `,"parent_id":${JSON.stringify(parent)}`;
    line += `,"position":${block.position},"level":${block.level},"content":${JSON.stringify(block.content)}`;
    if (hasKeys(block.properties)) line += `,"properties":${JSON.stringify(block.properties)}`;
    if (block.marker !== null) line += `,"marker":${JSON.stringify(block.marker)}`;
    if (block.priority !== null) line += `,"priority":${JSON.stringify(block.priority)}`;
    if (block.scheduled !== null) line += `,"scheduled":${block.scheduled}`;
    if (block.deadline !== null) line += `,"deadline":${block.deadline}`;
    if (block.repeater !== null) line += `,"repeater":${JSON.stringify(block.repeater)}`;
    if (block.preBlock) line += `,"pre_block":true`;
    // The tokens into a sink of their own: the line holds their count before them.
    tokenSink.at = 0;
    const count = putTokens(tokenSink, block.content);
    putJsonText(rows, line + `,"length":${count},"tokens":"`);
    reserve(rows, tokenSink.at);
    rows.bytes.set(tokenSink.bytes.subarray(0, tokenSink.at), rows.at);
    rows.at += tokenSink.at;
    putBytes(rows, ROW_END);
    for (const ref of block.refs) {
      putJsonText(refs, `{"path":${pathJson},"ord":${base + ord},"block_id":${JSON.stringify(block.id)},"target":${JSON.stringify(ref.target)},"kind":"${ref.kind}"}\n`);
    }
  }
  const result = ownRows(rows, refs);
  // Emptied now, not at the next call: a huge page's grown buffers are dropped while the worker idles.
  resetSink(rows);
  resetSink(refs);
  resetSink(tokenSink);
  return result;
}

// One set of sinks per thread: each parse worker serialises one file at a time.
const blockSink = byteSink();
const refSink = byteSink();
const tokenSink = byteSink();
const ROW_END = new TextEncoder().encode(`"}\n`);

/**
 * Both row sets copied into one ArrayBuffer of their own (one memcpy), which
 * crosses threads by transfer: from the parse worker to the main thread
 * (parse.worker.ts), and packed with the rest of its batch from there to the
 * writer (bulkheads/apply-batch.ts). They were in a SharedArrayBuffer per
 * file: V8 does not count shared memory in a thread's external memory, so
 * nothing made the main thread and the writer collect the rows they were
 * done with, and a 20,000-file full index held 120-170 MB of them (a
 * FinalizationRegistry count) until a collection came by. A plain buffer
 * counts, and the main thread copies it into its batch's buffer, which the
 * writer hands back once written, for the next batch.
 */
function ownRows(blocks: ByteSink, refs: ByteSink): { blockRows: Uint8Array; refRows: Uint8Array } {
  const memory = new ArrayBuffer(blocks.at + refs.at);
  const blockRows = new Uint8Array(memory, 0, blocks.at);
  const refRows = new Uint8Array(memory, blocks.at, refs.at);
  blockRows.set(blocks.bytes.subarray(0, blocks.at));
  refRows.set(refs.bytes.subarray(0, refs.at));
  return { blockRows, refRows };
}

function hasKeys(value: object): boolean {
  for (const _ in value) return true;
  return false;
}

