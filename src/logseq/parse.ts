/**
 * Logseq file parser: one graph file (Markdown or Org) → page, blocks, refs.
 * Pure and synchronous. Scans the lines once to cut blocks, then reads
 * properties, task fields and inline refs of each block.
 */
import type { BlockRef, GraphConfig, ParsedBlock, ParsedFile, PropertyValue } from "./types.ts";
import { pageIdentity } from "./page-name.ts";
import { RefCollector, scanInline } from "./inline.ts";
import { coerceValue, matchOrgDrawerLine, matchPropertyLine, normalizeKey } from "./properties.ts";
import { hashToUuid, isUuid } from "./hash.ts";

export const TASK_MARKERS: ReadonlySet<string> = new Set([
  "TODO", "DOING", "WAITING", "WAIT", "DONE", "CANCELED", "CANCELLED", "STARTED", "IN-PROGRESS", "NOW", "LATER",
]);

/** A block as cut from the file, before its fields are read. */
type RawBlock = {
  /** Nesting key: leading whitespace count (Markdown) or star count (Org); -1 for the pre-block. */
  depth: number;
  /** Lines of content, bullet/indentation already stripped. */
  lines: string[];
  /** Markdown heading block (`# …`) or Org heading: the first line's heading prefix length to skip for markers. */
  headingPrefix: number;
  preBlock: boolean;
  /** 0-based line number in the file of the first line. */
  lineNo: number;
};

function formatOf(relPath: string): "markdown" | "org" {
  const lower = relPath.toLowerCase();
  return lower.endsWith(".org") ? "org" : "markdown";
}

function leadingWs(line: string): number {
  let i = 0;
  while (i < line.length) {
    const c = line.charCodeAt(i);
    if (c !== 32 && c !== 9) break;
    i++;
  }
  return i;
}

function isBlank(line: string): boolean {
  return leadingWs(line) === line.length;
}

/** Fence opener/closer: returns the fence run (e.g. "```") or null. */
function fenceRun(line: string, ws: number): string | null {
  const c = line.charCodeAt(ws);
  if (c !== 96 && c !== 126) return null;
  let j = ws;
  while (line.charCodeAt(j) === c) j++;
  if (j - ws < 3) return null;
  return line.slice(ws, j);
}

/** `#+BEGIN_NAME` → "NAME" (upper-cased) or null. */
function beginBlockName(line: string, ws: number): string | null {
  if (line.charCodeAt(ws) !== 35 || line.charCodeAt(ws + 1) !== 43) return null;
  const head = line.slice(ws + 2, ws + 8).toUpperCase();
  if (head !== "BEGIN_") return null;
  let j = ws + 8;
  while (j < line.length && line.charCodeAt(j) !== 32 && line.charCodeAt(j) !== 9) j++;
  const name = line.slice(ws + 8, j).toUpperCase();
  return name === "" ? null : name;
}

function isEndBlock(line: string, ws: number, name: string): boolean {
  if (line.charCodeAt(ws) !== 35 || line.charCodeAt(ws + 1) !== 43) return false;
  return line.slice(ws + 2, ws + 6 + name.length).toUpperCase() === "END_" + name;
}

/** Index of the first line after `from` closing the given region, or -1. */
function findCloser(lines: string[], from: number, fence: string | null, beginName: string | null): number {
  for (let k = from; k < lines.length; k++) {
    const l = lines[k] as string;
    const ws = leadingWs(l);
    if (fence !== null) {
      const r = fenceRun(l, ws);
      if (r !== null && r.charCodeAt(0) === fence.charCodeAt(0) && r.length >= fence.length && isBlank(l.slice(ws + r.length))) return k;
    } else if (beginName !== null && isEndBlock(l, ws, beginName)) return k;
  }
  return -1;
}

/** Strips a continuation line of a Markdown block whose bullet sat at `indent`: the indentation plus the bullet width. */
function stripContinuation(line: string, indent: number, bulletWidth: number): string {
  const max = indent + bulletWidth;
  let j = 0;
  while (j < max && j < line.length) {
    const c = line.charCodeAt(j);
    if (c !== 32 && c !== 9) break;
    j++;
  }
  return j === 0 ? line : line.slice(j);
}

/** Cuts a Markdown file into raw blocks. */
function cutMarkdown(lines: string[], warnings: string[]): RawBlock[] {
  const blocks: RawBlock[] = [];
  const pre: string[] = [];
  let cur: RawBlock | null = null;
  let curIndent = 0;
  let curBullet = 0;
  let fence: string | null = null;
  let beginName: string | null = null;
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n] as string;
    const ws = leadingWs(line);
    if (fence !== null || beginName !== null) {
      const closes =
        fence !== null
          ? (() => {
              const r = fenceRun(line, ws);
              return r !== null && r.charCodeAt(0) === fence.charCodeAt(0) && r.length >= fence.length && isBlank(line.slice(ws + r.length));
            })()
          : isEndBlock(line, ws, beginName as string);
      if (closes) {
        fence = null;
        beginName = null;
      }
      if (cur) cur.lines.push(stripContinuation(line, curIndent, curBullet));
      else pre.push(line);
      continue;
    }
    const c = line.charCodeAt(ws);
    let start = false;
    let headingPrefix = 0;
    let contentStart = ws;
    if (c === 45 /* - */) {
      const d = line.charCodeAt(ws + 1);
      if (ws + 1 >= line.length || d === 32 || d === 9) {
        start = true;
        contentStart = ws + 1;
        while (contentStart < line.length && (line.charCodeAt(contentStart) === 32 || line.charCodeAt(contentStart) === 9)) contentStart++;
      }
    } else if (c === 35 /* # */) {
      let h = ws;
      while (line.charCodeAt(h) === 35) h++;
      const d = line.charCodeAt(h);
      if (h - ws <= 6 && (h >= line.length || d === 32 || d === 9)) {
        start = true;
        headingPrefix = h - ws;
      }
    }
    if (start) {
      if (cur) blocks.push(cur);
      cur = { depth: ws, lines: [line.slice(contentStart)], headingPrefix, preBlock: false, lineNo: n };
      curIndent = ws;
      curBullet = contentStart - ws;
      if (headingPrefix > 0) curBullet = 0;
      else if (curBullet < 2) curBullet = 2;
      // a heading "- # h" keeps its hashes in the content
      const afterBullet = line.slice(contentStart);
      const ff = fenceRun(afterBullet, 0);
      const fb = ff === null ? beginBlockName(afterBullet, 0) : null;
      if ((ff !== null || fb !== null) && findCloser(lines, n + 1, ff, fb) >= 0) {
        fence = ff;
        beginName = fb;
      }
      if (headingPrefix === 0 && afterBullet.charCodeAt(0) === 35) {
        let h = 0;
        while (afterBullet.charCodeAt(h) === 35) h++;
        const d = afterBullet.charCodeAt(h);
        if (h <= 6 && (h >= afterBullet.length || d === 32 || d === 9)) cur.headingPrefix = h;
      }
      continue;
    }
    // region openers (code fences, #+BEGIN_…): bullets inside do not start blocks
    const f = fenceRun(line, ws);
    const b = f === null ? beginBlockName(line, ws) : null;
    if (f !== null || b !== null) {
      if (findCloser(lines, n + 1, f, b) >= 0) {
        fence = f;
        beginName = b;
      } else {
        warnings.push(`line ${n + 1}: unclosed ${f !== null ? "code fence " + f : "#+BEGIN_" + b}`);
      }
    }
    if (cur) cur.lines.push(stripContinuation(line, curIndent, curBullet));
    else pre.push(line);
  }
  if (cur) blocks.push(cur);
  return withPreBlock(pre, blocks);
}

function withPreBlock(pre: string[], blocks: RawBlock[]): RawBlock[] {
  let a = 0;
  let z = pre.length;
  while (a < z && isBlank(pre[a] as string)) a++;
  while (z > a && isBlank(pre[z - 1] as string)) z--;
  if (a < z) blocks.unshift({ depth: -1, lines: pre.slice(a, z), headingPrefix: 0, preBlock: true, lineNo: a });
  return blocks;
}

/** Cuts an Org file into raw blocks: `*` headings, level = number of stars. */
function cutOrg(lines: string[], warnings: string[]): RawBlock[] {
  const blocks: RawBlock[] = [];
  const pre: string[] = [];
  let cur: RawBlock | null = null;
  let beginName: string | null = null;
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n] as string;
    if (beginName !== null) {
      if (isEndBlock(line, leadingWs(line), beginName)) beginName = null;
      if (cur) cur.lines.push(line);
      else pre.push(line);
      continue;
    }
    if (line.charCodeAt(0) === 42 /* * */) {
      let s = 0;
      while (line.charCodeAt(s) === 42) s++;
      const d = line.charCodeAt(s);
      if (s >= line.length || d === 32 || d === 9) {
        if (cur) blocks.push(cur);
        let cs = s;
        while (cs < line.length && (line.charCodeAt(cs) === 32 || line.charCodeAt(cs) === 9)) cs++;
        cur = { depth: s, lines: [line.slice(cs)], headingPrefix: 0, preBlock: false, lineNo: n };
        continue;
      }
    }
    const ws = leadingWs(line);
    const b = beginBlockName(line, ws);
    if (b !== null) {
      if (findCloser(lines, n + 1, null, b) >= 0) beginName = b;
      else warnings.push(`line ${n + 1}: unclosed #+BEGIN_${b}`);
    }
    if (cur) cur.lines.push(line);
    else pre.push(line);
  }
  if (cur) blocks.push(cur);
  return withPreBlock(pre, blocks);
}

type Planning = { scheduled: number | null; deadline: number | null; repeater: string | null };

const PLANNING_RE = /(SCHEDULED|DEADLINE):\s*<(\d{4})-(\d{2})-(\d{2})([^>]*)>/g;
const REPEATER_RE = /(?:^|\s)((?:\.\+|\+\+|\+)\d+[hdwmy])(?=\s|$)/;

/** Reads `SCHEDULED: <…>` / `DEADLINE: <…>` from a planning line; returns false if it is not one. */
function readPlanning(line: string, p: Planning): boolean {
  const t = line.trimStart();
  if (!(t.startsWith("SCHEDULED:") || t.startsWith("DEADLINE:"))) return false;
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

/** Markers and priority at the start of a block's first line (after heading hashes). */
function readTask(first: string, headingPrefix: number): { marker: string | null; priority: "A" | "B" | "C" | null } {
  let s = headingPrefix > 0 ? first.slice(headingPrefix).trimStart() : first;
  let marker: string | null = null;
  const sp = s.search(/[ \t]|$/);
  const word = s.slice(0, sp);
  if (TASK_MARKERS.has(word)) {
    marker = word;
    s = s.slice(sp).trimStart();
  }
  let priority: "A" | "B" | "C" | null = null;
  if (s.length >= 4 && s.charCodeAt(0) === 91 && s.charCodeAt(1) === 35 && s.charCodeAt(3) === 93) {
    const p = s[2];
    if (p === "A" || p === "B" || p === "C") priority = p;
  }
  return { marker, priority };
}

type BlockFields = {
  properties: Record<string, PropertyValue>;
  /** Raw string values as written, by normalised key. */
  rawProps: Map<string, string>;
  planning: Planning;
  refs: BlockRef[];
  /** True when every content line is a property line (or blank). */
  onlyProperties: boolean;
};

/** Reads properties, planning and refs of one raw block. */
function readBlock(rb: RawBlock, org: boolean, graph: GraphConfig): BlockFields {
  const lines = rb.lines;
  const properties: Record<string, PropertyValue> = {};
  const rawProps = new Map<string, string>();
  const planning: Planning = { scheduled: null, deadline: null, repeater: null };
  const col = new RefCollector();
  const skip = new Uint8Array(lines.length); // 1 = not scanned for inline refs
  const setProp = (rawKey: string, value: string) => {
    const key = normalizeKey(rawKey);
    rawProps.set(key, value);
    const v = coerceValue(key, value, graph, org);
    properties[key] = v;
    if (Array.isArray(v)) for (const name of v) col.add(key === "tags" ? "tag" : "property", name);
  };

  let onlyProperties = true;
  let k = 0;
  if (org) {
    if (rb.preBlock) {
      // #+key: value directives and a :PROPERTIES: drawer anywhere in the pre-block
      for (let n = 0; n < lines.length; n++) {
        const l = lines[n] as string;
        const m = /^#\+([^\s:]+):[ \t]*(.*)$/.exec(l);
        if (m && !/^(BEGIN|END)_/i.test(m[1] as string)) {
          setProp(m[1] as string, (m[2] as string).trim());
          skip[n] = 1;
        } else if (/^\s*:PROPERTIES:\s*$/i.test(l)) {
          n = readDrawer(lines, n, skip, setProp);
        } else if (!isBlank(l)) onlyProperties = false;
      }
    } else {
      k = 1;
      while (k < lines.length) {
        const l = lines[k] as string;
        if (/^\s*:PROPERTIES:\s*$/i.test(l)) {
          k = readDrawer(lines, k, skip, setProp) + 1;
        } else if (readPlanning(l, planning)) {
          skip[k] = 1;
          k++;
        } else break;
      }
    }
  } else {
    let n = 0;
    if (rb.preBlock && (lines[0] as string).trimEnd() === "---") {
      // YAML front matter: key: value lines up to the closing ---
      let e = 1;
      while (e < lines.length && (lines[e] as string).trimEnd() !== "---") e++;
      if (e < lines.length) {
        for (let j = 1; j < e; j++) {
          const m = /^([^\s:#][^:]*):[ \t]*(.*)$/.exec(lines[j] as string);
          if (m) setProp((m[1] as string).trim(), (m[2] as string).trim());
        }
        for (let j = 0; j <= e; j++) skip[j] = 1;
        n = e + 1;
      }
    }
    // first line: a property line only when the block is made of properties (mldoc: empty title + drawer)
    k = n;
    if (!rb.preBlock && (rb.headingPrefix > 0 || matchPropertyLine(lines[0] as string) === null)) {
      k = Math.max(k, 1);
      onlyProperties = false;
    }
    while (k < lines.length) {
      const l = lines[k] as string;
      const p = matchPropertyLine(l);
      if (p !== null) {
        setProp(p[0], p[1]);
        skip[k] = 1;
        k++;
      } else if (!rb.preBlock && readPlanning(l, planning)) {
        skip[k] = 1;
        k++;
      } else break;
    }
    for (let j = k; j < lines.length; j++) if (!isBlank(lines[j] as string)) onlyProperties = false;
  }
  // planning lines anywhere in the body (Markdown writes them after the first line)
  for (let n = k; n < lines.length; n++) {
    const l = lines[n] as string;
    const ws = leadingWs(l);
    const c = l.charCodeAt(ws);
    if ((c === 83 || c === 68) && readPlanning(l, planning)) skip[n] = 1;
  }

  // inline refs: skip property/planning lines, code fences, #+BEGIN_SRC-like regions and directives
  let fence: string | null = null;
  let region: string | null = null;
  let verbatim = false;
  for (let n = 0; n < lines.length; n++) {
    const l = lines[n] as string;
    const ws = leadingWs(l);
    if (fence !== null) {
      const r = fenceRun(l, ws);
      if (r !== null && r.charCodeAt(0) === fence.charCodeAt(0) && r.length >= fence.length && isBlank(l.slice(ws + r.length))) fence = null;
      continue;
    }
    if (region !== null) {
      if (isEndBlock(l, ws, region)) {
        region = null;
        verbatim = false;
        continue;
      }
      if (verbatim) continue;
    }
    if (skip[n] === 1) continue;
    if (!org) {
      const f = fenceRun(l, ws);
      if (f !== null && findCloser(lines, n + 1, f, null) >= 0) {
        fence = f;
        continue;
      }
    }
    if (l.charCodeAt(ws) === 35 && l.charCodeAt(ws + 1) === 43) {
      const b = beginBlockName(l, ws);
      if (b !== null && findCloser(lines, n + 1, null, b) >= 0) {
        region = b;
        verbatim = b === "SRC" || b === "EXAMPLE" || b === "EXPORT" || b === "COMMENT" || b === "QUERY";
      }
      continue; // directive line
    }
    let from = ws;
    if (n === 0 && rb.headingPrefix > 0) from = rb.headingPrefix;
    if (org && !rb.preBlock && n === 0) {
      scanOrgHeadingTags(l, col);
    }
    if (!org && l.charCodeAt(ws) === 58 && /^\s*:(LOGBOOK|END|PROPERTIES):\s*$/.test(l)) continue;
    if (org && /^\s*:[A-Za-z_-]+:/.test(l) && /^\s*:(LOGBOOK|END|PROPERTIES|CLOCK):/.test(l)) continue;
    if (/^\s*CLOCK:/.test(l)) continue;
    scanInline(l, from, org && !rb.preBlock && n === 0 ? orgTitleEnd(l) : l.length, org, col);
  }
  return { properties, rawProps, planning, refs: col.refs, onlyProperties };
}

/** Reads an Org `:PROPERTIES:` … `:END:` drawer starting at line `n`; returns the `:END:` line index. */
function readDrawer(lines: string[], n: number, skip: Uint8Array, setProp: (k: string, v: string) => void): number {
  skip[n] = 1;
  let j = n + 1;
  for (; j < lines.length; j++) {
    const l = lines[j] as string;
    skip[j] = 1;
    if (/^\s*:END:\s*$/i.test(l)) return j;
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

function splitLines(text: string): string[] {
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i] as string;
    if (l.charCodeAt(l.length - 1) === 13) lines[i] = l.slice(0, -1);
  }
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

function trimBlankTail(lines: string[]): string[] {
  let z = lines.length;
  while (z > 1 && isBlank(lines[z - 1] as string)) z--;
  return z === lines.length ? lines : lines.slice(0, z);
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

/** Parses one graph file. Pure, synchronous, never throws on file content. */
export function parseFile(relPath: string, text: string, graph: GraphConfig): ParsedFile {
  const format = formatOf(relPath);
  const org = format === "org";
  const warnings: string[] = [];
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const lines = splitLines(src);
  const raws = org ? cutOrg(lines, warnings) : cutMarkdown(lines, warnings);

  const fields: BlockFields[] = [];
  for (const rb of raws) {
    rb.lines = trimBlankTail(rb.lines);
    fields.push(readBlock(rb, org, graph));
  }
  // A first block made only of properties (`- title:: x`) holds the page properties.
  const first = raws[0];
  const firstFields = fields[0];
  if (first && firstFields && !first.preBlock && firstFields.onlyProperties && Object.keys(firstFields.properties).length > 0) {
    first.preBlock = true;
  }

  let pageProps: Record<string, PropertyValue> = {};
  let titleRaw: string | null = null;
  if (first && firstFields && first.preBlock) {
    pageProps = firstFields.properties;
    titleRaw = stringProp(firstFields.properties["title"], firstFields.rawProps.get("title"));
  }
  const ident = pageIdentity(relPath, titleRaw, graph);

  // Tree: a block's parent is the nearest earlier block with a smaller depth.
  const blocks: ParsedBlock[] = [];
  const stack: number[] = []; // indices into blocks
  const childCount = new Map<number, number>();
  const idCount = new Map<string, number>();
  for (const f of fields) {
    const id = f.properties["id"];
    if (typeof id === "string" && isUuid(id)) idCount.set(id.toLowerCase(), (idCount.get(id.toLowerCase()) ?? 0) + 1);
  }
  const contentSeen = new Map<string, number>();
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
    const position = childCount.get(parent) ?? 0;
    childCount.set(parent, position + 1);
    const content = rb.lines.join("\n");

    let id: string;
    const idProp = f.properties["id"];
    const idLower = typeof idProp === "string" ? idProp.toLowerCase() : "";
    if (idLower !== "" && isUuid(idLower) && idCount.get(idLower) === 1) {
      id = idLower;
    } else {
      if (idLower !== "" && isUuid(idLower)) warnings.push(`block at line ${rb.lineNo + 1}: id ${idLower} is used by more than one block; derived a new id`);
      // key the occurrence count by the content's hash, not the (long) content itself
      const base = hashToUuid(ident.name, content, "0");
      const occ = contentSeen.get(base) ?? 0;
      contentSeen.set(base, occ + 1);
      id = occ === 0 ? base : hashToUuid(ident.name, content, String(occ));
    }
    const task = rb.preBlock ? { marker: null, priority: null } : readTask(rb.lines[0] ?? "", rb.headingPrefix);
    blocks.push({
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
    });
    if (!rb.preBlock) stack.push(blocks.length - 1);
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
