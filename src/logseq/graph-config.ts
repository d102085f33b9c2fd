import { readFile } from "node:fs/promises";
import type { GraphConfig } from "./types.ts";
import { EdnError, isKeyword, isMap, isSet, mapGet, readEdn } from "./edn.ts";
import type { EdnValue } from "./edn.ts";

/** What a graph without `logseq/config.edn` (or with a broken one) uses. */
export const defaultGraphConfig: GraphConfig = Object.freeze({
  hidden: [],
  fileNameFormat: "legacy",
  journalPageTitleFormat: "MMM do, yyyy",
  separatedByCommas: [],
  journalsDirectory: "journals",
  pagesDirectory: "pages",
  warnings: [],
}) as GraphConfig;

function freshDefaults(warnings: string[]): GraphConfig {
  return { ...defaultGraphConfig, hidden: [], separatedByCommas: [], warnings };
}

function trimSlashes(s: string): string {
  return s.replace(/^(?:\.\/)?\/*/, "").replace(/\/+$/, "");
}

function asList(v: EdnValue | undefined): EdnValue[] | null {
  if (Array.isArray(v)) return v;
  if (isSet(v)) return v.set;
  return null;
}

/** Parses the text of `logseq/config.edn`. Never throws: problems go to `warnings` and defaults are used. */
export function parseGraphConfig(ednText: string): GraphConfig {
  let root: EdnValue;
  try {
    root = readEdn(ednText);
  } catch (e) {
    const msg = e instanceof EdnError ? e.message : String(e);
    return freshDefaults([`config.edn is not valid EDN (${msg}); using defaults`]);
  }
  if (!isMap(root)) return freshDefaults(["config.edn is not an EDN map; using defaults"]);
  const cfg = freshDefaults([]);
  const warn = (m: string) => cfg.warnings.push(m);

  const hidden = mapGet(root, "hidden");
  if (hidden !== undefined && hidden !== null) {
    const list = asList(hidden);
    if (list === null) warn(":hidden is not a vector; ignored");
    else for (const h of list) if (typeof h === "string" && trimSlashes(h) !== "") cfg.hidden.push(trimSlashes(h));
  }

  const fmt = mapGet(root, "file/name-format");
  if (fmt !== undefined && fmt !== null) {
    if (isKeyword(fmt) && fmt.kw === "triple-lowbar") cfg.fileNameFormat = "triple-lowbar";
    else if (isKeyword(fmt) && fmt.kw === "legacy") cfg.fileNameFormat = "legacy";
    else warn(":file/name-format is neither :triple-lowbar nor :legacy; using legacy");
  }

  const title = mapGet(root, "journal/page-title-format");
  if (typeof title === "string" && title.trim() !== "") cfg.journalPageTitleFormat = title;
  else if (title !== undefined && title !== null) warn(":journal/page-title-format is not a string; ignored");

  const sep = mapGet(root, "property/separated-by-commas");
  if (sep !== undefined && sep !== null) {
    const list = asList(sep);
    if (list === null) warn(":property/separated-by-commas is not a vector or set; ignored");
    else
      for (const k of list) {
        const name = isKeyword(k) ? k.kw : typeof k === "string" ? k : null;
        if (name !== null && name !== "") cfg.separatedByCommas.push(name.toLowerCase().replace(/[_ ]/g, "-"));
      }
  }

  for (const [key, field] of [
    ["journals-directory", "journalsDirectory"],
    ["pages-directory", "pagesDirectory"],
  ] as const) {
    const v = mapGet(root, key);
    if (typeof v === "string" && trimSlashes(v) !== "") cfg[field] = trimSlashes(v);
    else if (v !== undefined && v !== null) warn(`:${key} is not a non-empty string; ignored`);
  }
  return cfg;
}

/** Reads `<graphDir>/logseq/config.edn`; a missing file gives the defaults without a warning. */
export async function readGraphConfig(graphDir: string): Promise<GraphConfig> {
  const path = graphDir.replace(/[\\/]+$/, "") + "/logseq/config.edn";
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (code === "ENOENT" || code === "ENOTDIR") return freshDefaults([]);
    return freshDefaults([`cannot read logseq/config.edn (${String(code ?? e)}); using defaults`]);
  }
  return parseGraphConfig(text);
}
