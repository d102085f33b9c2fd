import { tokenString } from "./tokenize.ts";
import type { ParsedBlock } from "../logseq/types.ts";

const encoder = new TextEncoder();

/**
 * Blocks and refs as NDJSON rows for DuckDB's JSON reader (see
 * IndexedDocument), UTF-8 encoded here, in the parse worker: the writer
 * thread then only copies bytes to its scratch file. Encoding there cost the
 * single writer thread about 1 s per 20,000 files (its biggest JS cost), and
 * bytes in shared memory cross threads without a copy, where a string with
 * any non-Latin-1 character is copied as two-byte text. Lines are written field by field
 * rather than through JSON.stringify of a row object: this runs for every
 * block of every file, and only free text needs escaping (ids, markers and
 * numbers never do). `wanted`: only these ords' rows (a partial document,
 * indexed-document.ts). `base`: the first block's ord in the file (blocks parsed again in part, partial-parse.ts).
 */
export function serialiseBlocks(
  path: string,
  blocks: ParsedBlock[],
  wanted?: (ord: number) => boolean,
  base = 0,
): { blockRows: Uint8Array; refRows: Uint8Array } {
  const pathJson = JSON.stringify(path);
  let blockRows = "";
  let refRows = "";
  for (let ord = 0; ord < blocks.length; ord++) {
    if (wanted !== undefined && !wanted(ord)) continue;
    const block = blocks[ord] as ParsedBlock;
    const { tokens, count } = tokenString(block.content);
    const parent = block.parent >= 0 ? (blocks[block.parent]?.id ?? null) : null;
    blockRows +=
      `{"path":${pathJson},"ord":${base + ord},"id":${JSON.stringify(block.id)},"parent_id":${json(parent)},` +
        `"position":${block.position},"level":${block.level},"content":${JSON.stringify(block.content)},` +
        `"properties":${hasKeys(block.properties) ? JSON.stringify(block.properties) : "null"},` +
        `"marker":${json(block.marker)},"priority":${json(block.priority)},"scheduled":${block.scheduled ?? "null"},` +
        `"deadline":${block.deadline ?? "null"},"repeater":${json(block.repeater)},"pre_block":${block.preBlock},` +
        `"length":${count},"tokens":"${tokens}"}\n`;
    for (const ref of block.refs) {
      refRows += `{"path":${pathJson},"ord":${base + ord},"block_id":${JSON.stringify(block.id)},"target":${JSON.stringify(ref.target)},"kind":"${ref.kind}"}\n`;
    }
  }
  return shared(encoder.encode(blockRows), encoder.encode(refRows));
}

/**
 * Both row sets copied into one SharedArrayBuffer (one memcpy). Handing a
 * batch to the writer thread copied every ArrayBuffer-backed row set
 * through postMessage: on the main thread about 43 ms per 1,024 files,
 * 4.2 s of a 20,000-file full index under load (issue #8), where shared
 * memory costs a constant 11 ms. Transferring instead would detach the
 * bytes, and a failed batch is split and sent again (BatchProcessor).
 */
function shared(blockBytes: Uint8Array, refBytes: Uint8Array): { blockRows: Uint8Array; refRows: Uint8Array } {
  const memory = new SharedArrayBuffer(blockBytes.byteLength + refBytes.byteLength);
  const blockRows = new Uint8Array(memory, 0, blockBytes.byteLength);
  const refRows = new Uint8Array(memory, blockBytes.byteLength, refBytes.byteLength);
  blockRows.set(blockBytes);
  refRows.set(refBytes);
  return { blockRows, refRows };
}

function json(value: string | null): string {
  return value === null ? "null" : JSON.stringify(value);
}

function hasKeys(value: object): boolean {
  for (const _ in value) return true;
  return false;
}

