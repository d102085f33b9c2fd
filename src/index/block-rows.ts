import { tokenString } from "./tokenize.ts";
import type { ParsedBlock } from "../logseq/types.ts";

const encoder = new TextEncoder();

/**
 * Blocks and refs as NDJSON rows for DuckDB's JSON reader (see
 * IndexedDocument), UTF-8 encoded here, in the parse worker: the writer
 * thread then only copies bytes to its scratch file. Encoding there cost the
 * single writer thread about 1 s per 20,000 files (its biggest JS cost), and
 * bytes cross threads as a memcpy where a string with any non-Latin-1
 * character is copied as two-byte text. Lines are written field by field
 * rather than through JSON.stringify of a row object: this runs for every
 * block of every file, and only free text needs escaping (ids, markers and
 * numbers never do).
 */
export function serialiseBlocks(path: string, blocks: ParsedBlock[]): { blockRows: Uint8Array; refRows: Uint8Array } {
  const pathJson = JSON.stringify(path);
  let blockRows = "";
  let refRows = "";
  for (let ord = 0; ord < blocks.length; ord++) {
    const block = blocks[ord] as ParsedBlock;
    const { tokens, count } = tokenString(block.content);
    const parent = block.parent >= 0 ? (blocks[block.parent]?.id ?? null) : null;
    blockRows +=
      `{"path":${pathJson},"ord":${ord},"id":${JSON.stringify(block.id)},"parent_id":${json(parent)},` +
        `"position":${block.position},"level":${block.level},"content":${JSON.stringify(block.content)},` +
        `"properties":${hasKeys(block.properties) ? JSON.stringify(block.properties) : "null"},` +
        `"marker":${json(block.marker)},"priority":${json(block.priority)},"scheduled":${block.scheduled ?? "null"},` +
        `"deadline":${block.deadline ?? "null"},"repeater":${json(block.repeater)},"pre_block":${block.preBlock},` +
        `"length":${count},"tokens":"${tokens}"}\n`;
    for (const ref of block.refs) {
      refRows += `{"path":${pathJson},"ord":${ord},"block_id":${JSON.stringify(block.id)},"target":${JSON.stringify(ref.target)},"kind":"${ref.kind}"}\n`;
    }
  }
  return { blockRows: encoder.encode(blockRows), refRows: encoder.encode(refRows) };
}

function json(value: string | null): string {
  return value === null ? "null" : JSON.stringify(value);
}

function hasKeys(value: object): boolean {
  for (const _ in value) return true;
  return false;
}

