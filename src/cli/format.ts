import type { ServiceStatus } from "../control/control-api.ts";
import type { SyncDomainEvent } from "../pipeline/sync-domain-event.ts";
import type { SyncStatusResponse } from "../pipeline/sync-status-model.ts";
import type { SyncSummary } from "../pipeline/sync-summary.ts";
import type { PageHit } from "../index/page-search.ts";
import type { SearchHit } from "../index/search.ts";
import type { IndexStatus } from "../index/status.ts";
import { foldText } from "../index/tokenize.ts";
import { formatWriteStats } from "../index/write-stats.ts";

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

/** `status` as text: the running service's read model first (when one answered), then what the index holds. */
export function formatStatus(s: IndexStatus & Pick<ServiceStatus, "sync" | "indexCountsAgeMs">): string {
  const lines = [...(s.sync === undefined ? ["Service: not running (read from the index file)"] : formatSyncStatus(s.sync))];
  if (s.indexCountsAgeMs !== undefined && s.indexCountsAgeMs > 0) {
    lines.push(`Index counts as of ${(s.indexCountsAgeMs / 1000).toFixed(1)} s ago (the writer is busy):`);
  }
  lines.push(
    `Files:  ${s.files} (${Object.entries(s.byStatus).map(([k, v]) => `${v} ${k}`).join(", ") || "none"})`,
    `Pages:  ${s.pages}`,
    `Blocks: ${s.blocks}`,
    `Refs:   ${s.refs}`,
    `Full-text: ${s.terms} terms, ${s.postings} postings`,
    `Last sync: ${s.lastSyncAt ?? "never"}`,
  );
  if (s.postingsWaiting !== undefined) {
    lines.push(
      `Full-text of ${s.postingsWaiting} batches waits beside the index: a full index stopped before its end. ` +
        "Word search misses their blocks until the next `sync-pipeline run` merges them and completes it.",
    );
  }
  if (s.writes !== undefined) lines.push(...formatWriteStats(s.writes));
  if (s.openConflicts > 0) lines.push(`Open conflicts: ${s.openConflicts} (sync-pipeline conflicts lists them; resolve ID --strategy filesystem|index decides)`);
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

const STATE_TEXT: Record<SyncStatusResponse["state"], string> = {
  catchingUp: "catching up (startup scan)",
  watching: "watching (changes being applied)",
  idle: "idle (everything seen is indexed)",
  paused: "paused (changes are collected, nothing is written; `resume` applies them)",
  degraded: "degraded",
};

/** The read model, line by line: every field of SyncStatusResponse. */
export function formatSyncStatus(s: SyncStatusResponse): string[] {
  const p = s.pending;
  const load = (name: keyof SyncStatusResponse["bulkheads"]) => `${name} ${s.bulkheads[name].inFlight} running, ${s.bulkheads[name].queueDepth} queued`;
  const t = s.totals;
  const lines = [
    `State:  ${s.state} — ${STATE_TEXT[s.state]}${s.degradedReasons.length > 0 ? `: ${s.degradedReasons.join("; ")}` : ""}`,
    `Last commit: ${s.lastSyncAt ?? "none since the service started"}`,
    `Pending: ${p.create} create, ${p.update} update, ${p.delete} delete queued; ${p.inFlight} in flight, ${p.settling} settling, ` +
      `${p.heldDeletes} held deletes, ${p.dirtyFolders} folders to rescan, ${p.scans} scans, ${p.batched} writes batched`,
    `Bulkheads: ${load("hashing")}; ${load("parsing")}; ${load("writing")}`,
    `Throughput: ${s.throughput.filesPerSecond} files/s over the last ${s.throughput.windowSeconds} s`,
    `Since start: ${t.created} created, ${t.updated} updated, ${t.deleted} deleted, ${t.renamed} moved, ` +
      `${t.failed} failed, ${t.skipped} skipped, ${t.conflicts} conflicts, in ${t.batches} batches`,
    `Failed files since start: ${s.failedFiles}`,
  ];
  for (const f of s.recentFailures) lines.push(`  ${f.at} ${f.status}: ${f.path || "(rescan)"}: ${f.reason}`);
  return lines;
}

/** One domain event as one line of `events --follow`. */
export function formatEvent(event: SyncDomainEvent, at: Date): string {
  const time = at.toISOString().slice(11, 23);
  const batch = "batchId" in event && event.batchId !== undefined ? `  [batch ${event.batchId}]` : "";
  switch (event.type) {
    case "SyncStarted":
      return `${time} SyncStarted ${event.files} files, ${event.unchanged} unchanged\n`;
    case "FileChanged":
      return `${time} FileChanged ${event.change} ${event.from !== undefined ? `${event.from} -> ` : ""}${event.path}${batch}\n`;
    case "FileIndexed":
      return `${time} FileIndexed ${event.change ?? "index"} ${event.path} (${event.blocks} blocks${event.warnings.length > 0 ? `, ${event.warnings.length} warnings` : ""})${batch}\n`;
    case "FileSyncFailed":
      return `${time} FileSyncFailed ${event.status} ${event.path}: ${event.reason}${batch}\n`;
    case "FileSyncRetried":
      return `${time} FileSyncRetried ${event.path} in ${event.delayMs} ms (attempt ${event.attempt} failed): ${event.reason}\n`;
    case "ConflictDetected":
      return `${time} ConflictDetected "${event.name}": ${event.paths.join(", ")}${batch}\n`;
    case "SyncCompleted":
      return `${time} SyncCompleted ${event.summary.indexed} indexed, ${event.summary.deleted} deleted, ${event.summary.failed} failed\n`;
  }
}
