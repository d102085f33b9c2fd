/** Block assembly: properties, planning lines and inline refs of one raw block, read by offset. */
import type { BlockRef, GraphConfig, PropertyValue } from "./types.ts";
import type { RawBlock } from "./raw-block.ts";
import type { Planning } from "./tasks.ts";
import { readPlanning } from "./tasks.ts";
import type { RefLimitCounts } from "./ref-collector.ts";
import { newRefLimitCounts, RefCollector } from "./ref-collector.ts";
import { scanInline } from "./inline.ts";
import { coerceValue, matchOrgDrawerLine, normalizeKey } from "./properties.ts";
import { CS, isBlankLine, isJsSpace, LE, SKIP, skipJsWs, skipWs } from "./lines.ts";
import { beginBlockNameAt, CloserFinder, closesFence, fenceRunAt, isEndBlockAt } from "./regions.ts";

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

export type BlockFields = {
  properties: Record<string, PropertyValue>;
  /** Raw string values as written, by normalised key. */
  rawProps: Map<string, string> | null;
  planning: Planning;
  refs: BlockRef[];
  /** True when every content line is a property line (or blank). */
  onlyProperties: boolean;
  /** What the ref limits dropped (see ref-collector.ts). */
  refLimits: RefLimitCounts;
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
export function readBlock(text: string, rb: RawBlock, org: boolean, graph: GraphConfig): BlockFields {
  const first = rb.first;
  const end = rb.end;
  const line = (n: number) => text.slice(CS[n] as number, LE[n] as number);
  const properties: Record<string, PropertyValue> = {};
  let rawProps: Map<string, string> | null = null;
  const planning: Planning = { scheduled: null, deadline: null, repeater: null };
  const refLimits = newRefLimitCounts((LE[end - 1] as number) - (CS[first] as number));
  const col = new RefCollector(refLimits);
  const setProp = (rawKey: string, value: string) => {
    const key = normalizeKey(rawKey);
    (rawProps ??= new Map()).set(key, value);
    const v = coerceValue(key, value, graph, org, refLimits);
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
      if (f > 0 && (closers ??= new CloserFinder(text, end, CS, first)).fence(n + 1, c, f)) {
        fenceCh = c;
        fenceLen = f;
        continue;
      }
    }
    if (c === 35 && text.charCodeAt(i + 1) === 43 && i + 1 < e) {
      const b = beginBlockNameAt(text, i, e);
      if (b !== null && (closers ??= new CloserFinder(text, end, CS, first)).end(n + 1, b)) {
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
  return { properties, rawProps, planning, refs: col.refs, onlyProperties, refLimits };
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

/** Org heading tags `:a:b:` at the end of the heading line, read from where they can only start (see `orgTagsAt`). */
const ORG_TAGS_RE = /^[ \t]+:([\p{L}\p{N}_@#%:]+):[ \t]*$/u;

/**
 * Where the heading tags start (the blank run before the last word, which
 * must end with `:`), or -1. The unanchored regex tried every start and
 * backtracked over each blank run: quadratic on a heading of 100,000 spaces.
 */
function orgTagsAt(line: string): { at: number; tags: string } | null {
  const blank = (c: number) => c === 32 || c === 9;
  let e = line.length;
  while (e > 0 && blank(line.charCodeAt(e - 1))) e--;
  if (e === 0 || line.charCodeAt(e - 1) !== 58) return null;
  let w = e - 1;
  while (w > 0 && !blank(line.charCodeAt(w - 1))) w--;
  if (w === 0) return null;
  let s = w;
  while (s > 0 && blank(line.charCodeAt(s - 1))) s--;
  const m = ORG_TAGS_RE.exec(line.slice(s));
  return m ? { at: s, tags: m[1] as string } : null;
}

function orgTitleEnd(line: string): number {
  return orgTagsAt(line)?.at ?? line.length;
}

function scanOrgHeadingTags(line: string, col: RefCollector): void {
  const m = orgTagsAt(line);
  if (!m) return;
  for (const t of m.tags.split(":")) if (t !== "") col.add("tag", t);
}
