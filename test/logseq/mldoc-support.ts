/**
 * Test support: runs mldoc (Logseq's own parser) on a file and reduces its
 * AST to the per-file facts the agreement test compares with parseFile:
 * block count, page refs, tags, block refs and page property keys.
 * The reduction follows Logseq's graph-parser (block/get-page-reference,
 * get-block-reference, pre-block and page properties).
 */
import { createRequire } from "node:module";
import { readdirSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { GraphConfig, ParsedFile } from "../../src/logseq/types.ts";

type MldocApi = { parseJson(text: string, config: string): string; parseInlineJson(text: string, config: string): string };
const require = createRequire(import.meta.url);
const Mldoc = (require("mldoc") as { Mldoc: MldocApi }).Mldoc;

export type FileFacts = {
  blockCount: number;
  pageRefs: string[];
  tags: string[];
  blockRefs: string[];
  pagePropertyKeys: string[];
};

function mldocConfig(format: "Markdown" | "Org"): string {
  return JSON.stringify({
    toc: false, parse_outline_only: false, heading_number: false, keep_line_break: true, format,
    heading_to_list: false, exporting_keep_properties: true, inline_type_with_pos: false,
    export_md_remove_options: [], hiccup_in_block: true,
  });
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const lc = (s: string) => s.trim().normalize("NFC").toLowerCase();
const normKey = (k: string) => k.toLowerCase().replace(/[_ ]/g, "-");

type Acc = { pageRefs: Set<string>; tags: Set<string>; blockRefs: Set<string> };

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Node = any;

function inlineText(nodes: Node[]): string {
  let s = "";
  for (const n of nodes) {
    if (!Array.isArray(n)) continue;
    if (n[0] === "Plain") s += n[1];
    else if (n[0] === "Link") s += n[1].full_text;
  }
  return s;
}

function pageFromSearch(target: string): string | null {
  const t = target.trim();
  if (t === "" || /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(t) || /^[#*/.]/.test(t)) return null;
  return t;
}

function addPage(acc: Acc, raw: string): void {
  const t = lc(raw);
  if (t !== "") acc.pageRefs.add(t);
}

/** Walks any mldoc AST value and collects refs, skipping code. */
function walk(v: Node, acc: Acc, org: boolean): void {
  if (!Array.isArray(v)) {
    if (v && typeof v === "object") for (const k of Object.keys(v)) if (k !== "full_text" && k !== "meta") walk(v[k], acc, org);
    return;
  }
  const tag = v[0];
  if (typeof tag === "string") {
    switch (tag) {
      case "Code": case "Verbatim": case "Src": case "Example": case "Latex_Fragment": case "Latex_Environment":
      case "Inline_Source_Block": case "Export": case "Raw_Html": case "Inline_Html": case "Comment":
        return;
      case "Link": {
        const url = v[1].url;
        if (url[0] === "Page_ref") addPage(acc, url[1]);
        else if (url[0] === "Search" && org) {
          const p = pageFromSearch(url[1]);
          if (p) addPage(acc, p);
        } else if (url[0] === "Block_ref" && UUID_RE.test(url[1].trim())) acc.blockRefs.add(url[1].trim().toLowerCase());
        return;
      }
      case "Nested_link": {
        const c: string = v[1].content;
        addPage(acc, c.replace(/^\[\[/, "").replace(/\]\]$/, ""));
        walk(v[1].children, acc, org);
        return;
      }
      case "Tag": {
        const kids: Node[] = v[1];
        const only = kids.length === 1 ? kids[0] : null;
        const name = only && only[0] === "Link" && only[1].url[0] === "Page_ref" ? only[1].url[1] : inlineText(kids);
        const t = lc(name);
        if (t !== "") acc.tags.add(t);
        return;
      }
      case "Macro": {
        const { name, arguments: args } = v[1];
        if (name === "embed" && Array.isArray(args) && typeof args[0] === "string") {
          const a = args.join(", ").trim();
          if (a.startsWith("[[") && a.endsWith("]]")) addPage(acc, a.slice(2, -2));
          else if (a.startsWith("((") && a.endsWith("))") && UUID_RE.test(a.slice(2, -2).trim())) acc.blockRefs.add(a.slice(2, -2).trim().toLowerCase());
        }
        return;
      }
      case "Heading": {
        walk(v[1].title, acc, org);
        for (const t of v[1].tags ?? []) acc.tags.add(lc(t));
        return;
      }
      case "Property_Drawer":
        return; // handled by properties()
      default:
        break;
    }
  }
  for (const x of v) walk(x, acc, org);
}

function splitCommaNames(value: string): string[] {
  const out: string[] = [];
  for (const part of value.split(/,(?![^[]*\]\])/)) {
    let p = part.trim();
    if (p.startsWith("#")) p = p.slice(1);
    if (p.startsWith("[[") && p.endsWith("]]")) p = p.slice(2, -2);
    if (p.trim() !== "") out.push(lc(p));
  }
  return out;
}

const RAW_KEYS = new Set(["title", "id", "filters", "query-table", "query-properties", "query-sort-by", "query-sort-desc"]);

function properties(pairs: Array<[string, string, Node]>, acc: Acc, org: boolean, commaKeys: Set<string>, cfg: string): void {
  for (const [rawKey, value, ast] of pairs) {
    const key = normKey(rawKey);
    const v = String(value).trim();
    if (v === "" || RAW_KEYS.has(key) || /^-?\d{1,15}$/.test(v) || v === "true" || v === "false" || (v.length >= 2 && v.startsWith('"') && v.endsWith('"'))) continue;
    if (commaKeys.has(key)) {
      for (const n of splitCommaNames(v)) (key === "tags" ? acc.tags : acc.pageRefs).add(n);
      continue;
    }
    const inline: Node = ast && (ast as Node[]).length > 0 ? ast : JSON.parse(Mldoc.parseInlineJson(v, cfg));
    const sub: Acc = { pageRefs: new Set(), tags: new Set(), blockRefs: new Set() };
    walk(inline, sub, org);
    for (const t of [...sub.pageRefs, ...sub.tags]) (key === "tags" ? acc.tags : acc.pageRefs).add(t);
  }
}

function isBlankNode(n: Node): boolean {
  if (n[0] !== "Paragraph") return false;
  return (n[1] as Node[]).every((x) => x[0] === "Break_Line" || (x[0] === "Plain" && String(x[1]).trim() === ""));
}

/** Runs mldoc on `text` and reduces the AST to FileFacts. */
export function mldocFacts(relPath: string, text: string, graph: GraphConfig): FileFacts {
  const org = relPath.toLowerCase().endsWith(".org");
  const cfg = mldocConfig(org ? "Org" : "Markdown");
  const ast: Array<[Node, unknown]> = JSON.parse(Mldoc.parseJson(text, cfg));
  const nodes = ast.map((x) => x[0]);
  const acc: Acc = { pageRefs: new Set(), tags: new Set(), blockRefs: new Set() };
  const commaKeys = new Set(["alias", "tags", ...graph.separatedByCommas]);
  const pageKeys = new Set<string>();

  const firstHeading = nodes.findIndex((n) => n[0] === "Heading");
  const preEnd = firstHeading < 0 ? nodes.length : firstHeading;
  let hasPre = false;
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i];
    const inPre = i < preEnd;
    if (inPre && !isBlankNode(n)) hasPre = true;
    if (n[0] === "Property_Drawer") {
      properties(n[1], acc, org, commaKeys, cfg);
      if (inPre) for (const [k] of n[1]) pageKeys.add(normKey(k));
    } else if (n[0] === "Directive") {
      if (inPre && !/^(BEGIN|END)_/i.test(n[1])) {
        pageKeys.add(normKey(n[1]));
        properties([[n[1], n[2], null]], acc, org, commaKeys, cfg);
      }
    } else walk(n, acc, org);
  }
  // `- title:: x` as the first block: a properties-only first block holds the page properties
  if (!hasPre && firstHeading >= 0) {
    const h = nodes[firstHeading];
    const next = nodes[firstHeading + 1];
    if (h[1].title.length === 0 && !h[1].marker && next && next[0] === "Property_Drawer") {
      const after = nodes[firstHeading + 2];
      if (!after || after[0] === "Heading" || isBlankNode(after)) for (const [k] of next[1]) pageKeys.add(normKey(k));
    }
  }
  const headings = nodes.filter((n) => n[0] === "Heading").length;
  return {
    blockCount: headings + (hasPre ? 1 : 0),
    pageRefs: [...acc.pageRefs].sort(),
    tags: [...acc.tags].sort(),
    blockRefs: [...acc.blockRefs].sort(),
    pagePropertyKeys: [...pageKeys].sort(),
  };
}

/** The same facts from parseFile's output. */
export function parsedFacts(p: ParsedFile): FileFacts {
  const pageRefs = new Set<string>();
  const tags = new Set<string>();
  const blockRefs = new Set<string>();
  for (const b of p.blocks)
    for (const r of b.refs) {
      if (r.kind === "page" || r.kind === "embed-page" || r.kind === "property") pageRefs.add(r.target);
      else if (r.kind === "tag") tags.add(r.target);
      else if (r.kind === "block" || r.kind === "embed-block") blockRefs.add(r.target);
    }
  return {
    blockCount: p.blocks.length,
    pageRefs: [...pageRefs].sort(),
    tags: [...tags].sort(),
    blockRefs: [...blockRefs].sort(),
    pagePropertyKeys: Object.keys(p.page.properties).sort(),
  };
}

/** Human-readable differences between two FileFacts (empty when they agree). */
export function diffFacts(ours: FileFacts, theirs: FileFacts): string[] {
  const out: string[] = [];
  if (ours.blockCount !== theirs.blockCount) out.push(`blocks: parser ${ours.blockCount}, mldoc ${theirs.blockCount}`);
  for (const k of ["pageRefs", "tags", "blockRefs", "pagePropertyKeys"] as const) {
    const a = new Set(ours[k]);
    const b = new Set(theirs[k]);
    const onlyA = [...a].filter((x) => !b.has(x));
    const onlyB = [...b].filter((x) => !a.has(x));
    if (onlyA.length > 0 || onlyB.length > 0) out.push(`${k}: parser-only ${JSON.stringify(onlyA)}, mldoc-only ${JSON.stringify(onlyB)}`);
  }
  return out;
}

/** Graph files (.md/.markdown/.org) under `dir`, as `/`-separated paths relative to it, skipping logseq/ and dot folders. */
export function listGraphFiles(dir: string): string[] {
  const out: string[] = [];
  const visit = (rel: string) => {
    for (const name of readdirSync(rel === "" ? dir : dir + "/" + rel)) {
      if (name.startsWith(".") || name === "node_modules") continue;
      const r = rel === "" ? name : rel + "/" + name;
      if (r === "logseq" || r.startsWith("logseq/")) continue;
      if (statSync(dir + "/" + r).isDirectory()) visit(r);
      else if (/\.(md|markdown|org)$/i.test(name)) out.push(r);
    }
  };
  visit("");
  return out.sort();
}

/** The repository root (the nearest folder above this file holding package.json). */
export function repoRoot(): string {
  let dir = fileURLToPath(new URL(".", import.meta.url));
  for (let i = 0; i < 8; i++) {
    try {
      if (statSync(dir + "/package.json").isFile()) return dir.replace(/\/+$/, "");
    } catch {
      // keep walking up
    }
    dir = dir.replace(/\/+$/, "").replace(/\/[^/]*$/, "") + "/";
  }
  throw new Error("repository root not found");
}
