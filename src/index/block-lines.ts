import type { DiffBlock } from "./diff-state-cache.ts";
import { hashToUuid } from "../logseq/hash.ts";

const decoder = new TextDecoder();

/** A new parse's blocks as the block diff's cache keys them, with each block's NDJSON lines. */
export type BlockLines = { blocks: DiffBlock[]; blockLines: string[]; refLines: string[][] };

/**
 * Keys the blocks of a parse worker's NDJSON rows (block-rows.ts) in
 * JavaScript: a block's key hashes its line from `"id"` on without the
 * place fields (parent_id, position, level), `ord` and the derived `tokens`,
 * plus its refs' lines from `"block_id"` on. Loading a 5 MB page's rows into
 * DuckDB to digest them there cost about a second; splitting the lines costs
 * tens of milliseconds, and only the inserted blocks' lines are loaded.
 * The field markers cannot occur inside a JSON string (its quotes are
 * escaped), so `indexOf` finds the fields themselves.
 */
export function blockLines(blockRows: Uint8Array, refRows: Uint8Array): BlockLines {
  const lines = splitLines(blockRows);
  const refLines: string[][] = lines.map(() => []);
  for (const line of splitLines(refRows)) {
    const ordAt = line.indexOf(',"ord":');
    const blockIdAt = line.indexOf(',"block_id":', ordAt);
    refLines[Number(line.slice(ordAt + 7, blockIdAt))]?.push(line);
  }
  const blocks = lines.map((line, ord): DiffBlock => {
    const idAt = line.indexOf(',"id":');
    const parentAt = line.indexOf(',"parent_id":', idAt);
    const contentAt = line.indexOf(',"content":', parentAt);
    const tokensAt = line.lastIndexOf(',"tokens":');
    const propertiesAt = line.indexOf(',"properties":', contentAt);
    const markerAt = line.indexOf(',"marker":', propertiesAt);
    const place = JSON.parse(`{${line.slice(idAt + 1, contentAt)}}`) as { id: string; parent_id: string | null; position: number; level: number };
    const properties = line.slice(propertiesAt + 14, markerAt);
    const explicit = properties !== "null" && Object.hasOwn(JSON.parse(properties) as object, "id");
    // Refs from "target" on: their block_id is the parser id, which the key holds already.
    const refs = (refLines[ord] as string[]).map((ref) => ref.slice(ref.indexOf(',"target":')));
    // A 128-bit hash of the text, not the text: the cache holds a 5 MB page's keys in a few MB.
    const key = hashToUuid(line.slice(idAt, parentAt), line.slice(contentAt, tokensAt), ...refs);
    return { k: String(ord), t: ["", key, place.parent_id ?? "", String(place.position), String(place.level), place.id, "", explicit ? "1" : ""] };
  });
  return { blocks, blockLines: lines, refLines };
}

function splitLines(bytes: Uint8Array): string[] {
  if (bytes.byteLength === 0) return [];
  const text = decoder.decode(bytes);
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}
