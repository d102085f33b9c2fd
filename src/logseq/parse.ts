/**
 * Logseq file parser: one graph file (Markdown or Org) → page, blocks, refs.
 * Pure and synchronous. One pass over the text finds the line offsets, a
 * second cuts blocks (each block is a range of lines; for every line the
 * offset where its content starts after the bullet/indentation is recorded),
 * then properties, task fields and inline refs of each block are read
 * straight from the original text by offset. No per-line strings are built
 * on the Markdown hot path.
 */
import type { BlockRef, GraphConfig, ParsedBlock, ParsedFile, PropertyValue } from "./types.ts";
import { pageIdentity } from "./page-name.ts";
import { RefCollector, scanInline } from "./inline.ts";
import { coerceValue, matchOrgDrawerLine, normalizeKey } from "./properties.ts";
import { absorbContent, blockIdFromContent, blockIdSeed, isUuid } from "./hash.ts";

export const TASK_MARKERS: ReadonlySet<string> = new Set([
  "TODO", "DOING", "WAITING", "WAIT", "DONE", "CANCELED", "CANCELLED", "STARTED", "IN-PROGRESS", "NOW", "LATER",
]);

/** A block as cut from the file, before its fields are read: lines [first, end) of the file. */
type RawBlock = {
  /** Nesting key: leading whitespace count (Markdown) or star count (Org); -1 for the pre-block. */
  depth: number;
  first: number;
  end: number;
  /** Markdown heading block (`# …`) or Org heading: the first line's heading prefix length to skip for markers. */
  headingPrefix: number;
  preBlock: boolean;
};

/**
 * Per-file line tables, reused across calls (parseFile is synchronous and
 * not re-entrant): LS/LE = start/end of line n in the text (end excludes a
 * trailing CR), CS = where the line's block content starts (after the
 * bullet, or the stripped continuation indentation).
 */
let LS = new Int32Array(4096);
let LE = new Int32Array(4096);
let CS = new Int32Array(4096);
let SKIP = new Uint8Array(4096);

function ensureCapacity(n: number): void {
  if (n <= LS.length) return;
  let cap = LS.length;
  while (cap < n) cap *= 2;
  LS = new Int32Array(cap);
  LE = new Int32Array(cap);
  CS = new Int32Array(cap);
  SKIP = new Uint8Array(cap);
}

/** Fills LS/LE like `text.split("\n")` with one trailing CR stripped per line and an empty last line dropped; returns the line count. */
function splitLines(text: string): number {
  const len = text.length;
  let count = 0;
  let nl = text.indexOf("\n");
  while (nl >= 0) {
    count++;
    nl = text.indexOf("\n", nl + 1);
  }
  ensureCapacity(count + 1);
  let n = 0;
  let start = 0;
  for (;;) {
    const e = text.indexOf("\n", start);
    if (e < 0) {
      if (start < len) {
        LS[n] = start;
        LE[n] = text.charCodeAt(len - 1) === 13 ? len - 1 : len;
        n++;
      }
      return n;
    }
    LS[n] = start;
    LE[n] = e > start && text.charCodeAt(e - 1) === 13 ? e - 1 : e;
    n++;
    start = e + 1;
  }
}

function formatOf(relPath: string): "markdown" | "org" {
  const lower = relPath.toLowerCase();
  return lower.endsWith(".org") ? "org" : "markdown";
}

/** Index of the first char in [i, e) that is not a space or tab (e if none). */
function skipWs(text: string, i: number, e: number): number {
  while (i < e) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9) break;
    i++;
  }
  return i;
}

/** Whitespace as JavaScript's `\s` / `trim` see it. */
function isJsSpace(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13);
  if (c < 0xa0) return false;
  return (
    c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 ||
    c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff
  );
}

/** Index of the first char in [i, e) that is not JS whitespace (e if none). */
function skipJsWs(text: string, i: number, e: number): number {
  while (i < e && isJsSpace(text.charCodeAt(i))) i++;
  return i;
}

function isBlankLine(text: string, n: number): boolean {
  const e = LE[n] as number;
  return skipWs(text, LS[n] as number, e) === e;
}

/** Length of a fence run (``` or ~~~, at least 3) at `i` before `e`, else 0. */
function fenceRunAt(text: string, i: number, e: number): number {
  const c = text.charCodeAt(i);
  if (i >= e || (c !== 96 && c !== 126)) return 0;
  let j = i + 1;
  while (j < e && text.charCodeAt(j) === c) j++;
  return j - i >= 3 ? j - i : 0;
}

/** Whether line text[i, e) (i = first non-blank) closes a fence of `ch` × `len`. */
function closesFence(text: string, i: number, e: number, ch: number, len: number): boolean {
  if (text.charCodeAt(i) !== ch) return false;
  const r = fenceRunAt(text, i, e);
  return r >= len && skipWs(text, i + r, e) === e;
}

/** `#+BEGIN_NAME` at `i` → "NAME" (upper-cased) or null. */
function beginBlockNameAt(text: string, i: number, e: number): string | null {
  if (text.charCodeAt(i) !== 35 || text.charCodeAt(i + 1) !== 43 || i + 8 > e) return null;
  if (text.slice(i + 2, i + 8).toUpperCase() !== "BEGIN_") return null;
  let j = i + 8;
  while (j < e && text.charCodeAt(j) !== 32 && text.charCodeAt(j) !== 9) j++;
  return j === i + 8 ? null : text.slice(i + 8, j).toUpperCase();
}

/** Whether the line at `i` starts with `#+END_NAME` (case-insensitive, prefix match). */
function isEndBlockAt(text: string, i: number, e: number, name: string): boolean {
  if (text.charCodeAt(i) !== 35 || text.charCodeAt(i + 1) !== 43) return false;
  return text.slice(i + 2, Math.min(e, i + 6 + name.length)).toUpperCase() === "END_" + name;
}

/**
 * Finds whether a region opened on line `from - 1` is closed by a line in
 * [from, to): a fence of `ch` × at least `len`, or `#+END_<name>`. Failures
 * are remembered per scope (one scan over the file, or over one block):
 * queries come in increasing line order, so "no fence of `ch` × ≥ L after
 * line m" answers every later query with a run ≥ L, and an unclosed
 * `#+BEGIN_X` stays unclosed. This keeps unclosed fences from rescanning to
 * the end for every opener (quadratic).
 */
class CloserFinder {
  private noFenceMin: [number, number] = [Infinity, Infinity]; // backtick, tilde
  private noEnd: Set<string> | null = null;
  private readonly text: string;
  private readonly to: number;
  /** Start of the text on each line: CS (block content) or LS (whole line). */
  private readonly starts: Int32Array;
  constructor(text: string, to: number, starts: Int32Array) {
    this.text = text;
    this.to = to;
    this.starts = starts;
  }

  fence(from: number, ch: number, len: number): boolean {
    const slot = ch === 96 ? 0 : 1;
    if (len >= (this.noFenceMin[slot] as number)) return false;
    const text = this.text;
    for (let k = from; k < this.to; k++) {
      const e = LE[k] as number;
      const i = skipWs(text, this.starts[k] as number, e);
      if (closesFence(text, i, e, ch, len)) return true;
    }
    this.noFenceMin[slot] = len;
    return false;
  }

  end(from: number, name: string): boolean {
    if (this.noEnd !== null && this.noEnd.has(name)) return false;
    const text = this.text;
    for (let k = from; k < this.to; k++) {
      const e = LE[k] as number;
      const i = skipWs(text, this.starts[k] as number, e);
      if (isEndBlockAt(text, i, e, name)) return true;
    }
    (this.noEnd ??= new Set()).add(name);
    return false;
  }
}

/** Cuts a Markdown file into raw blocks; fills CS for every line. */
function cutMarkdown(text: string, nLines: number, warnings: string[]): RawBlock[] {
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
        }
      } else if (text.charCodeAt(contentStart) === 35) {
        const fb = beginBlockNameAt(text, contentStart, e);
        if (fb !== null && closers.end(n + 1, fb)) beginName = fb;
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
        } else warnings.push(`line ${n + 1}: unclosed code fence ${text.slice(i, i + f)}`);
      }
    } else if (c === 35) {
      const b = beginBlockNameAt(text, i, e);
      if (b !== null) {
        if (closers.end(n + 1, b)) beginName = b;
        else warnings.push(`line ${n + 1}: unclosed #+BEGIN_${b}`);
      }
    }
    CS[n] = contLine;
  }
  if (cur) blocks.push(cur);
  return withPreBlock(text, firstBlockLine, blocks);
}

function withPreBlock(text: string, firstBlockLine: number, blocks: RawBlock[]): RawBlock[] {
  let a = 0;
  let z = firstBlockLine;
  while (a < z && isBlankLine(text, a)) a++;
  while (z > a && isBlankLine(text, z - 1)) z--;
  if (a < z) blocks.unshift({ depth: -1, first: a, end: z, headingPrefix: 0, preBlock: true });
  return blocks;
}

/** Cuts an Org file into raw blocks: `*` headings, level = number of stars. */
function cutOrg(text: string, nLines: number, warnings: string[]): RawBlock[] {
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
      else warnings.push(`line ${n + 1}: unclosed #+BEGIN_${b}`);
    }
  }
  if (cur) blocks.push(cur);
  return withPreBlock(text, firstBlockLine, blocks);
}

type Planning = { scheduled: number | null; deadline: number | null; repeater: string | null };

const PLANNING_RE = /(SCHEDULED|DEADLINE):\s*<(\d{4})-(\d{2})-(\d{2})([^>]*)>/g;
const REPEATER_RE = /(?:^|\s)((?:\.\+|\+\+|\+)\d+[hdwmy])(?=\s|$)/;

/** Reads `SCHEDULED: <…>` / `DEADLINE: <…>` from the line text[s, e); returns false if it is not a planning line. */
function readPlanning(text: string, s: number, e: number, p: Planning): boolean {
  const i = skipJsWs(text, s, e);
  const c = text.charCodeAt(i);
  if (!((c === 83 && text.startsWith("SCHEDULED:", i)) || (c === 68 && text.startsWith("DEADLINE:", i)))) return false;
  const t = text.slice(i, e);
  PLANNING_RE.lastIndex = 0;
  let m: RegExpExecArray | null;
  let any = false;
  while ((m = PLANNING_RE.exec(t)) !== null) {
    any = true;
    const day = Number(m[2]) * 10000 + Number(m[3]) * 100 + Number(m[4]);
    if (m[1] === "SCHEDULED") p.scheduled = day;
    else p.deadline = day;
    const r = REPEATER_RE.exec(m[5] as string);
    if (r && p.repeater === null) p.repeater = r[1] as string;
  }
  return any;
}

type Task = { marker: string | null; priority: "A" | "B" | "C" | null };
const NO_TASK: Task = { marker: null, priority: null };

/** Markers and priority at the start of a block's first line text[s, e) (after heading hashes). */
function readTask(text: string, s: number, e: number, headingPrefix: number): Task {
  let i = headingPrefix > 0 ? skipJsWs(text, Math.min(s + headingPrefix, e), e) : s;
  let marker: string | null = null;
  const c = text.charCodeAt(i);
  if (c >= 65 && c <= 90) {
    let j = i + 1;
    while (j < e) {
      const d = text.charCodeAt(j);
      if (d === 32 || d === 9) break;
      j++;
    }
    if (j - i <= 11) {
      const word = text.slice(i, j);
      if (TASK_MARKERS.has(word)) {
        marker = word;
        i = skipJsWs(text, j, e);
      }
    }
  }
  let priority: "A" | "B" | "C" | null = null;
  if (e - i >= 4 && text.charCodeAt(i) === 91 && text.charCodeAt(i + 1) === 35 && text.charCodeAt(i + 3) === 93) {
    const p = text.charCodeAt(i + 2);
    if (p === 65) priority = "A";
    else if (p === 66) priority = "B";
    else if (p === 67) priority = "C";
  }
  return marker === null && priority === null ? NO_TASK : { marker, priority };
}

/**
 * A Markdown property line `key:: value` at text[s, e): returns the index of
 * the `::` or -1. The key has no whitespace and no `:`; `key::value` without
 * a space is not a property (as in mldoc). Same rule as `matchPropertyLine`.
 */
function propertyColons(text: string, s: number, e: number): number {
  for (let j = s; j < e; j++) {
    const c = text.charCodeAt(j);
    if (c === 58) {
      if (j === s || j + 1 >= e || text.charCodeAt(j + 1) !== 58) return -1;
      if (j + 2 < e) {
        const d = text.charCodeAt(j + 2);
        if (d !== 32 && d !== 9) return -1;
      }
      return j;
    }
    if (c === 32 || c === 9) return -1;
  }
  return -1;
}

type BlockFields = {
  properties: Record<string, PropertyValue>;
  /** Raw string values as written, by normalised key. */
  rawProps: Map<string, string> | null;
  planning: Planning;
  refs: BlockRef[];
  /** True when every content line is a property line (or blank). */
  onlyProperties: boolean;
};

const ORG_DIRECTIVE_RE = /^#\+([^\s:]+):[ \t]*(.*)$/;
const BEGIN_END_RE = /^(BEGIN|END)_/i;
const ORG_PROPERTIES_RE = /^\s*:PROPERTIES:\s*$/i;
const ORG_END_RE = /^\s*:END:\s*$/i;
const MD_DRAWER_RE = /^\s*:(LOGBOOK|END|PROPERTIES):\s*$/;
const ORG_DRAWERISH_RE = /^\s*:[A-Za-z_-]+:/;
const ORG_DRAWER_RE = /^\s*:(LOGBOOK|END|PROPERTIES|CLOCK):/;
const YAML_RE = /^([^\s:#][^:]*):[ \t]*(.*)$/;

/** Reads properties, planning and refs of one raw block. */
function readBlock(text: string, rb: RawBlock, org: boolean, graph: GraphConfig): BlockFields {
  const first = rb.first;
  const end = rb.end;
  const line = (n: number) => text.slice(CS[n] as number, LE[n] as number);
  const properties: Record<string, PropertyValue> = {};
  let rawProps: Map<string, string> | null = null;
  const planning: Planning = { scheduled: null, deadline: null, repeater: null };
  const col = new RefCollector();
  const setProp = (rawKey: string, value: string) => {
    const key = normalizeKey(rawKey);
    (rawProps ??= new Map()).set(key, value);
    const v = coerceValue(key, value, graph, org);
    properties[key] = v;
    if (Array.isArray(v)) for (const name of v) col.add(key === "tags" ? "tag" : "property", name);
  };

  let onlyProperties = true;
  let k = first;
  if (org) {
    if (rb.preBlock) {
      // #+key: value directives and a :PROPERTIES: drawer anywhere in the pre-block
      for (let n = first; n < end; n++) {
        const l = line(n);
        const m = ORG_DIRECTIVE_RE.exec(l);
        if (m && !BEGIN_END_RE.test(m[1] as string)) {
          setProp(m[1] as string, (m[2] as string).trim());
          SKIP[n] = 1;
        } else if (ORG_PROPERTIES_RE.test(l)) {
          n = readDrawer(text, n, end, setProp);
        } else if (!isBlankLine(text, n)) onlyProperties = false;
      }
    } else {
      k = first + 1;
      while (k < end) {
        if (ORG_PROPERTIES_RE.test(line(k))) {
          k = readDrawer(text, k, end, setProp) + 1;
        } else if (readPlanning(text, CS[k] as number, LE[k] as number, planning)) {
          SKIP[k] = 1;
          k++;
        } else break;
      }
    }
  } else {
    let n = first;
    if (rb.preBlock && text.startsWith("---", CS[first] as number) && line(first).trimEnd() === "---") {
      // YAML front matter: key: value lines up to the closing ---
      let e = first + 1;
      while (e < end && !(text.startsWith("---", CS[e] as number) && line(e).trimEnd() === "---")) e++;
      if (e < end) {
        for (let j = first + 1; j < e; j++) {
          const m = YAML_RE.exec(line(j));
          if (m) setProp((m[1] as string).trim(), (m[2] as string).trim());
        }
        for (let j = first; j <= e; j++) SKIP[j] = 1;
        n = e + 1;
      }
    }
    // first line: a property line only when the block is made of properties (mldoc: empty title + drawer)
    k = n;
    if (!rb.preBlock && (rb.headingPrefix > 0 || propertyColons(text, CS[first] as number, LE[first] as number) < 0)) {
      k = Math.max(k, first + 1);
      onlyProperties = false;
    }
    while (k < end) {
      const s = CS[k] as number;
      const e = LE[k] as number;
      const p = propertyColons(text, s, e);
      if (p >= 0) {
        setProp(text.slice(s, p), text.slice(p + 2, e).trim());
        SKIP[k] = 1;
        k++;
      } else if (!rb.preBlock && readPlanning(text, s, e, planning)) {
        SKIP[k] = 1;
        k++;
      } else break;
    }
    if (onlyProperties) for (let j = k; j < end; j++) if (!isBlankLine(text, j)) onlyProperties = false;
  }
  // planning lines anywhere in the body (Markdown writes them after the first line)
  for (let n = k; n < end; n++) {
    const e = LE[n] as number;
    const i = skipWs(text, CS[n] as number, e);
    const c = text.charCodeAt(i);
    if ((c === 83 || c === 68) && readPlanning(text, i, e, planning)) SKIP[n] = 1;
  }

  // inline refs: skip property/planning lines, code fences, #+BEGIN_SRC-like regions and directives
  let closers: CloserFinder | null = null; // created at the first fence/#+BEGIN line
  let fenceCh = 0;
  let fenceLen = 0;
  let region: string | null = null;
  let verbatim = false;
  for (let n = first; n < end; n++) {
    const s = CS[n] as number;
    const e = LE[n] as number;
    const i = skipWs(text, s, e);
    if (fenceCh !== 0) {
      if (closesFence(text, i, e, fenceCh, fenceLen)) fenceCh = 0;
      continue;
    }
    if (region !== null) {
      if (isEndBlockAt(text, i, e, region)) {
        region = null;
        verbatim = false;
        continue;
      }
      if (verbatim) continue;
    }
    if (SKIP[n] === 1) continue;
    const c = text.charCodeAt(i);
    if (!org && (c === 96 || c === 126)) {
      const f = fenceRunAt(text, i, e);
      if (f > 0 && (closers ??= new CloserFinder(text, end, CS)).fence(n + 1, c, f)) {
        fenceCh = c;
        fenceLen = f;
        continue;
      }
    }
    if (c === 35 && text.charCodeAt(i + 1) === 43 && i + 1 < e) {
      const b = beginBlockNameAt(text, i, e);
      if (b !== null && (closers ??= new CloserFinder(text, end, CS)).end(n + 1, b)) {
        region = b;
        verbatim = b === "SRC" || b === "EXAMPLE" || b === "EXPORT" || b === "COMMENT" || b === "QUERY";
      }
      continue; // directive line
    }
    let from = i;
    if (n === first && rb.headingPrefix > 0) from = s + rb.headingPrefix;
    let to = e;
    if (org) {
      const l = line(n);
      if (!rb.preBlock && n === first) {
        scanOrgHeadingTags(l, col);
        to = s + orgTitleEnd(l);
      }
      if (ORG_DRAWERISH_RE.test(l) && ORG_DRAWER_RE.test(l)) continue;
    } else if (c === 58 && MD_DRAWER_RE.test(line(n))) continue;
    // /^\s*CLOCK:/
    const w = c === 67 ? i : isJsSpace(c) ? skipJsWs(text, i, e) : -1;
    if (w >= 0 && text.startsWith("CLOCK:", w)) continue;
    scanInline(text, from, to, org, col);
  }
  return { properties, rawProps, planning, refs: col.refs, onlyProperties };
}

/** Reads an Org `:PROPERTIES:` … `:END:` drawer starting at line `n`; returns the `:END:` line index. */
function readDrawer(text: string, n: number, end: number, setProp: (k: string, v: string) => void): number {
  SKIP[n] = 1;
  let j = n + 1;
  for (; j < end; j++) {
    const l = text.slice(CS[j] as number, LE[j] as number);
    SKIP[j] = 1;
    if (ORG_END_RE.test(l)) return j;
    const p = matchOrgDrawerLine(l);
    if (p !== null) setProp(p[0], p[1]);
  }
  return j - 1;
}

/** Org heading tags `:a:b:` at the end of the heading line. */
const ORG_TAGS_RE = /[ \t]+:([\p{L}\p{N}_@#%:]+):[ \t]*$/u;

function orgTitleEnd(line: string): number {
  const m = ORG_TAGS_RE.exec(line);
  return m ? m.index : line.length;
}

function scanOrgHeadingTags(line: string, col: RefCollector): void {
  const m = ORG_TAGS_RE.exec(line);
  if (!m) return;
  for (const t of (m[1] as string).split(":")) if (t !== "") col.add("tag", t);
}

/** Block content: its lines from their content start, joined with "\n"; one slice when the lines are contiguous in the text. */
function contentOf(text: string, first: number, end: number): string {
  let contiguous = true;
  for (let n = first + 1; n < end; n++) {
    if (CS[n] !== (LE[n - 1] as number) + 1) {
      contiguous = false;
      break;
    }
  }
  if (contiguous) return text.slice(CS[first] as number, LE[end - 1] as number);
  const parts: string[] = new Array(end - first);
  for (let n = first; n < end; n++) parts[n - first] = text.slice(CS[n] as number, LE[n] as number);
  return parts.join("\n");
}

function stringProp(v: PropertyValue | undefined, raw: string | undefined): string | null {
  if (raw !== undefined && raw.trim() !== "") return raw.trim();
  if (typeof v === "string" && v.trim() !== "") return v.trim();
  return null;
}

function namesOf(v: PropertyValue | undefined): string[] {
  if (v === undefined) return [];
  const list = Array.isArray(v) ? v : typeof v === "string" && v !== "" ? [v] : [];
  const out: string[] = [];
  for (const x of list) {
    const n = x.normalize("NFC").toLowerCase().trim();
    if (n !== "" && !out.includes(n)) out.push(n);
  }
  return out;
}

type Seen = { content: string; count: number; next: Seen | null };

function hasKeys(o: Record<string, unknown>): boolean {
  for (const _ in o) return true;
  return false;
}

/** Parses one graph file. Pure, synchronous, never throws on file content. */
export function parseFile(relPath: string, text: string, graph: GraphConfig): ParsedFile {
  const format = formatOf(relPath);
  const org = format === "org";
  const warnings: string[] = [];
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const nLines = splitLines(src);
  SKIP.fill(0, 0, nLines); // 1 = line not scanned for inline refs
  const raws = org ? cutOrg(src, nLines, warnings) : cutMarkdown(src, nLines, warnings);

  const fields: BlockFields[] = new Array(raws.length);
  for (let b = 0; b < raws.length; b++) {
    const rb = raws[b] as RawBlock;
    // trailing blank lines are not content (the first line always stays)
    while (rb.end > rb.first + 1 && isBlankLine(src, rb.end - 1)) rb.end--;
    fields[b] = readBlock(src, rb, org, graph);
  }
  // A first block made only of properties (`- title:: x`) holds the page properties.
  const first = raws[0];
  const firstFields = fields[0];
  if (first && firstFields && !first.preBlock && firstFields.onlyProperties && hasKeys(firstFields.properties)) {
    first.preBlock = true;
  }

  let pageProps: Record<string, PropertyValue> = {};
  let titleRaw: string | null = null;
  if (first && firstFields && first.preBlock) {
    pageProps = firstFields.properties;
    titleRaw = stringProp(firstFields.properties["title"], firstFields.rawProps?.get("title"));
  }
  const ident = pageIdentity(relPath, titleRaw, graph);
  const seed = blockIdSeed(ident.name);

  // Tree: a block's parent is the nearest earlier block with a smaller depth.
  const blocks: ParsedBlock[] = new Array(raws.length);
  const stack: number[] = []; // indices into blocks
  let topCount = 0; // children of -1
  const childCount: number[] = new Array(raws.length).fill(0);
  let idCount: Map<string, number> | null = null;
  for (const f of fields) {
    const id = f.properties["id"];
    if (typeof id === "string" && isUuid(id)) {
      idCount ??= new Map();
      idCount.set(id.toLowerCase(), (idCount.get(id.toLowerCase()) ?? 0) + 1);
    }
  }
  const contentSeen = new Map<number, Seen>(); // 30-bit content hash → contents seen with it
  for (let b = 0; b < raws.length; b++) {
    const rb = raws[b] as RawBlock;
    const f = fields[b] as BlockFields;
    let parent = -1;
    if (!rb.preBlock) {
      while (stack.length > 0) {
        const top = stack[stack.length - 1] as number;
        const topRaw = raws[top] as RawBlock;
        if (!topRaw.preBlock && topRaw.depth < rb.depth) break;
        stack.pop();
      }
      parent = stack.length > 0 ? (stack[stack.length - 1] as number) : -1;
    }
    const level = parent < 0 ? 1 : (blocks[parent] as ParsedBlock).level + 1;
    const position = parent < 0 ? topCount++ : (childCount[parent] as number);
    if (parent >= 0) childCount[parent] = position + 1;
    const content = contentOf(src, rb.first, rb.end);

    let id: string;
    const idProp = f.properties["id"];
    const idLower = typeof idProp === "string" ? idProp.toLowerCase() : "";
    const idOk = idLower !== "" && isUuid(idLower);
    if (idOk && idCount !== null && idCount.get(idLower) === 1) {
      id = idLower;
    } else {
      if (idOk) warnings.push(`block at line ${rb.first + 1}: id ${idLower} is used by more than one block; derived a new id`);
      // occurrence = earlier blocks with equal content, found through a small-integer hash of it
      const key = absorbContent(seed, content);
      const head = contentSeen.get(key);
      let occ = -1;
      for (let x: Seen | null | undefined = head; x !== undefined && x !== null; x = x.next) {
        if (x.content === content) {
          occ = x.count++;
          break;
        }
      }
      if (occ < 0) {
        occ = 0;
        contentSeen.set(key, { content, count: 1, next: head ?? null });
      }
      id = blockIdFromContent(occ);
    }
    const task = rb.preBlock ? NO_TASK : readTask(src, CS[rb.first] as number, LE[rb.first] as number, rb.headingPrefix);
    blocks[b] = {
      id,
      parent,
      position,
      level,
      content,
      properties: f.properties,
      marker: task.marker,
      priority: task.priority,
      scheduled: f.planning.scheduled,
      deadline: f.planning.deadline,
      repeater: f.planning.repeater,
      refs: f.refs,
      preBlock: rb.preBlock,
    };
    if (!rb.preBlock) stack.push(b);
  }

  return {
    page: {
      name: ident.name,
      originalName: ident.originalName,
      journalDay: ident.journalDay,
      format,
      properties: pageProps,
      aliases: namesOf(pageProps["alias"]),
      tags: namesOf(pageProps["tags"]),
    },
    blocks,
    warnings,
  };
}
