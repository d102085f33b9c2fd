import type { SyncSummary } from "../pipeline/sync-summary.ts";
import type { PageHit } from "../index/page-search.ts";
import type { SearchHit } from "../index/search.ts";
import type { IndexStatus } from "../index/status.ts";
import { foldText } from "../index/tokenize.ts";

export function formatSummary(s: SyncSummary): string {
  const lines = [
    `Synced ${s.files} files in ${(s.durationMs / 1000).toFixed(2)} s: ` +
      `${s.indexed} indexed, ${s.unchanged} unchanged, ${s.renamed} moved, ${s.deleted} deleted, ` +
      `${s.touched} touched, ${s.skipped} skipped, ${s.failed} failed (${s.blocks} blocks written).`,
  ];
  for (const p of s.problems) lines.push(`  ${p.status}: ${p.path}: ${p.reason}`);
  return lines.join("\n") + "\n";
}

/** A readable hit list: page, path and a snippet with the query's words highlighted. */
export function formatHits(hits: SearchHit[], query: string, color: boolean): string {
  if (hits.length === 0) return "No matches.\n";
  const words = foldText(query).match(/[\p{L}\p{N}]+/gu) ?? [];
  return (
    hits
      .map((hit, i) => {
        // Highlight what matched in this block: the words typed, and the completions and corrections they reached.
        const terms = new Set([...words, ...Object.values(hit.terms ?? {}).flat()]);
        const title = `${i + 1}. ${hit.page}  (${hit.path})  score ${hit.score}`;
        return `${color ? `\x1b[1m${title}\x1b[0m` : title}\n   ${highlight(snippet(hit.content, terms), terms, color)}`;
      })
      .join("\n") + "\n"
  );
}

/** Pages found by title: name, aliases, path. */
export function formatPageHits(hits: PageHit[]): string {
  if (hits.length === 0) return "No pages.\n";
  return (
    hits
      .map((hit, i) => `${i + 1}. ${hit.page}${hit.aliases.length > 0 ? `  (alias: ${hit.aliases.join(", ")})` : ""}  ${hit.path}`)
      .join("\n") + "\n"
  );
}

const SNIPPET_LENGTH = 160;

function snippet(content: string, terms: Set<string>): string {
  const flat = content.replace(/\s+/g, " ").trim();
  if (flat.length <= SNIPPET_LENGTH) return flat;
  let first = 0;
  for (const m of flat.matchAll(/[\p{L}\p{N}\p{M}]+/gu)) {
    if (terms.has(foldText(m[0]))) {
      first = m.index;
      break;
    }
  }
  const start = Math.max(0, Math.min(first - 40, flat.length - SNIPPET_LENGTH));
  return (start > 0 ? "…" : "") + flat.slice(start, start + SNIPPET_LENGTH) + (start + SNIPPET_LENGTH < flat.length ? "…" : "");
}

function highlight(text: string, terms: Set<string>, color: boolean): string {
  return text.replace(/[\p{L}\p{N}\p{M}]+/gu, (word) => {
    if (!terms.has(foldText(word))) return word;
    return color ? `\x1b[33;1m${word}\x1b[0m` : `**${word}**`;
  });
}

export function formatStatus(s: IndexStatus): string {
  const lines = [
    `Files:  ${s.files} (${Object.entries(s.byStatus).map(([k, v]) => `${v} ${k}`).join(", ") || "none"})`,
    `Pages:  ${s.pages}`,
    `Blocks: ${s.blocks}`,
    `Refs:   ${s.refs}`,
    `Full-text: ${s.terms} terms, ${s.postings} postings`,
    `Last sync: ${s.lastSyncAt ?? "never"}`,
  ];
  if (s.problemCount > 0) {
    const cut = s.problemCount > s.problems.length;
    lines.push(`Files not cleanly indexed: ${s.problemCount}${cut ? ` (the first ${s.problems.length} listed)` : ""}`);
    for (const p of s.problems) lines.push(`  ${p.status}: ${p.path}: ${p.error ?? ""}`);
    if (cut) {
      lines.push(`  … and ${s.problemCount - s.problems.length} more: SELECT path, status, error FROM files WHERE status <> 'indexed'`);
    }
  }
  return lines.join("\n") + "\n";
}
