import type { IndexedDocument } from "./index-batch.ts";

const decoder = new TextDecoder();

/**
 * A document's NDJSON lines by ord (block-rows.ts): every block's, or in a
 * partial document only those of the blocks its previous parse lacked
 * (indexed-document.ts). Only the inserted blocks' lines are loaded into
 * DuckDB: loading a 5 MB page's rows to digest them there cost about a
 * second. The field markers cannot occur inside a JSON string (its quotes
 * are escaped), so `indexOf` finds the fields themselves.
 */
export type BlockLines = { blockLines: Map<number, string>; refLines: Map<number, string[]> };

/** Maps, not arrays of the page's length: a partial document of a 70,000-block page carries a handful of rows. */
export function blockLines(doc: IndexedDocument): BlockLines {
  const lines = new Map<number, string>();
  for (const line of splitLines(doc.blockRows)) lines.set(ordOf(line), line);
  const refLines = new Map<number, string[]>();
  for (const line of splitLines(doc.refRows)) {
    const ord = ordOf(line);
    const list = refLines.get(ord);
    if (list === undefined) refLines.set(ord, [line]);
    else list.push(line);
  }
  return { blockLines: lines, refLines };
}

/** A row's `ord`: `{"path":…,"ord":N,…`. */
function ordOf(line: string): number {
  const at = line.indexOf(',"ord":');
  return Number(line.slice(at + 7, line.indexOf(",", at + 7)));
}

function splitLines(bytes: Uint8Array): string[] {
  if (bytes.byteLength === 0) return [];
  const text = decoder.decode(bytes);
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}
