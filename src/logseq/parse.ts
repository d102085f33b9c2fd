/**
 * Logseq file parser: one graph file (Markdown or Org) → page, blocks, refs.
 * Pure and synchronous. One pass over the text finds the line offsets
 * (`lines.ts`), a second cuts blocks (`cut-markdown.ts`, `cut-org.ts`; each
 * block is a range of lines; for every line the offset where its content
 * starts after the bullet/indentation is recorded), then properties, task
 * fields and inline refs of each block are read straight from the original
 * text by offset (`read-block.ts`, `tasks.ts`). No per-line strings are
 * built on the Markdown hot path. This file assembles the page and the
 * block tree (parents, positions, ids).
 */
import type { GraphConfig, ParsedBlock, ParsedFile, PropertyValue } from "./types.ts";
import type { RawBlock } from "./raw-block.ts";
import type { BlockFields } from "./read-block.ts";
import { pageIdentity } from "./page-name.ts";
import { absorbContent, blockIdFromContent, blockIdSeed, isUuid } from "./hash.ts";
import { CS, isBlankLine, LE, LS, SKIP, splitLines } from "./lines.ts";
import { cutMarkdown } from "./cut-markdown.ts";
import { cutOrg } from "./cut-org.ts";
import { readBlock } from "./read-block.ts";
import { refLimitWarnings } from "./ref-collector.ts";
import { NO_TASK, readTask } from "./tasks.ts";

export { TASK_MARKERS } from "./tasks.ts";

function formatOf(relPath: string): "markdown" | "org" {
  const lower = relPath.toLowerCase();
  return lower.endsWith(".org") ? "org" : "markdown";
}

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
  const out = new Set<string>(); // a Set: `tags::` may list thousands of names
  for (const x of list) {
    const n = x.normalize("NFC").toLowerCase().trim();
    if (n !== "") out.add(n);
  }
  return [...out];
}

type Seen = { content: string; count: number; next: Seen | null };

function hasKeys(o: Record<string, unknown>): boolean {
  for (const _ in o) return true;
  return false;
}

/** Warnings kept per file: they end up in one `files.error` text, and a hostile file could raise one per line. */
export const MAX_WARNINGS = 100;

/** What a caller that parses a large page again in part needs (src/index/partial-parse.ts). */
export type ParseExtras = {
  /** `text` is the part of a file from a top-level block on: its first block never holds the page's properties. */
  region?: boolean;
  /** Filled with each block's content key (absorbContent: equal contents, equal keys); -1 for a block with an `id::`. */
  contentKeys?: number[];
  /** Filled with the offset in `text` of each block's first line. */
  starts?: number[];
};

/**
 * Parses one graph file. Pure, synchronous, never throws on file content.
 * `idSeed` is the page name derived block ids hash, when it is not this
 * page's name: the name the file had when first indexed, so a move keeps ids.
 */
export function parseFile(relPath: string, text: string, graph: GraphConfig, idSeed?: string, extras: ParseExtras = {}): ParsedFile {
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
    const f = readBlock(src, rb, org, graph);
    refLimitWarnings(rb.first + 1, f.refLimits, warnings);
    fields[b] = f;
  }
  // A first block made only of properties (`- title:: x`) holds the page properties.
  const first = raws[0];
  const firstFields = fields[0];
  if (first && firstFields && !first.preBlock && extras.region !== true && firstFields.onlyProperties && hasKeys(firstFields.properties)) {
    first.preBlock = true;
  }

  let pageProps: Record<string, PropertyValue> = {};
  let titleRaw: string | null = null;
  if (first && firstFields && first.preBlock) {
    pageProps = firstFields.properties;
    titleRaw = stringProp(firstFields.properties["title"], firstFields.rawProps?.get("title"));
  }
  const ident = pageIdentity(relPath, titleRaw, graph);
  const seed = blockIdSeed(idSeed ?? ident.name);

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

    extras.starts?.push((LS[rb.first] as number) + text.length - src.length);
    let id: string;
    const idProp = f.properties["id"];
    const idLower = typeof idProp === "string" ? idProp.toLowerCase() : "";
    const idOk = idLower !== "" && isUuid(idLower);
    if (idOk && idCount !== null && idCount.get(idLower) === 1) {
      id = idLower;
      extras.contentKeys?.push(-1);
    } else {
      if (idOk) warnings.push(`block at line ${rb.first + 1}: id ${idLower} is used by more than one block; derived a new id`);
      // occurrence = earlier blocks with equal content, found through a small-integer hash of it
      const key = absorbContent(seed, content);
      extras.contentKeys?.push(key);
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

  if (warnings.length > MAX_WARNINGS) {
    const more = warnings.length - MAX_WARNINGS;
    warnings.length = MAX_WARNINGS;
    warnings.push(`… and ${more} more warning(s)`);
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
