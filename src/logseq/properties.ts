/** `key:: value` lines, Org drawers and directives, and Logseq's value coercion. */
import type { GraphConfig, PropertyValue } from "./types.ts";
import type { RefLimitCounts } from "./ref-collector.ts";
import { propertyValueRefs } from "./inline.ts";

/** Logseq's key normalisation: lower-case, `_` and spaces become `-`. */
export function normalizeKey(key: string): string {
  let k = key.toLowerCase();
  if (k.indexOf("_") >= 0 || k.indexOf(" ") >= 0) k = k.replace(/[_ ]/g, "-");
  return k;
}

/**
 * A Markdown property line `key:: value` (already stripped of indentation):
 * returns [rawKey, value] or null. The key has no whitespace and no `:`;
 * `key::value` without a space is not a property (as in mldoc).
 */
export function matchPropertyLine(line: string): [string, string] | null {
  const k = line.indexOf("::");
  if (k <= 0) return null;
  for (let j = 0; j < k; j++) {
    const c = line.charCodeAt(j);
    if (c === 32 || c === 9 || c === 58) return null;
  }
  const rest = line.slice(k + 2);
  if (rest !== "") {
    const c = rest.charCodeAt(0);
    if (c !== 32 && c !== 9) return null;
  }
  return [line.slice(0, k), rest.trim()];
}

/** An Org drawer line `:key: value` → [rawKey, value] or null (`:END:` and `:PROPERTIES:` give null). */
export function matchOrgDrawerLine(line: string): [string, string] | null {
  const t = line.trim();
  if (t.charCodeAt(0) !== 58) return null;
  const k = t.indexOf(":", 1);
  if (k <= 1) return null;
  const key = t.slice(1, k);
  if (/\s/.test(key)) return null;
  const rest = t.slice(k + 1);
  if (rest !== "" && rest.charCodeAt(0) !== 32 && rest.charCodeAt(0) !== 9) return null;
  return [key, rest.trim()];
}

/** Keys whose values are never ref-parsed. */
const RAW_KEYS = new Set(["title", "id", "filters", "query-table", "query-properties", "query-sort-by", "query-sort-desc"]);

/** Whether values of `key` (normalised) are comma-separated refs. */
export function isCommaKey(key: string, graph: GraphConfig): boolean {
  return key === "alias" || key === "tags" || graph.separatedByCommas.includes(key);
}

/** Coerces a raw property value per Logseq's rules; `counts` receives what the ref limits dropped. */
export function coerceValue(key: string, raw: string, graph: GraphConfig, org: boolean, counts?: RefLimitCounts): PropertyValue {
  const v = raw.trim();
  if (v === "") return "";
  if (isCommaKey(key, graph)) return propertyValueRefs(v, true, org) ?? v;
  if (v.length >= 2 && v.charCodeAt(0) === 34 && v.charCodeAt(v.length - 1) === 34) return v;
  if (v === "true") return true;
  if (v === "false") return false;
  if (/^-?\d{1,15}$/.test(v)) return Number(v);
  if (RAW_KEYS.has(key)) return v;
  return propertyValueRefs(v, false, org, counts) ?? v;
}
