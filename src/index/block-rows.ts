import type { ParsedBlock } from "../logseq/types.ts";
import { byteSink, putBytes, putJsonText, reserve, resetSink, type ByteSink } from "./row-bytes.ts";
import { putTokens } from "./token-bytes.ts";

/**
 * Blocks and refs as NDJSON rows for DuckDB's JSON reader (see
 * IndexedDocument), UTF-8 encoded here, in the parse worker: the writer
 * thread then only copies bytes to its scratch file. Encoding there cost the
 * single writer thread about 1 s per 20,000 files (its biggest JS cost), and
 * bytes in shared memory cross threads without a copy, where a string with
 * any non-Latin-1 character is copied as two-byte text. Each line is built
 * as a string field by field (only free text needs JSON.stringify) and
 * encoded into a reused byte sink (row-bytes.ts) at once; its tokens are
 * written there as bytes (token-bytes.ts). Encoding a file's rows as one
 * concatenated string instead cost more than the fields (issue #8: V8
 * flattens the rope first), and so did the regex tokeniser. `wanted`: only these
 * ords' rows (a partial document, indexed-document.ts). `base`: the first
 * block's ord in the file (blocks parsed again in part, partial-parse.ts).
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
    // The tokens first, into a sink of their own: the line holds their count before them.
    tokenSink.at = 0;
    const count = putTokens(tokenSink, block.content);
    putJsonText(rows,
      `{"path":${pathJson},"ord":${base + ord},"id":${JSON.stringify(block.id)},"parent_id":${json(parent)},` +
        `"position":${block.position},"level":${block.level},"content":${JSON.stringify(block.content)},` +
        `"properties":${hasKeys(block.properties) ? JSON.stringify(block.properties) : "null"},` +
        `"marker":${json(block.marker)},"priority":${json(block.priority)},"scheduled":${block.scheduled ?? "null"},` +
        `"deadline":${block.deadline ?? "null"},"repeater":${json(block.repeater)},"pre_block":${block.preBlock},` +
        `"length":${count},"tokens":"`);
    reserve(rows, tokenSink.at);
    rows.bytes.set(tokenSink.bytes.subarray(0, tokenSink.at), rows.at);
    rows.at += tokenSink.at;
    putBytes(rows, ROW_END);
    for (const ref of block.refs) {
      putJsonText(refs, `{"path":${pathJson},"ord":${base + ord},"block_id":${JSON.stringify(block.id)},"target":${JSON.stringify(ref.target)},"kind":"${ref.kind}"}\n`);
    }
  }
  const result = shared(rows, refs);
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
 * Both row sets copied into one SharedArrayBuffer (one memcpy). Handing a
 * batch to the writer thread copied every ArrayBuffer-backed row set
 * through postMessage: on the main thread about 43 ms per 1,024 files,
 * 4.2 s of a 20,000-file full index under load (issue #8), where shared
 * memory costs a constant 11 ms. Transferring instead would detach the
 * bytes, and a failed batch is split and sent again (BatchProcessor).
 */
function shared(blocks: ByteSink, refs: ByteSink): { blockRows: Uint8Array; refRows: Uint8Array } {
  const memory = new SharedArrayBuffer(blocks.at + refs.at);
  const blockRows = new Uint8Array(memory, 0, blocks.at);
  const refRows = new Uint8Array(memory, blocks.at, refs.at);
  blockRows.set(blocks.bytes.subarray(0, blocks.at));
  refRows.set(refs.bytes.subarray(0, refs.at));
  return { blockRows, refRows };
}

function json(value: string | null): string {
  return value === null ? "null" : JSON.stringify(value);
}

function hasKeys(value: object): boolean {
  for (const _ in value) return true;
  return false;
}

