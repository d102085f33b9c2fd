/** Org block cutting: `*` headings, nesting by star count. */
import type { RawBlock } from "./raw-block.ts";
import { withPreBlock } from "./raw-block.ts";
import { CS, LE, LS, skipWs } from "./lines.ts";
import { beginBlockNameAt, CloserFinder, isEndBlockAt, unclosedBegin } from "./regions.ts";

/** Cuts an Org file into raw blocks: `*` headings, level = number of stars. */
export function cutOrg(text: string, nLines: number, warnings: string[]): RawBlock[] {
  const blocks: RawBlock[] = [];
  const closers = new CloserFinder(text, nLines, LS);
  let cur: RawBlock | null = null;
  let firstBlockLine = nLines;
  let beginName: string | null = null;
  for (let n = 0; n < nLines; n++) {
    const s = LS[n] as number;
    const e = LE[n] as number;
    CS[n] = s;
    if (beginName !== null) {
      if (isEndBlockAt(text, skipWs(text, s, e), e, beginName)) beginName = null;
      continue;
    }
    if (text.charCodeAt(s) === 42 /* * */ && s < e) {
      let j = s;
      while (j < e && text.charCodeAt(j) === 42) j++;
      const d = text.charCodeAt(j);
      if (j >= e || d === 32 || d === 9) {
        if (cur) {
          cur.end = n;
          blocks.push(cur);
        } else firstBlockLine = n;
        CS[n] = skipWs(text, j, e);
        cur = { depth: j - s, first: n, end: nLines, headingPrefix: 0, preBlock: false };
        continue;
      }
    }
    const i = skipWs(text, s, e);
    const b = beginBlockNameAt(text, i, e);
    if (b !== null) {
      if (closers.end(n + 1, b)) beginName = b;
      else warnings.push(unclosedBegin(n, b));
    }
  }
  if (cur) blocks.push(cur);
  return withPreBlock(text, firstBlockLine, blocks);
}
