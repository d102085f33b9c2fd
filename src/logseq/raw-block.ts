/** The raw blocks the cutters produce, and the pre-block before the first one. */
import { isBlankLine } from "./lines.ts";

/** A block as cut from the file, before its fields are read: lines [first, end) of the file. */
export type RawBlock = {
  /** Nesting key: leading whitespace count (Markdown) or star count (Org); -1 for the pre-block. */
  depth: number;
  first: number;
  end: number;
  /** Markdown heading block (`# …`) or Org heading: the first line's heading prefix length to skip for markers. */
  headingPrefix: number;
  preBlock: boolean;
};

export function withPreBlock(text: string, firstBlockLine: number, blocks: RawBlock[]): RawBlock[] {
  let a = 0;
  let z = firstBlockLine;
  while (a < z && isBlankLine(text, a)) a++;
  while (z > a && isBlankLine(text, z - 1)) z--;
  if (a < z) blocks.unshift({ depth: -1, first: a, end: z, headingPrefix: 0, preBlock: true });
  return blocks;
}
