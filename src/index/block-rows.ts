import { tokenize } from "./tokenize.ts";
import type { ParsedBlock } from "../logseq/types.ts";
import type { BlockRow, RefRow } from "./index-batch.ts";

/** Blocks and refs as NDJSON rows for DuckDB's JSON reader (see IndexedDocument). */
export function serialiseBlocks(path: string, blocks: ParsedBlock[]): { blockRows: string; refRows: string } {
  const blockLines: string[] = [];
  const refLines: string[] = [];
  blocks.forEach((block, ord) => {
    const tokens = tokenize(block.content);
    const row: BlockRow = {
      path,
      ord,
      id: block.id,
      parent_id: block.parent >= 0 ? (blocks[block.parent]?.id ?? null) : null,
      position: block.position,
      level: block.level,
      content: block.content,
      properties: hasKeys(block.properties) ? block.properties : null,
      marker: block.marker,
      priority: block.priority,
      scheduled: block.scheduled,
      deadline: block.deadline,
      repeater: block.repeater,
      pre_block: block.preBlock,
      length: tokens.length,
      tokens: tokens.join(" "),
    };
    blockLines.push(JSON.stringify(row));
    for (const ref of block.refs) {
      const refRow: RefRow = { path, ord, block_id: block.id, target: ref.target, kind: ref.kind };
      refLines.push(JSON.stringify(refRow));
    }
  });
  return { blockRows: joinLines(blockLines), refRows: joinLines(refLines) };
}

function joinLines(lines: string[]): string {
  return lines.length === 0 ? "" : lines.join("\n") + "\n";
}

function hasKeys(value: object): boolean {
  for (const _ in value) return true;
  return false;
}

