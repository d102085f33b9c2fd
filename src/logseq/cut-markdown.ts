/** Markdown block cutting: `-` bullets and `#` headings, nesting by indentation. */
import type { RawBlock } from "./raw-block.ts";
import { withPreBlock } from "./raw-block.ts";
import { CS, LE, LS, skipWs } from "./lines.ts";
import { beginBlockNameAt, CloserFinder, closesFence, fenceRunAt, isEndBlockAt, unclosedBegin, unclosedFence } from "./regions.ts";

/** Cuts a Markdown file into raw blocks; fills CS for every line. */
export function cutMarkdown(text: string, nLines: number, warnings: string[]): RawBlock[] {
  const blocks: RawBlock[] = [];
  const closers = new CloserFinder(text, nLines, LS);
  let cur: RawBlock | null = null;
  let firstBlockLine = nLines;
  let curIndent = 0;
  let curBullet = 0;
  let fenceCh = 0; // 0 = not in a fence
  let fenceLen = 0;
  let beginName: string | null = null;
  for (let n = 0; n < nLines; n++) {
    const s = LS[n] as number;
    const e = LE[n] as number;
    const i = skipWs(text, s, e); // first non-blank
    const ws = i - s;
    const contLine = cur === null ? s : s + Math.min(ws, curIndent + curBullet);
    if (fenceCh !== 0 || beginName !== null) {
      const closes = fenceCh !== 0 ? closesFence(text, i, e, fenceCh, fenceLen) : isEndBlockAt(text, i, e, beginName as string);
      if (closes) {
        fenceCh = 0;
        beginName = null;
      }
      CS[n] = contLine;
      continue;
    }
    const c = text.charCodeAt(i);
    let start = false;
    let headingPrefix = 0;
    let contentStart = i;
    if (c === 45 /* - */ && i < e) {
      const d = text.charCodeAt(i + 1);
      if (i + 1 >= e || d === 32 || d === 9) {
        start = true;
        contentStart = skipWs(text, i + 1, e);
      }
    } else if (c === 35 /* # */ && i < e) {
      let h = i;
      while (h < e && text.charCodeAt(h) === 35) h++;
      const d = text.charCodeAt(h);
      if (h - i <= 6 && (h >= e || d === 32 || d === 9)) {
        start = true;
        headingPrefix = h - i;
      }
    }
    if (start) {
      if (cur) {
        cur.end = n;
        blocks.push(cur);
      } else firstBlockLine = n;
      cur = { depth: ws, first: n, end: nLines, headingPrefix, preBlock: false };
      CS[n] = contentStart;
      curIndent = ws;
      curBullet = contentStart - i;
      if (headingPrefix > 0) curBullet = 0;
      else if (curBullet < 2) curBullet = 2;
      // a region opened on the bullet line
      const ff = fenceRunAt(text, contentStart, e);
      if (ff > 0) {
        const ch = text.charCodeAt(contentStart);
        if (closers.fence(n + 1, ch, ff)) {
          fenceCh = ch;
          fenceLen = ff;
        } else warnings.push(unclosedFence(n, ch, ff));
      } else if (text.charCodeAt(contentStart) === 35) {
        const fb = beginBlockNameAt(text, contentStart, e);
        if (fb !== null) {
          if (closers.end(n + 1, fb)) beginName = fb;
          else warnings.push(unclosedBegin(n, fb));
        }
        // a heading "- # h" keeps its hashes in the content
        if (headingPrefix === 0) {
          let h = contentStart;
          while (h < e && text.charCodeAt(h) === 35) h++;
          const d = text.charCodeAt(h);
          if (h - contentStart <= 6 && (h >= e || d === 32 || d === 9)) cur.headingPrefix = h - contentStart;
        }
      }
      continue;
    }
    // region openers (code fences, #+BEGIN_…): bullets inside do not start blocks
    if (c === 96 || c === 126) {
      const f = fenceRunAt(text, i, e);
      if (f > 0) {
        if (closers.fence(n + 1, c, f)) {
          fenceCh = c;
          fenceLen = f;
        } else warnings.push(unclosedFence(n, c, f));
      }
    } else if (c === 35) {
      const b = beginBlockNameAt(text, i, e);
      if (b !== null) {
        if (closers.end(n + 1, b)) beginName = b;
        else warnings.push(unclosedBegin(n, b));
      }
    }
    CS[n] = contLine;
  }
  if (cur) blocks.push(cur);
  return withPreBlock(text, firstBlockLine, blocks);
}
